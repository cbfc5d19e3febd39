/*
 * Aisle chat widget: plain ES2020, no dependencies, no build step.
 *
 * Embed:  <script src="https://shop-assistant.example/widget.js" defer
 *                 data-title="Ask us" data-greeting="Hi! How can we help?"></script>
 *   or:   <script src=".../widget.js" data-auto-init="false"></script>
 *         <script>Aisle.init({ server: "https://...", title: "...", greeting: "..." })</script>
 * API:    Aisle.init(opts) (a second call is a no-op), Aisle.open(), Aisle.close(),
 *         Aisle.sendMessage(text)
 *
 * Talks to WS /ws/chat (assistant/server/protocol.py). The session token, the last seq the shopper has
 * seen and any unacknowledged messages live in localStorage, so a reload or another page
 * resumes the conversation: history is replayed from the server, unacked messages are resent
 * with their original client_id (the server dedupes them). Messages are rendered with
 * textContent only. Colours are CSS variables: set e.g. `#aisle-widget { --aisle-accent: #c00 }`.
 */
(() => {
  "use strict";
  if (window.Aisle && window.Aisle.version) return; // the script was included twice

  const script = document.currentScript;
  const PING_MS = 25000;
  const MAX_BACKOFF_MS = 10000;

  const CSS = `
:host { --aisle-accent: #2f5bea; --aisle-accent-fg: #fff; --aisle-bg: #fff; --aisle-fg: #1d2330;
  --aisle-muted: #6b7280; --aisle-bot-bg: #f1f3f7; --aisle-user-bg: var(--aisle-accent);
  --aisle-user-fg: var(--aisle-accent-fg); --aisle-notice-bg: #fff6db; --aisle-border: #e3e6ec;
  all: initial; position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--aisle-fg); }
.aisle-launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; cursor: pointer;
  background: var(--aisle-accent); color: var(--aisle-accent-fg); font-size: 24px;
  box-shadow: 0 4px 14px rgba(0,0,0,.25); position: relative; float: right; display: grid; place-items: center; }
.aisle-launcher svg { width: 26px; height: 26px; fill: currentColor; }
.aisle-launcher:focus-visible, .aisle-panel button:focus-visible { outline: 3px solid var(--aisle-fg); outline-offset: 2px; }
.aisle-badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; border-radius: 10px;
  background: #e11d48; color: #fff; font-size: 12px; line-height: 20px; padding: 0 5px; box-sizing: border-box; }
.aisle-panel { position: absolute; right: 0; bottom: 68px; width: min(370px, calc(100vw - 40px));
  height: min(540px, calc(100vh - 110px)); background: var(--aisle-bg); border: 1px solid var(--aisle-border);
  border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.2); display: flex; flex-direction: column; overflow: hidden; }
.aisle-panel[hidden], .aisle-badge[hidden], .aisle-typing[hidden], .aisle-banner[hidden] { display: none; }
.aisle-header { background: var(--aisle-accent); color: var(--aisle-accent-fg); padding: 12px 14px;
  display: flex; align-items: center; gap: 8px; }
.aisle-title { font-weight: 600; flex: 1; margin: 0; font-size: 15px; color: inherit; }
.aisle-conn { font-size: 12px; opacity: .85; }
.aisle-close { background: none; border: 0; color: inherit; font-size: 20px; cursor: pointer; line-height: 1; }
.aisle-banner { background: var(--aisle-notice-bg); padding: 8px 14px; font-size: 13px; border-bottom: 1px solid var(--aisle-border); }
.aisle-list { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.aisle-msg { max-width: 82%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.aisle-bot, .aisle-agent { align-self: flex-start; background: var(--aisle-bot-bg); border-bottom-left-radius: 4px; }
.aisle-user { align-self: flex-end; background: var(--aisle-user-bg); color: var(--aisle-user-fg); border-bottom-right-radius: 4px; }
.aisle-local { opacity: .65; }
.aisle-system, .aisle-notice { align-self: center; max-width: 92%; font-size: 12.5px; color: var(--aisle-muted); text-align: center; }
.aisle-notice { background: var(--aisle-notice-bg); color: var(--aisle-fg); border-radius: 8px; padding: 6px 10px; }
.aisle-who { display: block; font-size: 11px; font-weight: 600; color: var(--aisle-muted); margin-bottom: 2px; }
.aisle-msg img { display: block; max-width: 100%; border-radius: 8px; margin-top: 6px; }
.aisle-failed { font-size: 12px; color: #b91c1c; align-self: flex-end; }
.aisle-failed button { font: inherit; color: inherit; text-decoration: underline; background: none; border: 0; cursor: pointer; }
.aisle-replies { display: flex; flex-wrap: wrap; gap: 6px; align-self: flex-start; }
.aisle-reply { border: 1px solid var(--aisle-accent); color: var(--aisle-accent); background: var(--aisle-bg);
  border-radius: 16px; padding: 5px 11px; font: inherit; cursor: pointer; }
.aisle-reply:disabled { opacity: .45; cursor: default; }
.aisle-typing { padding: 0 14px 6px; color: var(--aisle-muted); font-size: 12px; }
.aisle-typing span { display: inline-block; width: 6px; height: 6px; margin-right: 3px; border-radius: 50%;
  background: var(--aisle-muted); animation: aisle-blink 1.2s infinite; }
.aisle-typing span:nth-child(2) { animation-delay: .2s; } .aisle-typing span:nth-child(3) { animation-delay: .4s; }
@keyframes aisle-blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
.aisle-form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid var(--aisle-border); }
.aisle-input { flex: 1; border: 1px solid var(--aisle-border); border-radius: 8px; padding: 8px 10px; font: inherit;
  color: var(--aisle-fg); background: var(--aisle-bg); min-width: 0; }
.aisle-send { border: 0; border-radius: 8px; padding: 0 14px; background: var(--aisle-accent);
  color: var(--aisle-accent-fg); font: inherit; font-weight: 600; cursor: pointer; }
@media (prefers-reduced-motion: reduce) { .aisle-typing span { animation: none; } }`;

  // Build a DOM element; text goes in via textContent, never innerHTML.
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

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

  function safeImageUrl(url) {
    try {
      const parsed = new URL(url, document.baseURI);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch { return null; }
  }

  function createWidget(opts) {
    const server = new URL(opts.server || (script && script.src) || location.href).origin;
    const wsUrl = `${server.replace(/^http/, "ws")}/ws/chat`;
    const key = (name) => `aisle:${server}:${name}`;
    const title = opts.title || "Chat with us";
    const greeting = opts.greeting == null ? "Hi! Ask me about your orders, returns or our policies." : opts.greeting;

    let ws = null;
    let ready = false;          // welcome received on the current socket
    let attempts = 0;           // consecutive failed connections, for the back-off
    let retryTimer = 0;
    let pingTimer = 0;
    let typingTimer = 0;
    let stopped = false;        // the server refused us for good (origin)
    let maxSeq = 0;             // highest seq rendered in this page
    let seen = store.get(key("seen")) || 0; // highest seq the shopper has seen (panel open)
    let unread = 0;
    let status = "bot";
    let lastReplies = null;
    const pending = new Map(store.get(key("pending")) || []); // client_id -> {text, payload}
    const bubbles = new Map();  // client_id -> the shopper's own bubble in this page

    // -- DOM -------------------------------------------------------------------------------
    const host = el("div");
    host.id = "aisle-widget";
    const root = host.attachShadow({ mode: "open" });
    root.appendChild(el("style", null, CSS));
    if (opts.accent) host.style.setProperty("--aisle-accent", opts.accent);

    const panel = el("div", "aisle-panel");
    panel.id = "aisle-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    const header = el("div", "aisle-header");
    const heading = el("h2", "aisle-title", title);
    const conn = el("span", "aisle-conn");
    const closeBtn = el("button", "aisle-close", "×");
    closeBtn.type = "button";
    closeBtn.setAttribute("aria-label", "Close chat");
    header.append(heading, conn, closeBtn);
    const banner = el("div", "aisle-banner", "A person from our team is handling this chat and will reply here.");
    banner.hidden = true;
    banner.setAttribute("role", "status");
    const list = el("div", "aisle-list");
    list.setAttribute("role", "log");
    list.setAttribute("aria-live", "polite");
    list.setAttribute("aria-label", "Conversation");
    const typing = el("div", "aisle-typing");
    typing.append(el("span"), el("span"), el("span"), el("em", null, "typing…"));
    typing.hidden = true;
    const form = el("form", "aisle-form");
    const input = el("input", "aisle-input");
    input.type = "text";
    input.placeholder = "Type a message…";
    input.setAttribute("aria-label", "Message");
    input.maxLength = 2000;
    const sendBtn = el("button", "aisle-send", "Send");
    sendBtn.type = "submit";
    form.append(input, sendBtn);
    panel.append(header, banner, list, typing, form);

    const launcher = el("button", "aisle-launcher");
    launcher.type = "button";
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    launcher.appendChild(svg);
    launcher.setAttribute("aria-label", `Open chat: ${title}`);
    launcher.setAttribute("aria-controls", "aisle-panel");
    launcher.setAttribute("aria-expanded", "false");
    const badge = el("span", "aisle-badge");
    badge.hidden = true;
    badge.setAttribute("aria-hidden", "true");
    launcher.appendChild(badge);
    root.append(panel, launcher);

    function showGreeting() {
      if (greeting) list.appendChild(el("div", "aisle-msg aisle-bot", greeting));
    }
    showGreeting();

    // -- rendering -------------------------------------------------------------------------
    function scrollDown() { list.scrollTop = list.scrollHeight; }

    // Server messages go before the shopper's not-yet-echoed bubbles, keeping seq order.
    function place(node) {
      list.insertBefore(node, list.querySelector(".aisle-local"));
      scrollDown();
    }

    function setStatus(next) {
      status = next;
      banner.hidden = status !== "handoff";
    }

    function setTyping(active) {
      clearTimeout(typingTimer);
      typing.hidden = !active;
      if (active) typingTimer = setTimeout(() => setTyping(false), 30000);
      scrollDown();
    }

    function updateBadge() {
      badge.hidden = unread === 0;
      badge.textContent = String(unread);
      launcher.setAttribute("aria-label", `Open chat: ${title}${unread ? ` (${unread} new)` : ""}`);
    }

    function markSeen() {
      unread = 0;
      updateBadge();
      if (maxSeq > seen) { seen = maxSeq; store.set(key("seen"), seen); }
    }

    function renderMessage(m) {
      if (m.seq <= maxSeq) return; // already shown (replay after a reconnect)
      maxSeq = m.seq;
      if (lastReplies) { lastReplies.querySelectorAll("button").forEach((b) => { b.disabled = true; }); lastReplies = null; }
      if (m.role === "user" && m.client_id && bubbles.has(m.client_id)) {
        bubbles.get(m.client_id).classList.remove("aisle-local"); // our own, echoed in order
      } else if (m.custom && m.custom.type === "handoff") {
        const fallback = m.custom.status === "requested"
          ? "Connecting you with a person from our team…" : "You're back with the assistant.";
        place(el("div", "aisle-notice", m.text || fallback));
      } else if (m.text || m.image) {
        const node = el("div", `aisle-msg aisle-${m.role}`);
        if (m.role === "agent") node.appendChild(el("span", "aisle-who", "Support team"));
        if (m.text) node.appendChild(document.createTextNode(m.text));
        const src = m.image && safeImageUrl(m.image);
        if (src) { const img = el("img"); img.alt = ""; img.src = src; node.appendChild(img); }
        place(node);
      }
      if (m.buttons && m.buttons.length) {
        const group = el("div", "aisle-replies");
        for (const b of m.buttons) {
          const btn = el("button", "aisle-reply", b.title);
          btn.type = "button";
          btn.addEventListener("click", () => send(b.title, b.payload));
          group.appendChild(btn);
        }
        place(group);
        lastReplies = group;
      }
      if (m.role !== "user") {
        if (m.role === "bot" || m.role === "agent") setTyping(false);
        if (!panel.hidden) markSeen();
        else if (m.seq > seen) { unread += 1; updateBadge(); }
      }
    }

    function showFailure(clientId, message) {
      const bubble = bubbles.get(clientId);
      const item = pending.get(clientId) || (bubble && bubble.aisleMessage);
      const note = el("div", "aisle-failed", `Not sent: ${message} `);
      if (bubble) bubble.classList.remove("aisle-local"); // so later messages go after it
      if (item) {
        const retry = el("button", null, "Retry");
        retry.type = "button";
        retry.addEventListener("click", () => {
          note.remove();
          if (bubble && bubble.classList.contains("aisle-user")) { bubble.classList.add("aisle-local"); list.appendChild(bubble); }
          queue(clientId, item);
        });
        note.appendChild(retry);
      }
      if (bubble) bubble.after(note); else list.appendChild(note);
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
      conn.textContent = "connecting…";
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
        clearInterval(pingTimer);
        setTyping(false);
        if (event.code === 4403) { stopped = true; conn.textContent = "unavailable"; return; }
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts) * (0.75 + Math.random() * 0.5);
        attempts += 1;
        conn.textContent = "reconnecting…";
        retryTimer = setTimeout(connect, delay);
      };
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
          for (const [id, item] of pending) sendFrame(id, item); // resend what was not acked
          break;
        case "ack":
          pending.delete(f.client_id);
          savePending();
          break;
        case "message": renderMessage(f); break;
        case "status": setStatus(f.status); break;
        case "typing": setTyping(Boolean(f.active)); break;
        case "error":
          if (f.code === "unknown_session") {
            // The conversation is gone: forget it and start a new one on this socket.
            store.del(key("session"));
            store.del(key("seen"));
            seen = maxSeq = 0;
            unread = 0;
            updateBadge();
            for (const node of [...list.children]) if (!node.classList.contains("aisle-local")) node.remove();
            if (greeting) list.prepend(el("div", "aisle-msg aisle-bot", greeting));
            hello();
          } else if (f.code === "origin_not_allowed") {
            stopped = true;
            conn.textContent = "unavailable";
          } else if (f.client_id) {
            pending.delete(f.client_id);
            savePending();
            setTyping(false);
            showFailure(f.client_id, f.message);
          }
          break;
        default: break; // pong and future frame types
      }
    }

    // -- sending ---------------------------------------------------------------------------
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
      const bubble = el("div", "aisle-msg aisle-user aisle-local", text);
      bubble.aisleMessage = item;
      bubbles.set(clientId, bubble);
      list.appendChild(bubble);
      scrollDown();
      queue(clientId, item);
    }

    // -- open / close ----------------------------------------------------------------------
    function open(focus = true) {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      store.set(key("open"), true);
      markSeen();
      connect();
      scrollDown();
      if (focus) input.focus();
    }

    function close() {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      store.set(key("open"), false);
      launcher.focus();
    }

    launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
    closeBtn.addEventListener("click", close);
    panel.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      send(input.value);
      input.value = "";
    });
    window.addEventListener("online", () => { if (!ready) { attempts = 0; connect(); } });

    document.body.appendChild(host);
    // Resume a conversation started on an earlier page; a first visit connects on first use.
    if (store.get(key("session")) || pending.size) {
      for (const [id, item] of pending) { // re-show messages still waiting for an ack
        const bubble = el("div", "aisle-msg aisle-user aisle-local", item.text);
        bubble.aisleMessage = item;
        bubbles.set(id, bubble);
        list.appendChild(bubble);
      }
      connect();
    }
    if (store.get(key("open"))) open(false); // stay open across pages, without stealing focus
    return { open: () => open(), close, sendMessage: (text) => send(text) };
  }

  let widget = null;
  let starting = false;
  const api = {
    version: "0.1.0",
    init(opts = {}) {
      if (widget || starting) return; // idempotent
      starting = true;
      const start = () => { widget = createWidget(opts); };
      if (document.body) start(); else document.addEventListener("DOMContentLoaded", start, { once: true });
    },
    open() { if (widget) widget.open(); },
    close() { if (widget) widget.close(); },
    sendMessage(text) { if (widget) widget.sendMessage(text); },
  };
  window.Aisle = api;

  if (script && script.dataset.autoInit !== "false") {
    const d = script.dataset;
    api.init({ server: d.server, title: d.title, greeting: d.greeting, accent: d.accent });
  }
})();
