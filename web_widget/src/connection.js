// WS /ws/chat (docs/protocol.md): one socket at a time, `hello` on open (the caller builds it:
// the session and the last seq shown, so a resume replays only what is missing), a ping every
// 25 s, and on a drop a reconnect with jittered exponential back-off. Close code 4403 (the
// page's origin is refused) stops it for good. No DOM: the socket constructor, the timers and
// the randomness can be handed in, and the caller hears frames and states through callbacks.

export const PING_MS = 25000;
export const MAX_BACKOFF_MS = 10000;
const OPEN = 1; // WebSocket.OPEN; CONNECTING is 0

// The `client_id` of a shopper's message: unique in the conversation, kept across resends.
export function newClientId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export function messageFrame(clientId, item) {
  const frame = { type: "message", client_id: clientId, text: item.text };
  if (item.payload) frame.payload = item.payload;
  return frame;
}

export function helloFrame(session, lastSeq) {
  const frame = { type: "hello", last_seq: lastSeq };
  if (session) frame.session = session;
  return frame;
}

// The wait before reconnect attempt `attempts` (0 for the first): 0.5 s doubling to 10 s, ±25 %.
export function backoff(attempts, random = Math.random) {
  return Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts) * (0.75 + random() * 0.5);
}

/*
 * hello(): the `hello` frame to send on each open.
 * onFrame(frame): every parsed frame, `welcome` included (after the connection took it as live).
 * onState(name): "connecting", "reconnecting", "live" or "unavailable".
 * onDrop(): the socket closed (before any reconnect is planned).
 */
export function createConnection({
  url, hello, onFrame, onState, onDrop,
  WebSocket = globalThis.WebSocket, timers = globalThis, random = Math.random,
}) {
  let ws = null;
  let ready = false;   // welcome received on the current socket
  let attempts = 0;    // consecutive failed connections, for the back-off
  let retryTimer = 0;
  let pingTimer = 0;
  let stopped = false; // the server refused us for good (origin)

  function send(frame) {
    if (ws && ws.readyState === OPEN) ws.send(JSON.stringify(frame));
  }

  function receive(frame) {
    if (frame.type === "welcome") {
      ready = true;
      attempts = 0;
      onState("live");
      timers.clearInterval(pingTimer);
      pingTimer = timers.setInterval(() => send({ type: "ping" }), PING_MS);
    }
    onFrame(frame);
  }

  function stop() {
    stopped = true;
    onState("unavailable");
  }

  function connect() {
    if (stopped || (ws && ws.readyState <= OPEN)) return;
    timers.clearTimeout(retryTimer);
    onState(attempts ? "reconnecting" : "connecting");
    ready = false;
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => send(hello());
    socket.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      receive(frame);
    };
    socket.onclose = (event) => {
      if (ws !== socket) return;
      ready = false;
      timers.clearInterval(pingTimer);
      onDrop();
      if (event.code === 4403) { stop(); return; }
      const delay = backoff(attempts, random);
      attempts += 1;
      onState("reconnecting");
      retryTimer = timers.setTimeout(connect, delay);
    };
  }

  return {
    get ready() { return ready; },
    connect,
    send,
    stop,
    hello: () => send(hello()),
    // Back online: try now, not after the back-off.
    retryNow() { if (!ready) { attempts = 0; connect(); } },
    // Drop this socket and connect again at once (a new conversation, say).
    restart() { attempts = 0; if (ws) ws.close(); },
  };
}
