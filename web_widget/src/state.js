// What the widget knows of the conversation, without the DOM: the seqs shown, seen and handed
// to the page's cart, the unread count, who answers (bot or a person, and whether the team is
// away), the shopper's messages not yet acknowledged, and the store's customer token. The
// session token, `seen`, the cart's seq, the unacked messages and whether the panel is open are
// kept in localStorage (through `persisted`), so a reload or another page resumes the chat.
import { helloFrame, messageFrame } from "./connection.js";

export const TYPING_EVERY_MS = 3000;

// localStorage under `prefix`. It can throw (privacy modes, quotas): the widget then just
// forgets on reload. `storage` is looked up on each use, inside the try.
export function persisted(prefix, storage = () => localStorage) {
  return {
    get(name) { try { return JSON.parse(storage().getItem(prefix + name)); } catch { return null; } },
    set(name, value) { try { storage().setItem(prefix + name, JSON.stringify(value)); } catch { /* ignore */ } },
    del(name) { try { storage().removeItem(prefix + name); } catch { /* ignore */ } },
  };
}

export function createState(store) {
  const pending = new Map(store.get("pending") || []); // client_id -> {text, payload}

  function savePending() {
    if (pending.size) store.set("pending", [...pending]); else store.del("pending");
  }

  const state = {
    maxSeq: 0,                      // highest seq shown in this page
    seen: store.get("seen") || 0,   // highest seq the shopper has seen (panel open)
    cartSeq: store.get("cart") || 0, // highest add_to_cart seq handed to the page
    unread: 0,
    status: "bot",
    agentName: null,
    away: null,                     // "offline": the team is away, asking for an email; "email": it is in
    identity: null,                 // the store's signed customer token, sent after each welcome
    typingSent: 0,                  // when the shopper's last `typing: true` went out (0: none pending)
    pending,

    // A conversation to resume: a session from an earlier page, or messages still unacked.
    get resumable() { return Boolean(store.get("session")) || pending.size > 0; },
    get wasOpen() { return Boolean(store.get("open")); },
    rememberOpen(open) { store.set("open", open); },

    // Resume from the last seq shown: the server replays only what comes after it.
    hello() { return helloFrame(store.get("session"), state.maxSeq); },

    // The server's welcome: keep its session; true when who answers changed.
    welcome(frame) {
      store.set("session", frame.session);
      return state.setStatus(frame.status);
    },

    // What goes out after each welcome: the identity, then every message not yet acked, with
    // its original client_id (the server dedupes a message it already stored).
    outbox() {
      const frames = state.identity ? [{ type: "identify", token: state.identity }] : [];
      for (const [id, item] of pending) frames.push(messageFrame(id, item));
      return frames;
    },

    queue(clientId, item) { pending.set(clientId, item); savePending(); },
    // Acked (stored), or refused with an error: either way no longer to resend.
    settle(clientId) { pending.delete(clientId); savePending(); },

    // A `message` frame: null when its seq was already shown (a replay after a reconnect, a
    // frame seen twice); else it becomes the last seq shown, `live` when the shopper has not
    // seen it yet.
    accept(message) {
      if (message.seq <= state.maxSeq) return null;
      state.maxSeq = message.seq;
      return { live: message.seq > state.seen };
    },

    // True when it changed. Back with the bot, there is no person and nobody to tell of typing.
    setStatus(next) {
      if (next === state.status) return false;
      state.status = next;
      if (next !== "handoff") { state.agentName = null; state.away = null; state.typingSent = 0; }
      return true;
    },

    // A hand-off notice (`custom.type` "handoff") and what it says about who answers.
    handoff(custom) {
      if (custom.status === "joined") { state.agentName = custom.agent || null; state.away = null; }
      if (custom.status === "requested") { state.away = null; state.setStatus("handoff"); }
      if (custom.status === "offline") { state.away = "offline"; state.setStatus("handoff"); }
      if (custom.status === "email") state.away = "email";
    },

    // The banner over the log: null (none), "agent" (state.agentName), "away" or "waiting".
    banner() {
      if (state.status !== "handoff" || (state.away === "email" && !state.agentName)) return null;
      if (state.agentName) return "agent";
      return state.away === "offline" ? "away" : "waiting";
    },

    // An add_to_cart message goes to the page's cart once, whichever page is open when it
    // arrives: its detail the first time, else null.
    cartItem(message) {
      if (message.seq <= state.cartSeq) return null;
      state.cartSeq = message.seq;
      store.set("cart", state.cartSeq);
      const detail = { ...message.custom };
      delete detail.type;
      return detail;
    },

    markSeen() {
      state.unread = 0;
      if (state.maxSeq > state.seen) { state.seen = state.maxSeq; store.set("seen", state.seen); }
    },

    // The conversation is gone (unknown session, another customer): start afresh. Unacked
    // messages stay, to go into the new conversation.
    forget() {
      store.del("session");
      store.del("seen");
      store.del("cart");
      state.seen = state.maxSeq = state.cartSeq = 0;
      state.unread = 0;
    },

    // While a person answers, they see the shopper typing: `true` at most every 3 s while the
    // shopper types, `false` once the message is sent or the input emptied. The frame to send
    // (`ready`: the socket is welcomed), or null.
    typingFrame(active, ready, now) {
      if (active) {
        if (state.status !== "handoff" || !ready) return null;
        if (now - state.typingSent < TYPING_EVERY_MS) return null;
        state.typingSent = now;
        return { type: "typing", active: true };
      }
      if (!state.typingSent) return null;
      state.typingSent = 0;
      return { type: "typing", active: false };
    },
  };
  return state;
}
