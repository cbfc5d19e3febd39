// The right-hand pane: who the shopper is, their recent orders, what they searched for and
// were suggested, and the team's internal notes with a composer of their own, coloured apart
// from the reply so nobody mistakes one for the other.
import { el, money } from "../rich.js";
import { clock } from "./format.js";

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

function section(title, testid) {
  const box = el("section", "ac-card");
  const id = nextId("ac-h");
  const h = el("h3", null, title);
  h.id = id;
  box.setAttribute("aria-labelledby", id);
  if (testid) box.dataset.testid = testid;
  box.appendChild(h);
  return box;
}

function definitions(rows) {
  const dl = el("dl", "ac-dl");
  for (const [label, value] of rows) {
    if (value == null || value === "") continue;
    dl.append(el("dt", null, label), el("dd", null, String(value)));
  }
  return dl;
}

// A raw value (the search and suggestion state) as one short line of text.
export function compact(value, depth = 0) {
  if (value == null) return "";
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) {
    const parts = value.slice(0, 5).map((v) => compact(v, depth + 1)).filter(Boolean);
    return parts.join(", ") + (value.length > 5 ? ` … (+${value.length - 5})` : "");
  }
  const named = value.name || value.title || value.id || value.product_id;
  if (named && depth > 0) return String(named);
  if (depth > 1) return "…";
  const text = Object.entries(value)
    .filter(([, v]) => v != null && v !== "" && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => `${k}: ${compact(v, depth + 1)}`)
    .join("; ");
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

export function createContextPane({ t, lang, onAddNote }) {
  const pane = el("div", "ac-context-body");
  const customerBox = section(t.customer, "customer");
  const ordersBox = section(t.orders, "orders");
  const searchBox = section(t.search, "search");
  const notesBox = section(t.notes, "notes");
  notesBox.classList.add("ac-notes");
  const noteList = el("ol", "ac-note-list");
  const noteEmpty = el("p", "ac-muted", t.noNotes);
  const noteForm = el("form", "ac-note-form");
  const noteInputId = nextId("ac-note");
  const noteLabel = el("label", "ac-note-label", t.noteWarning);
  noteLabel.htmlFor = noteInputId;
  const noteInput = el("textarea", "ac-textarea");
  noteInput.id = noteInputId;
  noteInput.rows = 2;
  noteInput.maxLength = 4000;
  noteInput.dataset.testid = "note-input";
  const noteSend = el("button", "ac-btn ac-btn-note", t.addNote);
  noteSend.type = "submit";
  noteSend.dataset.testid = "note-send";
  const noteError = el("p", "ac-error");
  noteError.setAttribute("role", "alert");
  noteError.hidden = true;
  const noteActions = el("div", "ac-row-end");
  noteActions.appendChild(noteSend);
  noteForm.append(noteLabel, noteInput, noteActions, noteError);
  notesBox.append(noteEmpty, noteList, noteForm);
  pane.append(customerBox, ordersBox, searchBox, notesBox);
  const noteIds = new Set();

  async function submitNote() {
    const text = noteInput.value.trim();
    if (!text) { noteInput.focus(); return; }
    noteSend.disabled = true;
    noteError.hidden = true;
    try {
      const note = await onAddNote(text);
      noteInput.value = "";
      addNote(note);
    } catch (err) {
      noteError.textContent = t.notSent(err.message || t.error);
      noteError.hidden = false;
    } finally {
      noteSend.disabled = false;
      noteInput.focus();
    }
  }
  noteForm.addEventListener("submit", (e) => { e.preventDefault(); submitNote(); });
  noteInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submitNote(); }
  });

  function addNote(note) {
    if (!note || noteIds.has(note.id)) return;
    noteIds.add(note.id);
    const li = el("li", "ac-note");
    li.dataset.testid = "note";
    li.append(
      el("span", "ac-meta", [note.author, note.created_at ? clock(note.created_at, lang) : ""].filter(Boolean).join(" · ")),
      el("p", "ac-note-text", note.text),
    );
    noteList.appendChild(li);
    noteEmpty.hidden = true;
  }

  function showCustomer(context, item) {
    const customer = context && context.customer;
    const rows = customer
      ? [[t.name, customer.name], [t.email, customer.email], [t.address, customer.address]]
      : [];
    const body = customer ? definitions(rows) : el("p", "ac-muted", t.notSignedIn);
    const email = item && item.email;
    const extra = email ? definitions([[t.offlineEmail, email]]) : null;
    customerBox.replaceChildren(customerBox.firstChild, body, ...(extra ? [extra] : []));
  }

  function showOrders(context) {
    const orders = (context && context.orders) || [];
    const kids = [ordersBox.firstChild];
    if (!orders.length) kids.push(el("p", "ac-muted", t.noOrders));
    else {
      const ul = el("ul", "ac-orders");
      for (const order of orders) {
        const li = el("li");
        const head = el("div", "ac-order-head");
        head.append(el("strong", null, `${t.order} ${order.id}`), el("span", `ac-pill ac-order-${String(order.status || "").replace(/\W/g, "")}`, order.status || ""));
        li.appendChild(head);
        const items = (order.items || []).map((i) => (typeof i === "string" ? i : i && i.name)).filter(Boolean);
        const line = [order.total != null ? money(order.total, lang) : "", items.join(", ")].filter(Boolean).join(" · ");
        if (line) li.appendChild(el("p", "ac-muted", line));
        ul.appendChild(li);
      }
      kids.push(ul);
    }
    ordersBox.replaceChildren(...kids);
  }

  function showSearch(context) {
    const search = context && context.search;
    const offer = context && context.offer;
    const rows = [];
    if (search) {
      rows.push([t.query, search.query], [t.filters, compact(search.filters)]);
      const shown = Array.isArray(search.shown) ? search.shown : [];
      if (shown.length) rows.push([t.shown, `${shown.length}: ${compact(shown, 1)}`]);
    }
    if (offer) rows.push([t.offer, compact(offer)]);
    const body = rows.some(([, v]) => v) ? definitions(rows) : el("p", "ac-muted", t.noSearch);
    searchBox.replaceChildren(searchBox.firstChild, body);
  }

  return {
    node: pane,
    show({ context, item }) {
      showCustomer(context, item);
      showOrders(context);
      showSearch(context);
    },
    setNotes(notes) {
      noteIds.clear();
      noteList.replaceChildren();
      noteEmpty.hidden = false;
      for (const note of notes || []) addNote(note);
    },
    addNote,
    focusNote() { noteInput.focus(); },
  };
}
