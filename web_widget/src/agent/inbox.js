// The inbox: a tablist of the five queues with their counts, and the rows of the chosen
// queue. Rows are kept by conversation and updated in place, so a live update never steals
// the keyboard focus; waits tick every second.
import { el } from "../rich.js";
import { duration, slaBreached, waitedSeconds } from "./format.js";
import { QUEUES } from "./store.js";

export function createInbox({ t, store, onSelect }) {
  const nav = el("nav", "ac-inbox");
  nav.setAttribute("aria-labelledby", "ac-inbox-h");
  const heading = el("h2", "ac-inbox-h", t.inbox);
  heading.id = "ac-inbox-h";
  const tablist = el("div", "ac-tabs");
  tablist.setAttribute("role", "tablist");
  tablist.setAttribute("aria-label", t.inbox);
  const panel = el("div", "ac-tabpanel");
  panel.id = "ac-inbox-panel";
  panel.setAttribute("role", "tabpanel");
  const list = el("ul", "ac-rows");
  const empty = el("p", "ac-empty");
  panel.append(list, empty);
  nav.append(heading, tablist, panel);

  const tabs = new Map();
  for (const queue of QUEUES) {
    const tab = el("button", "ac-tab");
    tab.type = "button";
    tab.id = `ac-tab-${queue}`;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panel.id);
    tab.dataset.testid = `tab-${queue}`;
    tab.dataset.queue = queue;
    const count = el("span", "ac-count", "0");
    tab.append(el("span", null, t.tabs[queue]), document.createTextNode(" "), count);
    tab.addEventListener("click", () => choose(queue));
    tabs.set(queue, { tab, count });
    tablist.appendChild(tab);
  }

  // Arrow keys, Home and End move between tabs and show that queue (automatic activation).
  tablist.addEventListener("keydown", (e) => {
    const i = QUEUES.indexOf(store.state.queue);
    let next = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") next = QUEUES[(i + 1) % QUEUES.length];
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = QUEUES[(i - 1 + QUEUES.length) % QUEUES.length];
    else if (e.key === "Home") next = QUEUES[0];
    else if (e.key === "End") next = QUEUES[QUEUES.length - 1];
    if (!next) return;
    e.preventDefault();
    choose(next);
    tabs.get(next).tab.focus();
  });

  function choose(queue) {
    store.set({ queue });
  }

  const rows = new Map(); // conversation_id -> {li, button, wait}

  function rowFor(item) {
    let row = rows.get(item.conversation_id);
    if (!row) {
      const li = el("li");
      const b = el("button", "ac-row");
      b.type = "button";
      b.dataset.testid = "inbox-row";
      b.dataset.conversation = item.conversation_id;
      b.addEventListener("click", () => onSelect(item.conversation_id));
      li.appendChild(b);
      row = { li, button: b, wait: null };
      rows.set(item.conversation_id, row);
    }
    return row;
  }

  function waitText(item) {
    const d = duration(waitedSeconds(item), t);
    return item.status === "requested" ? t.waitingFor(d) : t.waited(d);
  }

  function fill(row, item, state) {
    const me = state.me;
    const customer = item.customer && item.customer.name;
    const top = el("span", "ac-row-top");
    const wait = el("span", "ac-row-wait", waitText(item));
    top.append(el("span", "ac-row-name", customer || t.guest), wait);
    const reason = el("span", "ac-row-reason", item.reason || t.noReason);
    const meta = el("span", "ac-row-meta");
    const holder = item.agent
      ? t.heldBy(me && item.agent_id === me.id ? t.you : item.agent)
      : item.status === "offline" ? t.offlineReasons[item.offline_reason] || t.statuses.offline : t.unassigned;
    meta.appendChild(el("span", null, holder));
    if (item.status === "released" || item.status === "resolved") meta.appendChild(el("span", "ac-pill", t.statuses[item.status]));
    row.breached = slaBreached(item, state.slaSeconds);
    if (row.breached) {
      const sla = el("span", "ac-pill ac-sla", t.slaBreached);
      sla.dataset.testid = "sla-breached";
      meta.appendChild(sla);
    }
    if (state.unread.has(item.conversation_id)) meta.appendChild(el("span", "ac-pill ac-new", t.newMessage));
    const parts = [top, reason, meta];
    if (item.email) parts.push(el("span", "ac-row-email", item.email));
    row.button.replaceChildren(...parts);
    row.wait = wait;
    row.item = item;
    if (item.conversation_id === state.selected) row.button.setAttribute("aria-current", "true");
    else row.button.removeAttribute("aria-current");
  }

  function render(state) {
    for (const queue of QUEUES) {
      const { tab, count } = tabs.get(queue);
      const selected = queue === state.queue;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      count.textContent = String(store.count(queue));
      if (selected) panel.setAttribute("aria-labelledby", tab.id);
    }
    const items = store.list(state.queue);
    const keep = new Set(items.map((item) => item.conversation_id));
    for (const [id, row] of rows) if (!keep.has(id)) { row.li.remove(); rows.delete(id); }
    let previous = null;
    for (const item of items) {
      const row = rowFor(item);
      fill(row, item, state);
      const wanted = previous ? previous.nextSibling : list.firstChild;
      if (wanted !== row.li) list.insertBefore(row.li, wanted);
      previous = row.li;
    }
    empty.textContent = t.empty[state.queue];
    empty.hidden = items.length > 0;
    list.hidden = items.length === 0;
  }

  return {
    node: nav,
    render,
    tick() {
      for (const row of rows.values()) {
        if (!row.item || row.item.status !== "requested") continue;
        if (slaBreached(row.item, store.state.slaSeconds) !== row.breached) fill(row, row.item, store.state);
        else row.wait.textContent = waitText(row.item);
      }
    },
    focusSelected(id) {
      const row = rows.get(id);
      if (row) row.button.focus();
      else tabs.get(store.state.queue).tab.focus();
    },
  };
}
