// The conversation on screen: its header and hand-off controls, the summary (led by why the
// shopper asked for a person), the transcript with the shopper's typing, the reply composer,
// and the context pane beside it. Loads over HTTP; the socket's frames for the watched
// conversation (`message`, `note`, `typing`) arrive through `onFrame`.
import { el, button } from "../rich.js";
import { createActions, holding } from "./actions.js";
import { createComposer } from "./composer.js";
import { createContextPane } from "./context.js";
import { duration, slaBreached, waitedSeconds } from "./format.js";
import { placeholderValues } from "./replies.js";
import { createTranscript } from "./transcript.js";

const SHOPPER_TYPING_MS = 6000;
const SAID_MS = 10000;

export function createConversation({ t, lang, api, store, socket, announce, onBack, refreshInbox }) {
  const main = el("main", "ac-main");
  main.id = "ac-main";
  main.tabIndex = -1;
  const aside = el("aside", "ac-context");
  aside.setAttribute("aria-label", t.details);

  // -- layout ------------------------------------------------------------------------------
  const empty = el("p", "ac-empty", t.pickConversation);
  const view = el("div", "ac-conv");
  view.hidden = true;
  const head = el("div", "ac-conv-head");
  const back = button(`← ${t.backToInbox}`, "ac-btn ac-back", () => onBack());
  const title = el("h2", "ac-conv-title");
  title.id = "ac-conv-title";
  title.tabIndex = -1;
  const badges = el("p", "ac-conv-badges");
  const waitPill = el("span", "ac-wait");
  const slaPill = el("span", "ac-pill ac-sla", t.slaBreached);
  slaPill.dataset.testid = "sla-breached";
  const titleRow = el("div", "ac-title-row");
  const status = el("p", "ac-status");
  status.setAttribute("role", "status");
  const actions = createActions({ t, on: { claim, transfer, handback, resolve: () => handback(true) } });

  const summaryBox = el("section", "ac-summary");
  summaryBox.setAttribute("aria-label", t.summary);
  const reason = el("p", "ac-reason");
  reason.dataset.testid = "summary-reason";
  const summaryText = el("p", "ac-summary-text ac-clamp");
  summaryText.id = "ac-summary-text";
  // Long summaries show two lines until the agent asks for the rest.
  const more = button(t.showMore, "ac-link", () => {
    const open = summaryText.classList.toggle("ac-clamp") === false;
    more.textContent = open ? t.showLess : t.showMore;
    more.setAttribute("aria-expanded", String(open));
  });
  more.setAttribute("aria-controls", summaryText.id);
  more.setAttribute("aria-expanded", "false");
  summaryBox.append(reason, summaryText, more);
  // "Show more" only when two lines do not hold the summary (measured again on resize).
  function fitSummary() {
    const clamped = summaryText.classList.contains("ac-clamp");
    more.hidden = !summaryText.textContent || (clamped && summaryText.scrollHeight <= summaryText.clientHeight + 1);
  }
  if (window.ResizeObserver) new ResizeObserver(fitSummary).observe(summaryText);
  titleRow.append(title, badges, actions.holder);
  head.append(back, titleRow, actions.node, status, summaryBox);

  const transcript = createTranscript({ t, lang });
  const typing = el("p", "ac-typing");
  typing.dataset.testid = "shopper-typing";
  typing.hidden = true;
  const composer = createComposer({
    t,
    onSend: sendReply,
    onTyping: (active) => { if (current) socket.typing(current, active); },
    placeholders: () => placeholderValues({ me: store.state.me, context, summary, item: store.item(current), storeName }),
  });
  view.append(head, transcript.node, typing, composer.node);
  const loading = el("p", "ac-empty", t.loading);
  loading.hidden = true;
  main.append(empty, loading, view);
  main.setAttribute("aria-labelledby", title.id);

  const ctxPane = createContextPane({ t, lang, onAddNote: addNote });
  const ctxHeading = el("h2", "sr-only", t.details);
  aside.append(ctxHeading, ctxPane.node);
  aside.hidden = true;

  // -- state -------------------------------------------------------------------------------
  let current = null;     // conversation id on screen
  let context = null;
  let summary = null;
  let taken = null;       // holder named by a refused claim, until the inbox says so too
  let typingTimer = 0;
  let loadToken = 0;
  let storeName = "";
  const drafts = new Map(); // conversation id -> an unsent reply, kept while the agent looks elsewhere

  function item() {
    return (current && store.item(current)) || (context && context.handoff) || null;
  }

  // A result under the controls ("You joined the conversation."), gone after a while.
  let sayTimer = 0;
  function say(text) {
    clearTimeout(sayTimer);
    status.textContent = text || "";
    if (text) sayTimer = setTimeout(() => { status.textContent = ""; }, SAID_MS);
  }

  function failed(err) {
    if (err && err.code === "handoff_taken") {
      taken = (err.details && err.details.agent) || null;
      if (taken) announce(t.takenBy(taken)); // shown beside the title
      else say(err.message);
      refresh();
    } else if (err && err.code === "handoff_state") {
      say(t.notOpen);
      refresh();
    } else {
      say((err && err.message) || t.error);
    }
  }

  function shopperName(it) {
    const customer = (context && context.customer) || (it && it.customer);
    return (customer && customer.name) || t.guest;
  }

  // What depends on the hand-off: header badges, controls, whether the reply box is on.
  function renderState() {
    const waiting = store.count("waiting");
    back.textContent = `← ${t.backToInbox}${waiting ? ` (${t.waitingCount(waiting)})` : ""}`;
    if (!current) return;
    const it = item();
    const me = store.state.me;
    if (taken && it && it.status === "active") taken = null; // the inbox names the holder now
    title.textContent = shopperName(it);
    const pills = [];
    const label = it ? t.statuses[it.status] || it.status : t.statuses[(context && context.status) || "bot"];
    pills.push(el("span", `ac-pill ac-status-${it ? it.status : "bot"}`, label));
    if (it) pills.push(waitPill);
    badges.replaceChildren(...pills);
    tick();
    actions.render(it, me, taken);
    const mine = holding(it, me);
    let why = t.replyDisabledClosed;
    if (it && it.status === "active" && !mine) why = t.replyDisabledTaken(taken || it.agent || "?");
    else if (taken) why = t.replyDisabledTaken(taken);
    else if (it && (it.status === "requested" || it.status === "offline")) why = t.replyDisabledClaim;
    composer.setEnabled(mine && !taken, why);
    const facts = (summary && summary.facts) || {};
    const asked = facts.reason || (it && it.reason);
    reason.replaceChildren(el("strong", null, `${t.whyTheyAsked}:`), document.createTextNode(` ${asked ? `“${asked}”` : t.noReason}`));
    ctxPane.show({ context, item: it });
  }

  // The wait, live while nobody has answered.
  function tick() {
    const it = item();
    if (!it) return;
    const d = duration(waitedSeconds(it), t);
    waitPill.textContent = it.status === "requested" ? t.waitingFor(d) : t.waited(d);
    // In the page only while breached, so the test id names a visible mark.
    if (!slaBreached(it, store.state.slaSeconds)) slaPill.remove();
    else if (!slaPill.isConnected) badges.appendChild(slaPill);
  }

  function setTyping(active) {
    clearTimeout(typingTimer);
    typing.hidden = !active;
    typing.textContent = active ? t.shopperTyping(shopperName(item()) === t.guest ? t.theShopper : shopperName(item())) : "";
    if (active) typingTimer = setTimeout(() => setTyping(false), SHOPPER_TYPING_MS);
  }

  // -- loading -----------------------------------------------------------------------------
  async function load(id, { quiet = false } = {}) {
    const token = ++loadToken;
    if (!quiet) { loading.hidden = false; view.hidden = true; aside.hidden = true; empty.hidden = true; }
    try {
      const [messages, sum, ctx, notes] = await Promise.all([
        api.get(api.conv(id, "messages")),
        api.get(api.conv(id, "summary")).catch(() => null),
        api.get(api.conv(id, "context")).catch(() => null),
        api.get(api.conv(id, "notes")).catch(() => ({ notes: [] })),
      ]);
      if (token !== loadToken || id !== current) return;
      context = ctx;
      summary = sum && sum.summary;
      if (ctx && ctx.handoff) store.upsert(ctx.handoff);
      const text = (summary && summary.text) || "";
      if (text !== summaryText.textContent) {
        summaryText.textContent = text;
        summaryText.classList.add("ac-clamp");
        more.textContent = t.showMore;
        more.setAttribute("aria-expanded", "false");
      }
      summaryText.hidden = !text;
      if (quiet) for (const m of messages.messages || []) transcript.add(m); // keeps the scroll
      else {
        transcript.node.setAttribute("aria-busy", "true");
        transcript.set(messages.messages);
        transcript.node.removeAttribute("aria-busy");
      }
      ctxPane.setNotes(notes.notes);
      loading.hidden = true;
      view.hidden = false;
      aside.hidden = false;
      renderState();
      fitSummary();
      if (!quiet) transcript.scrollDown();
    } catch (err) {
      if (token !== loadToken) return;
      loading.hidden = true;
      empty.hidden = false;
      empty.textContent = err.status === 404 ? t.loadFailed : `${t.loadFailed} ${err.message || ""}`;
    }
  }

  function refresh() {
    if (!current) return Promise.resolve();
    return Promise.all([refreshInbox(), load(current, { quiet: true })]);
  }

  // -- requests ----------------------------------------------------------------------------
  async function act(request, done) {
    const id = current;
    actions.setBusy(true);
    say("");
    try {
      const answer = await request(id);
      if (id !== current) return;
      if (answer && Array.isArray(answer.messages)) for (const m of answer.messages) transcript.add(m);
      if (done) say(done);
      await refresh();
    } catch (err) {
      if (id === current) failed(err);
    } finally {
      actions.setBusy(false);
      renderState();
    }
  }

  // The reply box is on as soon as the claim is granted, not after the reload that follows:
  // an agent who starts typing at once must not lose the first keys to a disabled box.
  function claim() {
    taken = null;
    return act(async (id) => {
      const answer = await api.post(api.conv(id, "claim"), {});
      const it = store.item(id);
      const me = store.state.me;
      if (id === current && it && me && answer && answer.agent) {
        store.upsert({ ...it, status: "active", agent: answer.agent, agent_id: me.id, waited_s: waitedSeconds(it) });
        renderState();
        composer.focus();
      }
      return answer;
    }, t.claimed).then(() => composer.focus());
  }

  function transfer(email, name) {
    return act((id) => api.post(api.conv(id, "transfer"), { to: email }), t.transferred(name));
  }

  function handback(resolved = false) {
    const path = resolved ? "handback?resolved=true" : "handback";
    return act((id) => api.post(api.conv(id, path), {}), resolved ? t.resolvedDone : t.handedBack);
  }

  async function sendReply(text) {
    const id = current;
    try {
      const answer = await api.post(api.conv(id, "messages"), { text });
      if (id === current && answer && answer.message) transcript.add(answer.message);
    } catch (err) {
      if (err.code === "handoff_taken") failed(err);
      throw err;
    }
  }

  async function addNote(text) {
    const answer = await api.post(api.conv(current, "notes"), { text });
    return answer.note;
  }

  // -- public ------------------------------------------------------------------------------
  return {
    main,
    aside,
    get current() { return current; },
    open(id, { focus = false } = {}) {
      if (id === current) { if (focus) title.focus(); return; }
      if (current) drafts.set(current, composer.text());
      composer.reset(drafts.get(id) || "");
      drafts.delete(id);
      current = id;
      context = summary = taken = null;
      say("");
      setTyping(false);
      socket.watch(id);
      load(id).then(() => { if (focus && current === id) title.focus(); });
    },
    close() {
      if (current) drafts.set(current, composer.text());
      composer.reset();
      current = context = summary = taken = null;
      socket.watch(null);
      setTyping(false);
      view.hidden = true;
      aside.hidden = true;
      loading.hidden = true;
      empty.hidden = false;
      empty.textContent = t.pickConversation;
    },
    refresh,
    renderState,
    setAgents(list) { actions.setAgents(list, store.state.me); },
    setReplies(list, name) { storeName = name || ""; composer.setReplies(list); if (current) renderState(); },
    onFrame(f) {
      if (!current || f.conversation_id !== current) return;
      if (f.type === "message" && f.message) {
        if (transcript.add(f.message) && f.message.role === "user") setTyping(false);
      } else if (f.type === "note") ctxPane.addNote(f.note);
      else if (f.type === "typing" && f.who === "shopper") setTyping(Boolean(f.active));
      else if (f.type === "status" && context) { context.status = f.status; renderState(); }
    },
    tick,
  };
}
