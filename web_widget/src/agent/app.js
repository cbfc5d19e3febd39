// The signed-in console: header, inbox, conversation and context, fed by one store that the
// HTTP answers and the socket write to. The conversation on screen is in the address
// (`#c=<id>`), so a reload or a language switch comes back to it.
import { el } from "../rich.js";
import { createConversation } from "./conversation.js";
import { syncClock } from "./format.js";
import { createHeader } from "./header.js";
import { createInbox } from "./inbox.js";
import { chime, notify, unlockAudioOnGesture } from "./ring.js";
import { createSocket } from "./socket.js";
import { createStore } from "./store.js";

const TICK_MS = 1000;

function hashConversation() {
  const match = /^#c=([\w-]{1,64})$/.exec(location.hash);
  return match ? match[1] : null;
}

export function startConsole({ t, lang, api, auth, onSignOut }) {
  const store = createStore();
  store.set({ me: auth.user });
  api.setCsrf(auth.csrf_token);

  const socket = createSocket({
    onFrame,
    onState: (connection) => store.set({ connection }),
    onReconnect: () => { reloadInbox(); conversation.refresh(); },
    onUnauthorized: () => onSignOut({ expired: true }),
  });

  const header = createHeader({ t, lang, onSignOut: () => onSignOut({ expired: false }) });
  const inbox = createInbox({ t, store, onSelect: (id) => select(id, { focus: true }) });
  const conversation = createConversation({
    t, lang, api, store, socket,
    announce: (text) => header.announce(text),
    onBack: () => select(null, { focus: true }),
    refreshInbox: () => reloadInbox(),
  });

  const skip = el("a", "ac-skip", t.skipToConversation);
  skip.href = "#ac-main";
  skip.addEventListener("click", (e) => { e.preventDefault(); conversation.main.focus(); });
  const app = el("div", "ac-app");
  app.dataset.view = "inbox";
  app.append(header.node, inbox.node, conversation.main, conversation.aside);
  document.body.replaceChildren(skip, app, header.live);

  store.subscribe((state) => {
    header.render(state);
    inbox.render(state);
    conversation.renderState();
    const waiting = store.count("waiting");
    document.title = waiting ? `(${waiting}) ${t.pageTitle}` : t.pageTitle;
  });

  async function reloadInbox() {
    try {
      const data = await api.get("/api/agent/inbox");
      syncClock(data.now);
      store.setInbox(data);
    } catch (err) {
      if (err.status !== 401) header.announce(err.message || t.error);
    }
  }

  // Who may take a transfer, and who is online now: asked again on each conversation opened.
  function loadAgents() {
    api.get("/api/agent/agents").then((d) => conversation.setAgents(d.agents)).catch(() => {});
  }

  function select(id, { focus = false } = {}) {
    if (id) {
      if (id !== store.state.selected) loadAgents();
      store.state.unread.delete(id);
      store.set({ selected: id });
      app.dataset.view = "conversation";
      if (location.hash !== `#c=${id}`) history.pushState(null, "", `#c=${id}`);
      conversation.open(id, { focus });
    } else {
      const was = store.state.selected;
      store.set({ selected: null });
      app.dataset.view = "inbox";
      if (location.hash) history.pushState(null, "", location.pathname + location.search);
      conversation.close();
      if (focus && was) requestAnimationFrame(() => inbox.focusSelected(was));
    }
  }

  function ring(item) {
    const who = (item.customer && item.customer.name) || t.guest;
    const text = t.newHandoff(who, item.reason);
    header.announce(text);
    if (header.soundOn()) chime();
    if (header.notifyOn()) notify(t.newHandoffTitle, text, `aisle-${item.conversation_id}`, () => select(item.conversation_id, { focus: true }));
  }

  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        if (f.me) store.set({ me: f.me });
        break;
      case "inbox": {
        const item = f.handoff;
        if (!item) break;
        store.upsert(item);
        if (f.event === "requested") ring(item);
        else if (f.event === "message" && item.last_message && item.last_message.role === "user"
          && store.state.me && item.agent_id === store.state.me.id) store.markUnread(item.conversation_id);
        break;
      }
      case "message":
      case "note":
      case "typing":
      case "status":
        conversation.onFrame(f);
        break;
      case "resync":
        reloadInbox();
        conversation.refresh();
        break;
      default:
        break; // pong, watching, error and frames this console does not know yet
    }
  }

  unlockAudioOnGesture();
  const onPopState = () => select(hashConversation());
  window.addEventListener("popstate", onPopState);
  const ticker = setInterval(() => { inbox.tick(); conversation.tick(); }, TICK_MS);

  reloadInbox();
  socket.start();
  api.get("/api/agent/saved-replies").then((d) => conversation.setReplies(d.replies, d.store_name)).catch(() => {});
  const first = hashConversation();
  if (first) select(first);

  return {
    stop() {
      clearInterval(ticker);
      window.removeEventListener("popstate", onPopState);
      socket.stop();
    },
  };
}
