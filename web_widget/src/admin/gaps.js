// The gaps: what shoppers asked that the assistant could not answer (or answered with low
// confidence), grouped by meaning, most asked first. Every read asks each gap again of the
// documents as they are now, so "Re-test" is a reload: a gap they answer is closed. "Write an
// answer" opens the editor on a new document titled with the question, or on a chosen one.
import { button, el } from "../rich.js";
import { when } from "./format.js";
import { badge, loadState, pageHead } from "./ui.js";

const PERIODS = [7, 30, 90];

export function createGapsPage(ctx) {
  const { t, lang, api, state, announce, navigate } = ctx;
  const node = el("div", "ad-page ad-gaps");
  const days = state.gapDays || 30;

  const controls = el("div", "ad-gap-controls");
  const periodLabel = el("label", "ad-label", t.period);
  periodLabel.htmlFor = "ad-gap-days";
  const period = el("select", "ac-select");
  period.id = "ad-gap-days";
  period.dataset.testid = "gap-days";
  for (const n of PERIODS) {
    const option = el("option", null, t.lastDays(n));
    option.value = String(n);
    period.appendChild(option);
  }
  period.value = String(days);
  const retest = button(t.retest, "ac-btn ac-btn-primary", () => load({ retested: true }));
  retest.dataset.testid = "gap-retest";
  controls.append(periodLabel, period, retest);
  node.appendChild(pageHead(t, t.gapsTitle, t.gapsIntro, controls));

  const loader = loadState(t);
  const summary = el("p", "ad-count");
  summary.dataset.testid = "gap-summary";
  const list = el("ul", "ad-gap-list");
  node.append(loader.node, summary, list);

  let documents = [];

  function writeFor(gap, docId) {
    state.gap = { question: gap.question, count: gap.count, questions: gap.questions, forNew: !docId, doc_id: docId || null };
    if (!docId) {
      state.drafts.delete("new");
      navigate("#kb/new");
    } else {
      navigate(`#kb/${encodeURIComponent(docId)}`);
    }
  }

  function row(gap, index) {
    const li = el("li", `ad-gap ad-gap-${gap.status}`);
    li.dataset.testid = "gap-row";
    li.dataset.status = gap.status;
    const headId = `ad-gap-${index}`;

    const head = el("div", "ad-gap-head");
    const h2 = el("h2", "ad-gap-q", gap.question);
    h2.id = headId;
    const status = badge(gap.status === "open" ? t.statusOpen : t.statusClosed, gap.status === "open" ? "open" : "closed");
    status.dataset.testid = "gap-status";
    head.append(h2, status);
    li.appendChild(head);

    const facts = el("p", "ad-gap-facts");
    const count = el("strong", "ad-gap-count", t.asked(gap.count));
    count.dataset.testid = "gap-count";
    facts.appendChild(count);
    if (gap.last_asked_at) facts.appendChild(el("span", null, ` · ${t.lastAsked(when(gap.last_asked_at, lang))}`));
    for (const kind of gap.kinds || []) facts.append(" ", badge(t.kinds[kind] || kind, kind === "unanswered" ? "warn" : "info"));
    li.appendChild(facts);

    const details = el("div", "ad-gap-details");
    const others = (gap.questions || []).filter((q) => q !== gap.question);
    if (others.length) {
      const box = el("div");
      box.appendChild(el("h3", "ad-small-h", t.examples));
      const ul = el("ul", "ad-examples");
      for (const q of others) ul.appendChild(el("li", null, `“${q}”`));
      box.appendChild(ul);
      details.appendChild(box);
    }
    if ((gap.conversations || []).length) {
      const box = el("div");
      box.appendChild(el("h3", "ad-small-h", t.conversations));
      const ul = el("ul", "ad-conv-ids");
      for (const id of gap.conversations) {
        const item = el("li");
        item.appendChild(el("code", null, id));
        ul.appendChild(item);
      }
      box.appendChild(ul);
      details.appendChild(box);
    }
    if (details.childNodes.length) li.appendChild(details);

    const actions = el("div", "ad-gap-actions");
    const write = button(t.writeAnswer, `ac-btn${gap.status === "open" ? " ac-btn-primary" : ""}`, () => writeFor(gap, null));
    write.dataset.testid = "gap-write";
    const pickId = `ad-gap-doc-${index}`;
    const pickLabel = el("label", "ad-small", t.orAddTo);
    pickLabel.htmlFor = pickId;
    const pick = el("select", "ac-select ad-gap-pick");
    pick.id = pickId;
    pick.dataset.testid = "gap-document";
    const none = el("option", null, t.chooseDocument);
    none.value = "";
    pick.appendChild(none);
    for (const doc of documents) {
      const option = el("option", null, doc.title || doc.doc_id);
      option.value = doc.doc_id;
      pick.appendChild(option);
    }
    const open = button(t.open, "ac-btn", () => { if (pick.value) writeFor(gap, pick.value); else pick.focus(); });
    open.dataset.testid = "gap-open";
    open.setAttribute("aria-label", `${t.open}: ${t.orAddTo}`);
    const pickBox = el("div", "ad-gap-pickbox");
    pickBox.append(pickLabel, pick, open);
    const test = el("a", "ad-inline-link", t.testIt);
    test.href = "#test";
    test.dataset.testid = "gap-test";
    test.addEventListener("click", () => { state.test = { question: gap.question, auto: true }; });
    actions.append(write, pickBox, test);
    li.appendChild(actions);
    return li;
  }

  async function load({ retested = false } = {}) {
    const n = Number(period.value) || 30;
    state.gapDays = n;
    loader.loading();
    retest.disabled = true;
    retest.textContent = t.retesting;
    list.setAttribute("aria-busy", "true");
    try {
      const [data, docs] = await Promise.all([
        api.get(`/api/admin/gaps?days=${n}`),
        documents.length ? Promise.resolve(null) : api.get("/api/admin/kb/documents").catch(() => null),
      ]);
      if (docs) documents = (docs.documents || []).filter((d) => !d.deleted);
      loader.done();
      const gaps = data.gaps || [];
      summary.textContent = gaps.length ? t.openGaps(data.open, gaps.length, data.days) : "";
      summary.hidden = !gaps.length;
      if (!gaps.length) list.replaceChildren(el("li", "ad-empty", t.noGaps));
      else list.replaceChildren(...gaps.map(row));
      if (retested) announce(t.retested(data.open));
    } catch (err) {
      if (!(err.status === 401 || err.code === "role_required")) loader.failed(err, () => load({ retested }));
    } finally {
      retest.disabled = false;
      retest.textContent = t.retest;
      list.setAttribute("aria-busy", "false");
    }
  }

  period.addEventListener("change", () => load());

  return { node, title: t.gapsTitle, start: () => load() };
}
