// A stored message as DOM (`messageNode`), the widget's and the agents' console's alike, with
// the typed payloads of bot messages (`custom`, docs/protocol.md): product cards in a carousel,
// a comparison table, an order card, an answer's sources. Text via textContent only, Markdown
// through markdown.js.
import { renderMarkdown, safeUrl } from "./markdown.js";

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  return node;
}

export function button(label, cls, onClick) {
  const b = el("button", cls, label);
  b.type = "button";
  if (onClick) b.addEventListener("click", onClick);
  return b;
}

export function money(value, lang) {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value ?? "");
  try {
    return new Intl.NumberFormat(lang, { style: "currency", currency: "USD" }).format(n);
  } catch {
    return `$${n.toFixed(2)}`;
  }
}

function optionText(options) {
  return Object.values(options || {}).filter((v) => v != null && v !== "").join(" · ");
}

// One product card. `ctx.send(text, payload)` sends a button's payload.
function card(item, ctx) {
  const { t } = ctx;
  const li = el("li", "aisle-card");
  const art = el("div", "card-art");
  art.setAttribute("aria-hidden", "true");
  const src = item.image && safeUrl(item.image, ctx.base);
  if (src) {
    const img = el("img");
    img.alt = "";
    img.src = src;
    img.loading = "lazy";
    art.appendChild(img);
  } else {
    art.textContent = String(item.name || "?").trim().charAt(0).toUpperCase();
  }
  const body = el("div", "card-body");
  body.appendChild(el("p", "aisle-card-name", item.name));
  const options = optionText(item.options);
  if (options) body.appendChild(el("p", "card-options", options));
  body.appendChild(el("p", "aisle-card-price", money(item.price, ctx.lang)));
  const stock = el("p", `card-stock${item.available ? "" : " out"}`, item.available ? t.inStock : t.outOfStock);
  body.appendChild(stock);
  if (item.reason) body.appendChild(el("p", "card-reason", item.reason));
  const buttons = el("div", "card-buttons");
  const label = options ? `${item.name} (${options})` : item.name;
  for (const b of item.buttons || []) {
    const isCart = /^\/add_to_cart\b/.test(b.payload || "");
    const btn = button(b.title, isCart ? "primary" : null, () => ctx.send(`${b.title}: ${label}`, b.payload));
    btn.setAttribute("aria-label", `${b.title}: ${label}`);
    if (isCart && !item.available) btn.disabled = true;
    buttons.appendChild(btn);
  }
  body.appendChild(buttons);
  li.append(art, body);
  return li;
}

export function productCards(custom, ctx) {
  const { t } = ctx;
  const wrap = el("div", "aisle-carousel");
  const list = el("ul", "aisle-cards");
  list.setAttribute("role", "list");
  list.setAttribute("aria-label", t.products);
  for (const item of custom.cards || []) list.appendChild(card(item, ctx));
  wrap.appendChild(list);
  const count = (custom.cards || []).length;
  if (count > 1 || custom.total > count) {
    const nav = el("div", "carousel-nav");
    const prev = button("‹", null, () => list.scrollBy({ left: -210 }));
    prev.setAttribute("aria-label", t.previous);
    const next = button("›", null, () => list.scrollBy({ left: 210 }));
    next.setAttribute("aria-label", t.next);
    let caption = "";
    if (custom.nearest) caption = t.nearest;
    else if (custom.total) caption = t.matches(custom.shown || count, custom.total);
    nav.append(prev, el("span", null, caption), next);
    wrap.appendChild(nav);
  }
  return wrap;
}

export function comparison(custom, ctx) {
  const { t } = ctx;
  const box = el("div", "aisle-compare");
  const table = el("table");
  table.appendChild(el("caption", "sr-only", t.compare));
  const head = el("tr");
  const corner = el("th", null, t.feature);
  corner.scope = "col";
  head.appendChild(corner);
  for (const item of custom.items || []) {
    const th = el("th", null, item.name);
    th.scope = "col";
    head.appendChild(th);
  }
  const thead = el("thead");
  thead.appendChild(head);
  const tbody = el("tbody");
  const labels = { price: t.price, availability: t.availability };
  for (const row of custom.rows || []) {
    const tr = el("tr", row.differs ? "differs" : null);
    const th = el("th", null, labels[row.label] || row.label);
    th.scope = "row";
    tr.appendChild(th);
    for (const value of row.values || []) {
      let text = value;
      if (row.label === "price") text = money(value, ctx.lang);
      else if (row.label === "availability" && typeof value === "boolean") text = value ? t.inStock : t.outOfStock;
      tr.appendChild(el("td", null, text == null ? "—" : String(text)));
    }
    tbody.appendChild(tr);
  }
  table.append(thead, tbody);
  box.appendChild(table);
  return box;
}

export function orderSummary(custom, ctx) {
  const { t } = ctx;
  const box = el("div", "aisle-order");
  box.appendChild(el("h3", null, `${t.order} ${custom.order_id || ""}`.trim()));
  const dl = el("dl");
  const row = (label, value) => {
    if (value == null || value === "" || (Array.isArray(value) && !value.length)) return;
    dl.append(el("dt", null, label), el("dd", null, Array.isArray(value) ? value.join(", ") : String(value)));
  };
  row(t.status, custom.status);
  row(t.total, custom.total != null ? money(custom.total, ctx.lang) : null);
  row(t.shipTo, custom.address);
  row(t.tracking, custom.tracking_ids);
  box.appendChild(dl);
  if (custom.items && custom.items.length) {
    const ul = el("ul");
    for (const item of custom.items) {
      const options = optionText(item.options);
      ul.appendChild(el("li", null, `${item.name}${options ? ` (${options})` : ""} — ${money(item.price, ctx.lang)}`));
    }
    box.appendChild(ul);
  }
  return box;
}

export function sources(custom, ctx) {
  const list = el("ol", "aisle-sources");
  list.setAttribute("aria-label", ctx.t.sources);
  (custom.sources || []).forEach((source, i) => {
    const li = el("li");
    const href = source.link && safeUrl(source.link, ctx.base);
    const label = `[${i + 1}] ${source.title || ""}${source.section ? ` — ${source.section}` : ""}`;
    if (href) {
      const a = el("a", null, label);
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      li.appendChild(a);
    } else {
      li.textContent = label;
    }
    list.appendChild(li);
  });
  return list;
}

export function ratingPrompt(ctx, onRate) {
  const { t } = ctx;
  const box = el("div", "aisle-rating");
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", t.rateQuestion);
  box.appendChild(el("p", null, t.rateQuestion));
  for (let n = 1; n <= 5; n += 1) {
    const b = button("★", null, () => onRate(n));
    b.setAttribute("aria-label", t.rate(n));
    box.appendChild(b);
  }
  return box;
}

function handoffNotice(t, custom, text) {
  if (custom.status === "requested") return text || t.handoffRequested;
  if (custom.status === "joined") return t.joined(custom.agent || t.supportTeam);
  if (custom.status === "offline") return text || t.teamAway;
  if (custom.status === "email") return text || t.emailRecorded;
  return text || t.backWithBot;
}

// A message's text: the shopper's as typed, anyone else's as Markdown, an agent's under a name.
function textBubble(m, custom, ctx, agentName) {
  const bubble = el("div", "bubble");
  if (m.role === "agent") bubble.appendChild(el("span", "who", m.author || agentName || ctx.t.supportTeam));
  if (m.role === "user") bubble.appendChild(document.createTextNode(m.text));
  else {
    const text = el("div");
    text.appendChild(renderMarkdown(m.text, { base: ctx.base, sources: custom && custom.sources }));
    bubble.appendChild(text);
  }
  return bubble;
}

/*
 * One stored message as the shopper sees it: `.aisle-msg` (a notice for a hand-off or a
 * rating) with its text, its image, its typed payload and its quick replies (`.aisle-replies`).
 * custom: m.custom or null; kind: its type. opts: agentName, the name on an agent's message
 * without an author (else t.supportTeam); bubble, a node shown in place of the text;
 * onReply(b), a quick reply pressed (none: its buttons do nothing).
 */
export function messageNode(m, custom, kind, ctx, { agentName, bubble, onReply } = {}) {
  const notice = kind === "handoff" || kind === "rating";
  const node = el("div", `aisle-msg aisle-${m.role}${notice ? " aisle-notice" : ""}`);
  node.dataset.seq = String(m.seq);
  if (bubble) node.appendChild(bubble);
  else if (kind === "handoff") node.appendChild(el("div", "bubble", handoffNotice(ctx.t, custom, m.text)));
  else if (m.text) node.appendChild(textBubble(m, custom, ctx, agentName));
  const src = m.image && safeUrl(m.image, ctx.base);
  if (src) { const img = el("img"); img.alt = ""; img.src = src; node.appendChild(img); }
  if (kind === "product_cards" && custom.cards && custom.cards.length) node.appendChild(productCards(custom, ctx));
  else if (kind === "product_comparison") node.appendChild(comparison(custom, ctx));
  else if (kind === "order_summary") node.appendChild(orderSummary(custom, ctx));
  else if (kind === "answer" && custom.sources && custom.sources.length) node.appendChild(sources(custom, ctx));
  if (m.buttons && m.buttons.length) {
    const group = el("div", "aisle-replies");
    for (const b of m.buttons) group.appendChild(button(b.title, "aisle-reply", onReply && (() => onReply(b))));
    node.appendChild(group);
  }
  return node;
}
