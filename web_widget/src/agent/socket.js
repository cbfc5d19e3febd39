// WS /ws/agent: the live inbox and the watched conversation. Reconnects with back-off; after a
// reconnect the caller reloads what it shows (`onReconnect`) and the watch is sent again.

const PING_MS = 25000;
const MAX_BACKOFF_MS = 15000;

export function createSocket({ onFrame, onState, onReconnect, onUnauthorized }) {
  const url = `${location.origin.replace(/^http/, "ws")}/ws/agent`;
  let ws = null;
  let attempts = 0;
  let everOpen = false;
  let retryTimer = 0;
  let pingTimer = 0;
  let stopped = true;
  let watching = null;

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  function connect() {
    if (stopped || (ws && ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(retryTimer);
    onState(attempts || everOpen ? "reconnecting" : "connecting");
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      const again = everOpen;
      everOpen = true;
      attempts = 0;
      onState("live");
      send({ type: "watch", conversation_id: watching });
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ type: "ping" }), PING_MS);
      if (again) onReconnect();
    };
    socket.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      onFrame(frame);
    };
    socket.onclose = (event) => {
      if (ws !== socket) return;
      clearInterval(pingTimer);
      ws = null;
      if (stopped) return;
      if (event.code === 4401) { stopped = true; onUnauthorized(); return; }
      if (event.code === 4403) { stopped = true; onState("refused"); return; }
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts) * (0.75 + Math.random() * 0.5);
      attempts += 1;
      onState("reconnecting");
      retryTimer = setTimeout(connect, delay);
    };
  }

  window.addEventListener("online", () => { if (!stopped && !ws) { attempts = 0; connect(); } });

  return {
    start() { stopped = false; connect(); },
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      if (ws) { const socket = ws; ws = null; socket.close(); }
    },
    watch(conversationId) {
      watching = conversationId || null;
      send({ type: "watch", conversation_id: watching });
    },
    typing(conversationId, active) { send({ type: "typing", conversation_id: conversationId, active }); },
  };
}
