// The widget's connection (src/connection.js) against a fake WebSocket and fake timers; and the
// connection wired to the state as the widget wires them (src/widget.js's welcome and ack).
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { backoff, createConnection, messageFrame, newClientId, PING_MS } from "../src/connection.js";
import { createState, persisted } from "../src/state.js";

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  static get last() { return FakeSocket.all[FakeSocket.all.length - 1]; }
  send(data) { this.sent.push(JSON.parse(data)); }
  open() { this.readyState = 1; this.onopen(); }
  receive(frame) { this.onmessage({ data: typeof frame === "string" ? frame : JSON.stringify(frame) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose({ code }); }
  close() { this.drop(1000); }
}

function fakeTimers() {
  let next = 1;
  const timeouts = new Map();
  const intervals = new Map();
  return {
    timeouts,
    intervals,
    setTimeout: (fn, ms) => { timeouts.set(next, { fn, ms }); return next++; },
    clearTimeout: (id) => { timeouts.delete(id); },
    setInterval: (fn, ms) => { intervals.set(next, { fn, ms }); return next++; },
    clearInterval: (id) => { intervals.delete(id); },
    // Runs the one pending timeout (the reconnect) and returns its delay.
    fire() {
      assert.equal(timeouts.size, 1, "one timer pending");
      const [[id, { fn, ms }]] = timeouts;
      timeouts.delete(id);
      fn();
      return ms;
    },
  };
}

function setup(options = {}) {
  const timers = fakeTimers();
  const log = { frames: [], states: [], drops: 0 };
  const conn = createConnection({
    url: "wss://shop/ws/chat",
    hello: () => ({ type: "hello", last_seq: 0 }),
    onFrame: (f) => log.frames.push(f),
    onState: (s) => log.states.push(s),
    onDrop: () => { log.drops += 1; },
    WebSocket: FakeSocket,
    timers,
    random: () => 0.5, // no jitter
    ...options,
  });
  return { conn, timers, log };
}

const welcome = { type: "welcome", session: "s-1", status: "bot", last_seq: 0, resumed: false };

beforeEach(() => { FakeSocket.all = []; });

describe("connection", () => {
  test("says hello on open and is ready once welcomed, with a ping every 25 s", () => {
    const { conn, timers, log } = setup();
    conn.connect();
    assert.equal(FakeSocket.last.url, "wss://shop/ws/chat");
    assert.deepEqual(log.states, ["connecting"]);
    conn.connect(); // already connecting: no second socket
    assert.equal(FakeSocket.all.length, 1);
    FakeSocket.last.open();
    assert.deepEqual(FakeSocket.last.sent, [{ type: "hello", last_seq: 0 }]);
    assert.equal(conn.ready, false);
    FakeSocket.last.receive(welcome);
    assert.equal(conn.ready, true);
    assert.deepEqual(log.states, ["connecting", "live"]);
    assert.deepEqual(log.frames, [welcome]);
    const [{ fn, ms }] = timers.intervals.values();
    assert.equal(ms, PING_MS);
    fn();
    assert.deepEqual(FakeSocket.last.sent.at(-1), { type: "ping" });
  });

  test("ignores frames that are not JSON and sends nothing on a closed socket", () => {
    const { conn, log } = setup();
    conn.send({ type: "ping" }); // no socket yet
    conn.connect();
    conn.send({ type: "ping" }); // still connecting
    FakeSocket.last.open();
    FakeSocket.last.receive("not json");
    assert.deepEqual(log.frames, []);
    assert.deepEqual(FakeSocket.last.sent, [{ type: "hello", last_seq: 0 }]);
  });

  test("reconnects after a drop with a growing back-off, reset by a welcome", () => {
    const { conn, timers, log } = setup();
    conn.connect();
    FakeSocket.last.open();
    FakeSocket.last.receive(welcome);
    FakeSocket.last.drop();
    assert.equal(conn.ready, false);
    assert.equal(log.drops, 1);
    assert.equal(timers.intervals.size, 0, "no ping on a dead socket");
    assert.equal(log.states.at(-1), "reconnecting");
    assert.equal(timers.fire(), 500);
    assert.equal(FakeSocket.all.length, 2);
    FakeSocket.last.drop();
    assert.equal(timers.fire(), 1000);
    FakeSocket.last.drop();
    assert.equal(timers.fire(), 2000);
    FakeSocket.last.open();
    FakeSocket.last.receive(welcome);
    FakeSocket.last.drop();
    assert.equal(timers.fire(), 500);
  });

  test("the back-off tops out at 10 s, ±25 %", () => {
    assert.equal(backoff(0, () => 0.5), 500);
    assert.equal(backoff(10, () => 0.5), 10000);
    assert.equal(backoff(10, () => 0), 7500);
    assert.equal(backoff(10, () => 1), 12500);
  });

  test("a refused origin (4403) stops it for good", () => {
    const { conn, timers, log } = setup();
    conn.connect();
    FakeSocket.last.drop(4403);
    assert.equal(log.states.at(-1), "unavailable");
    assert.equal(timers.timeouts.size, 0);
    conn.connect();
    conn.retryNow();
    assert.equal(FakeSocket.all.length, 1);
  });

  test("stop() (origin_not_allowed) refuses to connect again", () => {
    const { conn, log } = setup();
    conn.stop();
    conn.connect();
    assert.equal(FakeSocket.all.length, 0);
    assert.deepEqual(log.states, ["unavailable"]);
  });

  test("a socket that was replaced is not heard closing", () => {
    const { conn, timers, log } = setup();
    conn.connect();
    const first = FakeSocket.last;
    first.drop();
    timers.fire();
    first.onclose({ code: 1006 });
    assert.equal(log.drops, 1);
    assert.equal(timers.timeouts.size, 0);
  });

  test("back online, it tries at once; restart() drops the socket and comes back quickly", () => {
    const { conn, timers } = setup();
    conn.connect();
    FakeSocket.last.drop();
    conn.retryNow();
    assert.equal(FakeSocket.all.length, 2);
    assert.equal(timers.timeouts.size, 0, "the pending retry was cancelled");
    FakeSocket.last.open();
    FakeSocket.last.receive(welcome);
    conn.retryNow(); // ready: nothing to do
    assert.equal(FakeSocket.all.length, 2);
    conn.restart();
    assert.equal(timers.fire(), 500);
    assert.equal(FakeSocket.all.length, 3);
  });
});

test("client ids are unique", () => {
  const ids = new Set(Array.from({ length: 100 }, newClientId));
  assert.equal(ids.size, 100);
  for (const id of ids) assert.ok(id.length >= 1 && id.length <= 64);
});

test("a message frame carries the payload only when there is one", () => {
  assert.deepEqual(messageFrame("c1", { text: "hi" }), { type: "message", client_id: "c1", text: "hi" });
  assert.deepEqual(messageFrame("c2", { text: "Yes", payload: "/affirm" }),
    { type: "message", client_id: "c2", text: "Yes", payload: "/affirm" });
});

describe("connection and state together", () => {
  // As src/widget.js wires them: hello from the state, the outbox after each welcome, acks
  // settle, messages accepted by seq.
  function wired() {
    const storage = new Map();
    const store = persisted("aisle:x:", () => ({
      getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v), removeItem: (k) => storage.delete(k),
    }));
    const state = createState(store);
    const shown = [];
    const { conn, timers } = setup({
      hello: () => state.hello(),
      onFrame(f) {
        if (f.type === "welcome") { state.welcome(f); for (const frame of state.outbox()) conn.send(frame); }
        if (f.type === "ack") state.settle(f.client_id);
        if (f.type === "message" && state.accept(f)) shown.push(f.seq);
      },
    });
    const queue = (id, item) => {
      state.queue(id, item);
      if (conn.ready) conn.send(messageFrame(id, item)); else conn.connect();
    };
    return { state, conn, timers, shown, queue };
  }

  test("a message sent before a drop and never acked is resent with its id; the replay shows nothing twice", () => {
    const { state, conn, timers, shown, queue } = wired();
    conn.connect();
    FakeSocket.last.open();
    FakeSocket.last.receive(welcome);
    queue("c1", { text: "hi" });
    assert.deepEqual(FakeSocket.last.sent.at(-1), { type: "message", client_id: "c1", text: "hi" });
    FakeSocket.last.receive({ type: "message", seq: 1, role: "user", client_id: "c0", text: "earlier" });
    FakeSocket.last.drop(); // before the ack
    assert.equal(timers.timeouts.size, 1, "a reconnect is planned");
    queue("c2", { text: "still there?" }); // while down: kept, and it reconnects at once
    assert.deepEqual([...state.pending.keys()], ["c1", "c2"]);
    assert.equal(timers.timeouts.size, 0);
    assert.equal(FakeSocket.all.length, 2);
    const socket = FakeSocket.last;
    socket.open();
    assert.deepEqual(socket.sent, [{ type: "hello", last_seq: 1, session: "s-1" }]);
    socket.receive({ ...welcome, last_seq: 1, resumed: true });
    assert.deepEqual(socket.sent.slice(1), [
      { type: "message", client_id: "c1", text: "hi" },
      { type: "message", client_id: "c2", text: "still there?" },
    ]);
    socket.receive({ type: "ack", client_id: "c1", seq: 2, duplicate: true });
    socket.receive({ type: "message", seq: 1, role: "user", client_id: "c0", text: "earlier" });
    socket.receive({ type: "message", seq: 2, role: "user", client_id: "c1", text: "hi" });
    assert.deepEqual([...state.pending.keys()], ["c2"]);
    assert.deepEqual(shown, [1, 2]);
  });
});
