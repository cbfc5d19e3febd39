// The conversation as the shopper saw it, drawn with the widget's own renderers (rich.js,
// markdown.js) and stylesheet classes: product cards, order cards, comparisons, sources. The
// shopper's buttons are shown but disabled: the agent reads them, never presses them.
import { LANGUAGES as WIDGET_LANGUAGES } from "../i18n.js";
import { el, messageNode } from "../rich.js";
import { clock } from "./format.js";

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

  function render(m) {
    const custom = m.custom && typeof m.custom === "object" ? m.custom : null;
    const kind = custom && custom.type;
    const bubble = kind === "rating" ? el("div", "bubble", m.text || `★ ${custom.score}/5`) : null;
    const node = messageNode(m, custom, kind, ctx, { bubble });
    node.dataset.role = m.role;
    const label = kind === "handoff" || kind === "rating" ? "" : t.roles[m.role] || m.role;
    const when = m.created_at ? clock(m.created_at, lang) : "";
    const meta = [label, when].filter(Boolean).join(" · ");
    if (meta) node.prepend(el("span", "ac-meta", meta));
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
