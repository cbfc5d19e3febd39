// The one store the console's panes read: who is signed in, the hand-offs (by conversation),
// the queues they fall into, the selected conversation. The socket and the HTTP answers write
// here; the panes subscribe and redraw.

export const QUEUES = ["waiting", "mine", "open", "offline", "resolved"];

const CLOSED = new Set(["resolved", "released"]);

// Waiting and offline go both ways (an offline hand-off asked for again waits again).
const STAGES = { requested: 0, offline: 0, active: 1 };

function stage(item) {
  return STAGES[item.status] ?? 2;
}

export function inQueue(queue, item, me) {
  switch (queue) {
    case "waiting": return item.status === "requested";
    case "mine": return item.status === "active" && me != null && item.agent_id === me.id;
    case "open": return item.status === "requested" || item.status === "active";
    case "offline": return item.status === "offline";
    case "resolved": return CLOSED.has(item.status);
    default: return false;
  }
}

const time = (iso) => Date.parse(iso || "") || 0;

// Open queues oldest first (the longest wait on top); closed ones most recent first.
function order(queue) {
  if (queue === "resolved") return (a, b) => time(b.closed_at) - time(a.closed_at);
  return (a, b) => time(a.requested_at) - time(b.requested_at);
}

export function createStore() {
  const state = {
    me: null,
    items: new Map(),       // conversation_id -> inbox Item
    unread: new Set(),      // conversations with a shopper message not yet looked at
    agentsOnline: null,
    slaSeconds: 0,          // the first-response target; 0: unknown
    openNow: true,
    queue: "waiting",
    selected: null,         // conversation_id on screen
    connection: "connecting",
  };
  const listeners = new Set();
  let scheduled = false;

  // Many socket frames may land at once: the panes redraw once per animation frame.
  function changed() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      for (const fn of listeners) fn(state);
    });
  }

  // What the agent did (a tab, a row) is drawn at once, before the next event.
  function changedNow() {
    for (const fn of listeners) fn(state);
  }

  return {
    state,
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    changed,
    setInbox(data) {
      state.items = new Map((data.handoffs || []).map((item) => [item.conversation_id, item]));
      if (data.me) state.me = data.me;
      if (data.agents_online != null) state.agentsOnline = data.agents_online;
      if (data.open_now != null) state.openNow = Boolean(data.open_now);
      if (data.sla_first_response_s != null) state.slaSeconds = Number(data.sla_first_response_s) || 0;
      changed();
    },
    // A newer hand-off of the same conversation replaces the older one; an older one never
    // overwrites a newer (events may arrive after a reload).
    upsert(item) {
      if (!item || !item.conversation_id) return;
      const known = state.items.get(item.conversation_id);
      if (known && known.handoff_id > item.handoff_id) return;
      // One hand-off only moves forward (waiting or offline, taken, closed): a view of it that
      // arrives late (an event delayed across workers, a reply fetched before a claim) must
      // not take it back, which would switch the reply box off under the agent's fingers.
      if (known && known.handoff_id === item.handoff_id && stage(item) < stage(known)) return;
      state.items.set(item.conversation_id, item);
      changed();
    },
    item(conversationId) { return state.items.get(conversationId) || null; },
    list(queue) {
      return [...state.items.values()].filter((item) => inQueue(queue, item, state.me)).sort(order(queue));
    },
    count(queue) {
      let n = 0;
      for (const item of state.items.values()) if (inQueue(queue, item, state.me)) n += 1;
      return n;
    },
    set(patch) { Object.assign(state, patch); changedNow(); },
    markUnread(conversationId) {
      if (conversationId === state.selected) return;
      state.unread.add(conversationId);
      changed();
    },
  };
}
