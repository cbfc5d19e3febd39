// The widget's conversation state (src/state.js), without a browser: localStorage is a Map.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { createState, persisted } from "../src/state.js";

function memoryStorage(entries = {}) {
  const map = new Map(Object.entries(entries));
  return {
    map,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => { map.set(k, String(v)); },
    removeItem: (k) => { map.delete(k); },
  };
}

function fresh(storage = memoryStorage()) {
  return { storage, state: createState(persisted("aisle:https://shop:", () => storage)) };
}

describe("persisted", () => {
  test("keeps JSON under the prefix", () => {
    const storage = memoryStorage();
    const store = persisted("p:", () => storage);
    store.set("seen", 4);
    assert.equal(storage.map.get("p:seen"), "4");
    assert.equal(store.get("seen"), 4);
    store.del("seen");
    assert.equal(store.get("seen"), null);
  });

  test("forgets quietly when storage throws (privacy modes, quotas)", () => {
    const store = persisted("p:", () => { throw new Error("SecurityError"); });
    store.set("seen", 1);
    store.del("seen");
    assert.equal(store.get("seen"), null);
  });

  test("reads junk as nothing", () => {
    const store = persisted("p:", () => memoryStorage({ "p:seen": "{not json" }));
    assert.equal(store.get("seen"), null);
  });
});

describe("messages by seq", () => {
  test("a message is shown once: a duplicate or replayed seq is ignored", () => {
    const { state } = fresh();
    assert.deepEqual(state.accept({ seq: 1 }), { live: true });
    assert.deepEqual(state.accept({ seq: 2 }), { live: true });
    assert.equal(state.accept({ seq: 2 }), null);
    assert.equal(state.accept({ seq: 1 }), null);
    assert.equal(state.maxSeq, 2);
  });

  test("hello resumes from the last seq shown, with the session the welcome gave", () => {
    const { state, storage } = fresh();
    assert.deepEqual(state.hello(), { type: "hello", last_seq: 0 });
    state.welcome({ type: "welcome", session: "s-1", status: "bot", last_seq: 0, resumed: false });
    assert.equal(storage.map.get("aisle:https://shop:session"), '"s-1"');
    state.accept({ seq: 1 });
    state.accept({ seq: 5 });
    assert.deepEqual(state.hello(), { type: "hello", last_seq: 5, session: "s-1" });
  });

  test("another page resumes the session and replays from the start; what was seen is not live", () => {
    const { state, storage } = fresh();
    state.welcome({ session: "s-1", status: "bot" });
    state.accept({ seq: 1 });
    state.accept({ seq: 2 });
    state.markSeen();
    const next = createState(persisted("aisle:https://shop:", () => storage));
    assert.equal(next.resumable, true);
    assert.deepEqual(next.hello(), { type: "hello", last_seq: 0, session: "s-1" });
    assert.deepEqual(next.accept({ seq: 1 }), { live: false });
    assert.deepEqual(next.accept({ seq: 2 }), { live: false });
    assert.deepEqual(next.accept({ seq: 3 }), { live: true });
  });

  test("markSeen clears the unread count and keeps the highest seq shown", () => {
    const { state, storage } = fresh();
    state.accept({ seq: 3 });
    state.unread = 2;
    state.markSeen();
    assert.equal(state.unread, 0);
    assert.equal(state.seen, 3);
    assert.equal(storage.map.get("aisle:https://shop:seen"), "3");
  });

  test("forget starts afresh but keeps the unacked messages", () => {
    const { state, storage } = fresh();
    state.welcome({ session: "s-1", status: "bot" });
    state.accept({ seq: 4 });
    state.markSeen();
    state.cartItem({ seq: 4, custom: { type: "add_to_cart", item_id: "i" } });
    state.queue("c1", { text: "hi" });
    state.unread = 1;
    state.forget();
    assert.deepEqual([state.maxSeq, state.seen, state.cartSeq, state.unread], [0, 0, 0, 0]);
    assert.deepEqual([...storage.map.keys()], ["aisle:https://shop:pending"]);
    assert.deepEqual(state.hello(), { type: "hello", last_seq: 0 });
  });
});

describe("pending sends", () => {
  test("a message waits until it is acked", () => {
    const { state, storage } = fresh();
    state.queue("c1", { text: "hi" });
    state.queue("c2", { text: "Yes", payload: "/affirm" });
    assert.equal(storage.map.get("aisle:https://shop:pending"), JSON.stringify([["c1", { text: "hi" }], ["c2", { text: "Yes", payload: "/affirm" }]]));
    state.settle("c1");
    assert.deepEqual([...state.pending.keys()], ["c2"]);
    state.settle("c2");
    assert.equal(state.pending.size, 0);
    assert.equal(storage.map.has("aisle:https://shop:pending"), false);
  });

  test("unacked messages survive a reload and go out again after the welcome, with their ids", () => {
    const { state, storage } = fresh();
    state.queue("c1", { text: "hi" });
    state.queue("c2", { text: "Yes", payload: "/affirm" });
    const next = createState(persisted("aisle:https://shop:", () => storage));
    assert.equal(next.resumable, true);
    assert.deepEqual(next.outbox(), [
      { type: "message", client_id: "c1", text: "hi" },
      { type: "message", client_id: "c2", text: "Yes", payload: "/affirm" },
    ]);
  });

  test("the identity goes out first after each welcome", () => {
    const { state } = fresh();
    state.identity = "tok";
    state.queue("c1", { text: "hi" });
    assert.deepEqual(state.outbox().map((f) => f.type), ["identify", "message"]);
  });

  test("nothing to resume on a first visit", () => {
    assert.equal(fresh().state.resumable, false);
    assert.deepEqual(fresh().state.outbox(), []);
  });
});

describe("who answers", () => {
  test("a hand-off shows who is coming, who joined, and goes with the bot", () => {
    const { state } = fresh();
    assert.equal(state.banner(), null);
    state.handoff({ type: "handoff", status: "requested" });
    assert.equal(state.status, "handoff");
    assert.equal(state.banner(), "waiting");
    state.handoff({ type: "handoff", status: "joined", agent: "Dana" });
    assert.equal(state.banner(), "agent");
    assert.equal(state.agentName, "Dana");
    assert.equal(state.setStatus("handoff"), false);
    assert.equal(state.setStatus("bot"), true);
    assert.equal(state.agentName, null);
    assert.equal(state.banner(), null);
  });

  test("the team away asks for an email; once given, no banner", () => {
    const { state } = fresh();
    state.handoff({ type: "handoff", status: "offline", reason: "after_hours" });
    assert.equal(state.banner(), "away");
    state.handoff({ type: "handoff", status: "email" });
    assert.equal(state.banner(), null);
  });

  test("the welcome's status counts as a change only when it is one", () => {
    const { state } = fresh();
    assert.equal(state.welcome({ session: "s", status: "bot" }), false);
    assert.equal(state.welcome({ session: "s", status: "handoff" }), true);
  });
});

test("an add_to_cart goes to the page's cart once, across pages", () => {
  const { state, storage } = fresh();
  const m = { seq: 7, custom: { type: "add_to_cart", item_id: "i1", quantity: 1 } };
  assert.deepEqual(state.cartItem(m), { item_id: "i1", quantity: 1 });
  assert.equal(state.cartItem(m), null);
  const next = createState(persisted("aisle:https://shop:", () => storage));
  assert.equal(next.cartItem(m), null);
  assert.deepEqual(next.cartItem({ ...m, seq: 8 }), { item_id: "i1", quantity: 1 });
});

test("the shopper's typing reaches a person at most every 3 s, and stops once", () => {
  const { state } = fresh();
  assert.equal(state.typingFrame(true, true, 10000), null); // the bot answers: nobody to tell
  state.setStatus("handoff");
  assert.equal(state.typingFrame(true, false, 10000), null); // not welcomed yet
  assert.deepEqual(state.typingFrame(true, true, 10000), { type: "typing", active: true });
  assert.equal(state.typingFrame(true, true, 12999), null);
  assert.deepEqual(state.typingFrame(true, true, 13000), { type: "typing", active: true });
  assert.deepEqual(state.typingFrame(false, true, 13500), { type: "typing", active: false });
  assert.equal(state.typingFrame(false, true, 14000), null);
  state.typingFrame(true, true, 20000);
  state.setStatus("bot");
  assert.equal(state.typingFrame(false, true, 20100), null); // back with the bot: nothing pending
});

test("the open panel is remembered", () => {
  const { state, storage } = fresh();
  assert.equal(state.wasOpen, false);
  state.rememberOpen(true);
  assert.equal(createState(persisted("aisle:https://shop:", () => storage)).wasOpen, true);
});
