/*
 * Aisle chat widget. Built by `npm run build` into dist/widget.js, which the assistant serves
 * at /widget.js.
 *
 * Embed:  <script src="https://shop-assistant.example/widget.js" defer
 *                 data-title="Ask us" data-greeting="Hi! How can we help?"></script>
 *   or:   <script src=".../widget.js" data-auto-init="false"></script>
 *         <script>Aisle.init({ server: "https://...", title: "...", greeting: "..." })</script>
 * API:    Aisle.init(opts) (a second call is a no-op), Aisle.open(), Aisle.close(),
 *         Aisle.sendMessage(text), Aisle.identify(token), Aisle.on(event, fn), Aisle.off(event, fn)
 * Events: message, add_to_cart, handoff, identified, rated, open, close
 *
 * Talks to WS /ws/chat (docs/protocol.md). The session token, the last seq the shopper has
 * seen and any unacknowledged messages live in localStorage, so a reload or another page
 * resumes the conversation: history is replayed from the server, unacked messages are resent
 * with their original client_id (the server dedupes them).
 *
 * This is the entry: it wires the connection (connection.js), what the widget knows of the
 * conversation (state.js) and the DOM (view.js, transcript.js), and installs window.Aisle
 * (api.js).
 */
import { installApi } from "./api.js";
import { createConnection, messageFrame, newClientId } from "./connection.js";
import { strings } from "./i18n.js";
import { safeUrl } from "./markdown.js";
import { createState, persisted } from "./state.js";
import { createTranscript } from "./transcript.js";
import { createView } from "./view.js";

const script = document.currentScript;

function createWidget(opts, emit) {
  const server = new URL(opts.server || (script && script.src) || location.href).origin;
  const { code: lang, t } = strings(opts.lang);
  const title = opts.title || t.title;
  const greeting = opts.greeting == null ? t.greeting : opts.greeting;
  const avatar = opts.avatar ? safeUrl(opts.avatar, location.href) : null;
  const ctx = { t, lang, base: server, send: (text, payload) => send(text, payload) };
  const state = createState(persisted(`aisle:${server}:`));

  const transcript = createTranscript({ ctx, greeting }, {
    reply(text, payload) { send(text, payload); view.input.focus(); },
    rate(score) { conn.send({ type: "rate", score }); },
    focus() { view.input.focus(); },
    retry(clientId, item) { queue(clientId, item); },
  });
  const view = createView({ opts, t, lang, title, avatar, transcript }, {
    launcher() { if (view.isOpen) close(); else open(); },
    close,
    submit(text) { shopperTyping(false); send(text); },
    input(hasText) { shopperTyping(hasText); },
  });
  const conn = createConnection({
    url: `${server.replace(/^http/, "ws")}/ws/chat`,
    hello: () => state.hello(),
    onFrame,
    onState: (name) => view.setConnection(name),
    onDrop() { state.typingSent = 0; transcript.setTyping(false); },
  });

  const showBanner = () => view.setBanner(state.banner(), state.agentName);
  const setStatus = (next) => { if (state.setStatus(next)) showBanner(); };

  function markSeen() {
    state.markSeen();
    view.setUnread(0);
  }

  function onMessage(m) {
    const shown = state.accept(m);
    if (!shown) return; // already shown (replay after a reconnect)
    const custom = m.custom || null;
    const kind = custom && custom.type;
    transcript.message(m, custom, kind, state.agentName);

    // What the page and the chrome learn from this message.
    if (kind === "handoff") {
      state.handoff(custom);
      showBanner();
      emit("handoff", { status: custom.status, agent: custom.agent || null, seq: m.seq });
    }
    if (kind === "rating") {
      transcript.closeRating();
      if (shown.live) emit("rated", { score: custom.score });
    }
    else if (kind === "conversation_end" || (kind === "handoff" && custom.status === "resolved")) transcript.showRating();
    const cart = kind === "add_to_cart" ? state.cartItem(m) : null;
    if (cart) emit("add_to_cart", cart);
    emit("message", { seq: m.seq, role: m.role, text: m.text || "", custom, replayed: !shown.live });

    if (m.role !== "user") {
      if (m.role === "bot" || m.role === "agent") transcript.hideTyping();
      if (view.isOpen) markSeen();
      else if (shown.live) { state.unread += 1; view.setUnread(state.unread); }
    }
  }

  function forgetConversation() {
    state.forget();
    view.setUnread(0);
    transcript.clear();
  }

  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        if (state.welcome(f)) showBanner();
        for (const frame of state.outbox()) conn.send(frame); // identify, resend what was not acked
        break;
      case "ack": state.settle(f.client_id); break;
      case "message": onMessage(f); break;
      case "draft": transcript.draft(f); break;
      case "status": setStatus(f.status); break;
      case "typing": transcript.setTyping(Boolean(f.active), f.author); break;
      case "identified": emit("identified", { customer_id: f.customer_id, name: f.name || null }); break;
      case "error":
        if (f.code === "unknown_session") {
          forgetConversation(); // the conversation is gone: start a new one on this socket
          conn.hello();
        } else if (f.code === "identity_conflict" && state.identity) {
          // Another customer signed in on this browser: their chat is a new conversation.
          forgetConversation();
          conn.restart(); // reconnects, without a session: a new conversation
        } else if (f.code === "origin_not_allowed") {
          conn.stop();
        } else if (f.client_id) {
          state.settle(f.client_id);
          transcript.setTyping(false);
          transcript.failed(f.client_id, f.message);
        } else {
          emit("error", { code: f.code, message: f.message });
        }
        break;
      default: break; // pong and future frame types
    }
  }

  function shopperTyping(active) {
    const frame = state.typingFrame(active, conn.ready, Date.now());
    if (frame) conn.send(frame);
  }

  function queue(clientId, item) {
    state.queue(clientId, item);
    if (conn.ready) conn.send(messageFrame(clientId, item)); else conn.connect();
  }

  function send(text, payload) {
    text = String(text == null ? "" : text).trim();
    if (!text) return;
    const clientId = newClientId();
    const item = payload ? { text, payload } : { text };
    transcript.local(clientId, item);
    transcript.scrollDown();
    queue(clientId, item);
  }

  function identify(token) {
    state.identity = typeof token === "string" && token ? token : null;
    if (state.identity && conn.ready) conn.send({ type: "identify", token: state.identity });
    else if (state.identity) conn.connect();
  }

  function open(focus = true) {
    const wasHidden = view.show();
    state.rememberOpen(true);
    markSeen();
    conn.connect();
    transcript.scrollDown();
    if (focus) view.input.focus();
    if (wasHidden) emit("open", {});
  }

  function close() {
    if (!view.isOpen) return;
    view.hide();
    state.rememberOpen(false);
    emit("close", {});
  }

  window.addEventListener("online", () => conn.retryNow());
  document.body.appendChild(view.host);
  // Resume a conversation started on an earlier page; a first visit connects on first use.
  if (state.resumable) {
    for (const [id, item] of state.pending) transcript.local(id, item); // still waiting for an ack
    conn.connect();
  }
  if (state.wasOpen) open(false); // stay open across pages, without stealing focus
  return { open: () => open(), close, sendMessage: (text) => send(text), identify };
}

installApi(createWidget, script);
