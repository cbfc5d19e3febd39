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
 */
import { strings } from "./i18n.js";
import { renderMarkdown, safeUrl } from "./markdown.js";
import { button, comparison, el, orderSummary, productCards, ratingPrompt, sources } from "./rich.js";
import { CSS } from "./styles.js";

const VERSION = "0.2.0";
const PING_MS = 25000;
const MAX_BACKOFF_MS = 10000;
const TYPING_EVERY_MS = 3000;
const COLOR_VARS = ["accent", "accent-fg", "bg", "fg", "muted", "bot-bg", "user-bg", "user-fg", "notice-bg", "border"];

const script = document.currentScript;

// localStorage can throw (privacy modes, quotas); the widget then just forgets on reload.
const store = {
  get(key) { try { return JSON.parse(localStorage.getItem(key)); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* ignore */ } },
  del(key) { try { localStorage.removeItem(key); } catch { /* ignore */ } },
};

function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function createWidget(opts, emit) {
  const server = new URL(opts.server || (script && script.src) || location.href).origin;
  const wsUrl = `${server.replace(/^http/, "ws")}/ws/chat`;
  const key = (name) => `aisle:${server}:${name}`;
  const { code: lang, t } = strings(opts.lang);
  const title = opts.title || t.title;
  const greeting = opts.greeting == null ? t.greeting : opts.greeting;
  const avatar = opts.avatar ? safeUrl(opts.avatar, location.href) : null;
  const ctx = { t, lang, base: server, send: (text, payload) => send(text, payload) };

  let ws = null;
  let ready = false;          // welcome received on the current socket
  let attempts = 0;           // consecutive failed connections, for the back-off
  let retryTimer = 0;
  let pingTimer = 0;
  let typingTimer = 0;
  let typingSent = 0;         // when the shopper's last `typing: true` went out (0: none pending)
  let stopped = false;        // the server refused us for good (origin)
  let maxSeq = 0;             // highest seq rendered in this page
  let seen = store.get(key("seen")) || 0; // highest seq the shopper has seen (panel open)
  let cartSeq = store.get(key("cart")) || 0; // highest add_to_cart seq handed to the page
  let unread = 0;
  let status = "bot";
  let agentName = null;
  let away = null;            // "offline": the team is away, asking for an email; "email": it is in
  let lastReplies = null;
  let rating = null;          // the open rating prompt, if any
  let identity = null;        // the store's signed customer token, sent after each welcome
  const pending = new Map(store.get(key("pending")) || []); // client_id -> {text, payload}
  const bubbles = new Map();  // client_id -> the shopper's own message node in this page
  const drafts = new Map();   // draft id -> its node

  // -- DOM -------------------------------------------------------------------------------
  const host = el("div");
  host.id = "aisle-widget";
  host.lang = lang;
  if (opts.position === "left") host.dataset.position = "left";
  const root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", null, CSS));
  if (opts.accent) host.style.setProperty("--aisle-accent", opts.accent);
  for (const [name, value] of Object.entries(opts.colors || {})) {
    if (COLOR_VARS.includes(name)) host.style.setProperty(`--aisle-${name}`, String(value));
  }

  const panel = el("div", "panel");
  panel.id = "aisle-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  const header = el("div", "header");
  if (avatar) {
    const img = el("img", "avatar");
    img.alt = "";
    img.src = avatar;
    header.appendChild(img);
  }
  const heading = el("div", "heading");
  const conn = el("span", "conn");
  conn.setAttribute("role", "status");
  heading.append(el("h2", "aisle-title", title), conn);
  const closeBtn = button("×", "close", () => close());
  closeBtn.setAttribute("aria-label", t.closeChat);
  header.append(heading, closeBtn);
  const banner = el("div", "aisle-banner");
  banner.hidden = true;
  banner.setAttribute("role", "status");
  const log = el("div", "aisle-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", t.conversation);
  log.tabIndex = 0;
  const typing = el("div", "aisle-typing");
  const typingText = el("em", null, t.typing);
  typing.append(el("span"), el("span"), el("span"), typingText);
  typing.hidden = true;
  const form = el("form", "form");
  const input = el("input", "input");
  input.type = "text";
  input.placeholder = t.placeholder;
  input.setAttribute("aria-label", t.message);
  input.autocomplete = "off";
  input.maxLength = 2000;
  const sendBtn = el("button", "send", t.send);
  sendBtn.type = "submit";
  form.append(input, sendBtn);
  panel.append(header, banner, log, typing, form);

  const launcher = el("button", "launcher");
  launcher.type = "button";
  if (avatar) {
    const img = el("img");
    img.alt = "";
    img.src = avatar;
    launcher.appendChild(img);
  } else {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    launcher.appendChild(svg);
  }
  launcher.setAttribute("aria-controls", "aisle-panel");
  launcher.setAttribute("aria-expanded", "false");
  const badge = el("span", "aisle-badge");
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");
  launcher.appendChild(badge);
  root.append(panel, launcher);

  function greet() {
    if (!greeting) return;
    const node = el("div", "aisle-msg aisle-bot aisle-greeting");
    const bubble = el("div", "bubble");
    bubble.appendChild(renderMarkdown(greeting, { base: server }));
    node.appendChild(bubble);
    log.prepend(node);
  }
  greet();

  // -- rendering -------------------------------------------------------------------------
  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // Server messages go before the shopper's not-yet-echoed messages, keeping seq order.
  function place(node) {
    log.insertBefore(node, log.querySelector(".aisle-local"));
    scrollDown();
  }

  function setBanner() {
    if (status !== "handoff" || (away === "email" && !agentName)) banner.hidden = true;
    else {
      banner.hidden = false;
      if (agentName) banner.textContent = t.chattingWith(agentName);
      else banner.textContent = away === "offline" ? t.awayBanner : t.waiting;
    }
  }

  function setStatus(next) {
    if (next === status) return;
    status = next;
    if (status !== "handoff") { agentName = null; away = null; typingSent = 0; } // nobody to tell
    setBanner();
  }

  // `author`: a person on the team is typing ("Dana is typing…"); none: the assistant.
  function setTyping(active, author) {
    clearTimeout(typingTimer);
    typing.hidden = !active;
    typingText.textContent = active && author ? t.agentTyping(author) : t.typing;
    if (active) typingTimer = setTimeout(() => setTyping(false), 30000);
    else for (const node of drafts.values()) node.remove(); // no message replaced them
    if (!active) drafts.clear();
    scrollDown();
  }

  function updateBadge() {
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    launcher.setAttribute("aria-label", `${t.openChat}: ${title}${unread ? ` (${t.newMessages(unread)})` : ""}`);
  }
  updateBadge();

  function markSeen() {
    unread = 0;
    updateBadge();
    if (maxSeq > seen) { seen = maxSeq; store.set(key("seen"), seen); }
  }

  function bubbleFor(m, custom) {
    const bubble = el("div", "bubble");
    if (m.role === "agent") bubble.appendChild(el("span", "who", m.author || agentName || t.supportTeam));
    if (m.role === "user") bubble.appendChild(document.createTextNode(m.text));
    else {
      const text = el("div");
      text.appendChild(renderMarkdown(m.text, { base: server, sources: custom && custom.sources }));
      bubble.appendChild(text);
    }
    return bubble;
  }

  function handoffNotice(custom, text) {
    if (custom.status === "requested") return text || t.handoffRequested;
    if (custom.status === "joined") return t.joined(custom.agent || t.supportTeam);
    if (custom.status === "offline") return text || t.teamAway;
    if (custom.status === "email") return text || t.emailRecorded;
    return text || t.backWithBot;
  }

  function showRating() {
    if (rating) return;
    rating = ratingPrompt(ctx, (score) => {
      raw({ type: "rate", score });
      rating.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      input.focus();
    });
    place(rating);
  }

  function closeRating() {
    if (rating) { rating.remove(); rating = null; }
  }

  function renderMessage(m) {
    if (m.seq <= maxSeq) return; // already shown (replay after a reconnect)
    maxSeq = m.seq;
    const live = m.seq > seen;
    const custom = m.custom || null;
    const kind = custom && custom.type;
    if (lastReplies) { lastReplies.querySelectorAll("button").forEach((b) => { b.disabled = true; }); lastReplies = null; }
    if (m.replaces && drafts.has(m.replaces)) { drafts.get(m.replaces).remove(); drafts.delete(m.replaces); }

    let node;
    if (m.role === "user" && m.client_id && bubbles.has(m.client_id)) {
      node = bubbles.get(m.client_id); // our own, echoed in order
      node.classList.remove("aisle-local");
      bubbles.delete(m.client_id);
      node.dataset.seq = String(m.seq);
      scrollDown();
    } else {
      const notice = kind === "handoff" || kind === "rating";
      node = el("div", `aisle-msg aisle-${m.role}${notice ? " aisle-notice" : ""}`);
      node.dataset.seq = String(m.seq);
      if (kind === "handoff") {
        const bubble = el("div", "bubble", handoffNotice(custom, m.text));
        node.appendChild(bubble);
      } else if (m.text) {
        node.appendChild(bubbleFor(m, custom));
      }
      const src = m.image && safeUrl(m.image, server);
      if (src) { const img = el("img"); img.alt = ""; img.src = src; node.appendChild(img); }
      if (kind === "product_cards" && custom.cards && custom.cards.length) node.appendChild(productCards(custom, ctx));
      else if (kind === "product_comparison") node.appendChild(comparison(custom, ctx));
      else if (kind === "order_summary") node.appendChild(orderSummary(custom, ctx));
      else if (kind === "answer" && custom.sources && custom.sources.length) node.appendChild(sources(custom, ctx));
      if (m.buttons && m.buttons.length) {
        const group = el("div", "aisle-replies");
        for (const b of m.buttons) {
          // The set is disabled by the next message: keep the keyboard in the conversation.
          group.appendChild(button(b.title, "aisle-reply", () => { send(b.title, b.payload); input.focus(); }));
        }
        node.appendChild(group);
        lastReplies = group;
      }
      if (!node.childNodes.length) node.classList.add("aisle-empty");
      place(node);
    }

    // What the page and the chrome learn from this message.
    if (kind === "handoff") {
      if (custom.status === "joined") { agentName = custom.agent || null; away = null; }
      if (custom.status === "requested") { away = null; setStatus("handoff"); }
      if (custom.status === "offline") { away = "offline"; setStatus("handoff"); }
      if (custom.status === "email") away = "email";
      setBanner();
      emit("handoff", { status: custom.status, agent: custom.agent || null, seq: m.seq });
    }
    if (kind === "rating") {
      closeRating();
      if (live) emit("rated", { score: custom.score });
    }
    else if (kind === "conversation_end" || (kind === "handoff" && custom.status === "resolved")) showRating();
    if (kind === "add_to_cart" && m.seq > cartSeq) {
      // Each item goes to the page's cart once, whichever page is open when it arrives.
      cartSeq = m.seq;
      store.set(key("cart"), cartSeq);
      const detail = { ...custom };
      delete detail.type;
      emit("add_to_cart", detail);
    }
    emit("message", { seq: m.seq, role: m.role, text: m.text || "", custom, replayed: !live });

    if (m.role !== "user") {
      if (m.role === "bot" || m.role === "agent") typing.hidden = true;
      if (!panel.hidden) markSeen();
      else if (live) { unread += 1; updateBadge(); }
    }
  }

  function renderDraft(f) {
    let node = drafts.get(f.id);
    if (!node) {
      node = el("div", "aisle-msg aisle-bot aisle-draft");
      node.setAttribute("aria-busy", "true");
      node.appendChild(el("div", "bubble"));
      drafts.set(f.id, node);
      place(node);
    }
    const bubble = node.firstChild;
    bubble.replaceChildren(renderMarkdown(f.text, { base: server }));
    scrollDown();
  }

  function showFailure(clientId, message) {
    const node = bubbles.get(clientId);
    const item = pending.get(clientId) || (node && node.aisleMessage);
    const note = el("div", "aisle-failed", `${t.notSent} ${message} `);
    if (node) node.classList.remove("aisle-local"); // so later messages go after it
    if (item) {
      note.appendChild(button(t.retry, null, () => {
        note.remove();
        if (node) { node.classList.add("aisle-local"); log.appendChild(node); }
        queue(clientId, item);
      }));
    }
    if (node) node.after(note); else log.appendChild(note);
    scrollDown();
  }

  // -- connection ------------------------------------------------------------------------
  function savePending() {
    if (pending.size) store.set(key("pending"), [...pending]); else store.del(key("pending"));
  }

  function raw(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  function sendFrame(clientId, item) {
    const frame = { type: "message", client_id: clientId, text: item.text };
    if (item.payload) frame.payload = item.payload;
    raw(frame);
  }

  function hello() {
    const session = store.get(key("session"));
    const frame = { type: "hello", last_seq: maxSeq };
    if (session) frame.session = session;
    raw(frame);
  }

  function connect() {
    if (stopped || (ws && ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(retryTimer);
    conn.textContent = attempts ? t.reconnecting : t.connecting;
    ready = false;
    const socket = new WebSocket(wsUrl);
    ws = socket;
    socket.onopen = hello;
    socket.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      onFrame(frame);
    };
    socket.onclose = (event) => {
      if (ws !== socket) return;
      ready = false;
      typingSent = 0;
      clearInterval(pingTimer);
      setTyping(false);
      if (event.code === 4403) { stopped = true; conn.textContent = t.unavailable; return; }
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts) * (0.75 + Math.random() * 0.5);
      attempts += 1;
      conn.textContent = t.reconnecting;
      retryTimer = setTimeout(connect, delay);
    };
  }

  function forgetConversation() {
    store.del(key("session"));
    store.del(key("seen"));
    store.del(key("cart"));
    seen = maxSeq = cartSeq = 0;
    unread = 0;
    updateBadge();
    closeRating();
    for (const node of [...log.children]) if (!node.classList.contains("aisle-local")) node.remove();
    greet();
  }

  function onFrame(f) {
    switch (f.type) {
      case "welcome":
        ready = true;
        attempts = 0;
        conn.textContent = "";
        store.set(key("session"), f.session);
        setStatus(f.status);
        clearInterval(pingTimer);
        pingTimer = setInterval(() => raw({ type: "ping" }), PING_MS);
        if (identity) raw({ type: "identify", token: identity });
        for (const [id, item] of pending) sendFrame(id, item); // resend what was not acked
        break;
      case "ack":
        pending.delete(f.client_id);
        savePending();
        break;
      case "message": renderMessage(f); break;
      case "draft": renderDraft(f); break;
      case "status": setStatus(f.status); break;
      case "typing": setTyping(Boolean(f.active), f.author); break;
      case "identified": emit("identified", { customer_id: f.customer_id, name: f.name || null }); break;
      case "error":
        if (f.code === "unknown_session") {
          forgetConversation(); // the conversation is gone: start a new one on this socket
          hello();
        } else if (f.code === "identity_conflict" && identity) {
          // Another customer signed in on this browser: their chat is a new conversation.
          forgetConversation();
          attempts = 0;
          if (ws) ws.close(); // reconnects, without a session: a new conversation
        } else if (f.code === "origin_not_allowed") {
          stopped = true;
          conn.textContent = t.unavailable;
        } else if (f.client_id) {
          pending.delete(f.client_id);
          savePending();
          setTyping(false);
          showFailure(f.client_id, f.message);
        } else {
          emit("error", { code: f.code, message: f.message });
        }
        break;
      default: break; // pong and future frame types
    }
  }

  // -- sending ---------------------------------------------------------------------------
  // While a person answers, they see the shopper typing: `true` at most every 3 s while the
  // shopper types, `false` once the message is sent or the input emptied.
  function shopperTyping(active) {
    if (active) {
      if (status !== "handoff" || !ready) return;
      const now = Date.now();
      if (now - typingSent < TYPING_EVERY_MS) return;
      typingSent = now;
      raw({ type: "typing", active: true });
    } else if (typingSent) {
      typingSent = 0;
      raw({ type: "typing", active: false });
    }
  }

  function queue(clientId, item) {
    pending.set(clientId, item);
    savePending();
    if (ready) sendFrame(clientId, item); else connect();
  }

  function send(text, payload) {
    text = String(text == null ? "" : text).trim();
    if (!text) return;
    const clientId = newClientId();
    const item = payload ? { text, payload } : { text };
    const node = el("div", "aisle-msg aisle-user aisle-local");
    node.appendChild(el("div", "bubble", text));
    node.aisleMessage = item;
    bubbles.set(clientId, node);
    log.appendChild(node);
    scrollDown();
    queue(clientId, item);
  }

  function identify(token) {
    identity = typeof token === "string" && token ? token : null;
    if (identity && ready) raw({ type: "identify", token: identity });
    else if (identity) connect();
  }

  // -- open / close ----------------------------------------------------------------------
  function open(focus = true) {
    const wasHidden = panel.hidden;
    panel.hidden = false;
    host.dataset.open = "";
    launcher.setAttribute("aria-expanded", "true");
    store.set(key("open"), true);
    markSeen();
    connect();
    scrollDown();
    if (focus) input.focus();
    if (wasHidden) emit("open", {});
  }

  function close() {
    if (panel.hidden) return;
    panel.hidden = true;
    delete host.dataset.open;
    launcher.setAttribute("aria-expanded", "false");
    store.set(key("open"), false);
    launcher.focus();
    emit("close", {});
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  panel.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.stopPropagation(); close(); } });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    shopperTyping(false);
    send(input.value);
    input.value = "";
  });
  input.addEventListener("input", () => shopperTyping(Boolean(input.value.trim())));
  window.addEventListener("online", () => { if (!ready) { attempts = 0; connect(); } });

  document.body.appendChild(host);
  // Resume a conversation started on an earlier page; a first visit connects on first use.
  if (store.get(key("session")) || pending.size) {
    for (const [id, item] of pending) { // re-show messages still waiting for an ack
      const node = el("div", "aisle-msg aisle-user aisle-local");
      node.appendChild(el("div", "bubble", item.text));
      node.aisleMessage = item;
      bubbles.set(id, node);
      log.appendChild(node);
    }
    connect();
  }
  if (store.get(key("open"))) open(false); // stay open across pages, without stealing focus
  return { open: () => open(), close, sendMessage: (text) => send(text), identify };
}

(() => {
  if (window.Aisle && window.Aisle.version) return; // the script was included twice

  const listeners = new Map(); // event -> Set of handlers
  function emit(event, detail) {
    for (const fn of listeners.get(event) || []) {
      try { fn(detail); } catch (err) { console.error("Aisle listener failed", err); }
    }
    window.dispatchEvent(new CustomEvent(`aisle:${event}`, { detail }));
  }

  let widget = null;
  let starting = false;
  const queued = []; // calls made before the widget exists
  const call = (name, ...args) => { if (widget) widget[name](...args); else queued.push([name, args]); };
  const api = {
    version: VERSION,
    init(opts = {}) {
      if (widget || starting) return; // idempotent
      starting = true;
      const start = () => {
        widget = createWidget(opts, emit);
        for (const [name, args] of queued.splice(0)) widget[name](...args);
      };
      if (document.body) start(); else document.addEventListener("DOMContentLoaded", start, { once: true });
    },
    open() { call("open"); },
    close() { call("close"); },
    sendMessage(text) { call("sendMessage", text); },
    identify(token) { call("identify", token); },
    on(event, fn) {
      if (typeof fn !== "function") throw new TypeError("Aisle.on needs a function");
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return () => api.off(event, fn);
    },
    off(event, fn) { const set = listeners.get(event); if (set) set.delete(fn); },
  };
  window.Aisle = api;

  if (script && script.dataset.autoInit !== "false") {
    const d = script.dataset;
    api.init({
      server: d.server, title: d.title, greeting: d.greeting, accent: d.accent,
      avatar: d.avatar, lang: d.lang, position: d.position,
    });
  }
})();
