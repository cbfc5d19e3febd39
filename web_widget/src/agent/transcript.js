// The conversation as the shopper saw it, drawn with the widget's own renderers (rich.js,
// markdown.js) and stylesheet classes: product cards, order cards, comparisons, sources. The
// shopper's buttons are shown but disabled: the agent reads them, never presses them.
import { LANGUAGES as WIDGET_LANGUAGES } from "../i18n.js";
import { renderMarkdown, safeUrl } from "../markdown.js";
import { button, comparison, el, orderSummary, productCards, sources } from "../rich.js";
import { clock } from "./format.js";

function handoffNotice(custom, text, wt) {
  switch (custom.status) {
    case "requested": return text || wt.handoffRequested;
    case "joined": return wt.joined(custom.agent || wt.supportTeam);
    case "offline": return text || wt.teamAway;
    case "email": return text || wt.emailRecorded;
    default: return text || wt.backWithBot;
  }
}

export function createTranscript({ t, lang }) {
  const wt = WIDGET_LANGUAGES[lang] || WIDGET_LANGUAGES.en;
  const base = location.origin;
  const ctx = { t: wt, lang, base, send: () => {} };
  const log = el("div", "ac-transcript");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", t.transcript);
  log.dataset.testid = "transcript";
  log.tabIndex = 0;
  const nodes = new Map(); // seq -> node

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function body(m, custom) {
    const bubble = el("div", "bubble");
    if (m.role === "agent") bubble.appendChild(el("span", "who", m.author || wt.supportTeam));
    if (m.role === "user") bubble.appendChild(document.createTextNode(m.text));
    else {
      const text = el("div");
      text.appendChild(renderMarkdown(m.text, { base, sources: custom && custom.sources }));
      bubble.appendChild(text);
    }
    return bubble;
  }

  function render(m) {
    const custom = m.custom && typeof m.custom === "object" ? m.custom : null;
    const kind = custom && custom.type;
    const notice = kind === "handoff" || kind === "rating";
    const node = el("div", `aisle-msg aisle-${m.role}${notice ? " aisle-notice" : ""}`);
    node.dataset.seq = String(m.seq);
    node.dataset.role = m.role;
    const label = notice ? "" : t.roles[m.role] || m.role;
    const when = m.created_at ? clock(m.created_at, lang) : "";
    const meta = [label, when].filter(Boolean).join(" · ");
    if (meta) node.appendChild(el("span", "ac-meta", meta));
    if (kind === "handoff") node.appendChild(el("div", "bubble", handoffNotice(custom, m.text, wt)));
    else if (kind === "rating") node.appendChild(el("div", "bubble", m.text || `★ ${custom.score}/5`));
    else if (m.text) node.appendChild(body(m, custom));
    const src = m.image && safeUrl(m.image, base);
    if (src) { const img = el("img"); img.alt = ""; img.src = src; node.appendChild(img); }
    if (kind === "product_cards" && custom.cards && custom.cards.length) node.appendChild(productCards(custom, ctx));
    else if (kind === "product_comparison") node.appendChild(comparison(custom, ctx));
    else if (kind === "order_summary") node.appendChild(orderSummary(custom, ctx));
    else if (kind === "answer" && custom.sources && custom.sources.length) node.appendChild(sources(custom, ctx));
    if (m.buttons && m.buttons.length) {
      const group = el("div", "aisle-replies");
      for (const b of m.buttons) group.appendChild(button(b.title, "aisle-reply"));
      node.appendChild(group);
    }
    // What the shopper could press, shown but inert here; the carousel's arrows still scroll.
    node.querySelectorAll("button").forEach((b) => {
      if (!b.closest(".carousel-nav")) b.disabled = true;
    });
    return node;
  }

  // Adds a message in seq order; a seq already shown is skipped (live frame + reload).
  function add(m) {
    if (!m || m.seq == null || nodes.has(m.seq)) return false;
    const stick = nearBottom();
    const node = render(m);
    nodes.set(m.seq, node);
    let after = null;
    for (const [seq, other] of nodes) if (seq > m.seq && (!after || seq < Number(after.dataset.seq))) after = other;
    log.insertBefore(node, after);
    if (stick || !after) log.scrollTop = log.scrollHeight;
    return true;
  }

  return {
    node: log,
    add,
    set(messages) {
      nodes.clear();
      log.replaceChildren();
      for (const m of messages || []) add(m);
      log.scrollTop = log.scrollHeight;
    },
    scrollDown() { log.scrollTop = log.scrollHeight; },
  };
}
