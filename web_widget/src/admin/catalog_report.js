// The Catalog page's lower half: the import on screen (its status, a progress bar of the
// products embedded, then the summary and the rejected rows, or why it failed) and the table
// of recent imports. Both are drawn from the server's import objects
// (`GET /api/admin/catalog/imports[/{id}]`).
import { button, el } from "../rich.js";
import { cleanMessage } from "./catalog_csv.js";
import { duration, number, when } from "./format.js";
import { badge, table } from "./ui.js";

const STATUS_KIND = { running: "info", done: "ok", failed: "deleted", interrupted: "warn" };

export function statusBadge(c, status) {
  const b = badge(c.statuses[status] || status, STATUS_KIND[status] || null);
  b.dataset.status = status;
  return b;
}

// The summary line of a finished import: "12 products imported, 2 rows rejected — 10 added,
// 2 updated, 0 removed".
export function summaryText(c, report) {
  const r = report || {};
  const n = (v) => Number(v) || 0;
  return c.summary(n(r.imported), n(r.skipped), n(r.added), n(r.updated), n(r.deleted));
}

// The import on screen: one section whose heading keeps the focus while its body changes.
export function createImportView({ t, lang }) {
  const c = t.catalog;
  const node = el("section", "ad-pane ad-import");
  node.dataset.testid = "import-view";
  node.setAttribute("aria-labelledby", "ad-import-h");
  node.hidden = true;
  const head = el("div", "ad-import-head");
  const h2 = el("h2", "ad-pane-title");
  h2.id = "ad-import-h";
  h2.tabIndex = -1;
  const status = el("span", "ad-import-status");
  status.dataset.testid = "import-status";
  head.append(h2, status);
  const meta = el("p", "ad-muted ad-small ad-import-meta");

  const bar = el("div", "ad-progress");
  const label = el("label", "ad-label", c.progress);
  label.htmlFor = "ad-import-progress";
  const progress = el("progress");
  progress.id = "ad-import-progress";
  progress.dataset.testid = "import-progress";
  const count = el("span", "ad-progress-text");
  count.dataset.testid = "import-count";
  count.setAttribute("aria-hidden", "true"); // the bar says it too
  bar.append(label, progress, count);

  const summary = el("p", "ad-summary");
  summary.dataset.testid = "import-summary";
  const details = el("p", "ad-muted ad-small");
  const message = el("p", "ad-status");
  message.dataset.testid = "import-message";
  const rejected = el("div", "ad-rejected");
  node.append(head, meta, bar, summary, details, message, rejected);

  function took(seconds) {
    const s = Number(seconds) || 0;
    return s < 60 ? t.seconds(number(s, lang, s < 1 ? 2 : 1)) : duration(s, t);
  }

  function setText(p, text, cls) {
    p.textContent = text || "";
    p.hidden = !text;
    if (cls !== undefined) p.className = cls;
  }

  function rejectedTable(report) {
    const rows = Array.isArray(report.skipped_rows) ? report.skipped_rows : [];
    if (!rows.length) return [];
    const out = [];
    const h3 = el("h3", "ad-small-h ad-rejected-h", c.rejected);
    h3.id = "ad-rejected-h";
    const hint = el("p", "ad-hint", c.rejectedHint);
    out.push(h3, hint);
    const total = Number(report.skipped) || rows.length;
    if (total > rows.length) out.push(el("p", "ad-hint", c.rejectedFirst(rows.length, total)));
    const grid = table(c.rejected, [{ label: c.colRow, cls: "ad-num" }, c.colId, c.colReason], { captionHidden: true });
    for (const skip of rows) {
      const tr = el("tr");
      tr.dataset.testid = "rejected-row";
      tr.dataset.row = String(skip.row);
      const row = el("th", "ad-num", String(skip.row));
      row.scope = "row";
      const id = el("td", "ad-rejected-id");
      if (skip.id) id.appendChild(el("code", null, skip.id));
      else id.textContent = "—";
      tr.append(row, id, el("td", null, skip.reason || ""));
      grid.body.appendChild(tr);
    }
    out.push(grid.node);
    return out;
  }

  // Draws `job`; `trouble` is a line about following it (the server not answering).
  function show(job, trouble = "") {
    node.hidden = false;
    node.dataset.status = job.status;
    node.dataset.import = String(job.id);
    h2.textContent = c.importOf(job.name);
    status.replaceChildren(statusBadge(c, job.status));
    setText(meta, job.started_by ? c.startedBy(job.started_by, when(job.started_at, lang)) : "");
    // While it runs, `total` is what there is to embed: every product at first, then only the
    // new and changed ones. Done, every product is embedded (now or by an earlier import).
    const report = job.report || {};
    const total = Number(job.total) || 0;
    const done = Math.min(Number(job.done) || 0, total);
    if (job.status === "done") {
      progress.max = 1;
      progress.value = 1;
      const imported = number(Number(report.imported) || 0, lang);
      count.textContent = c.progressText(imported, imported);
    } else {
      progress.max = Math.max(total, 1);
      if (job.status === "running" && !total) progress.removeAttribute("value");
      else progress.value = done;
      count.textContent = c.progressText(number(done, lang), number(total, lang));
    }
    bar.hidden = job.status === "failed" && !done;
    if (job.status === "done") {
      setText(summary, summaryText(c, report));
      setText(details, c.details(Number(job.rows) || 0, Number(report.unchanged) || 0, took(report.seconds)));
    } else {
      setText(summary, "");
      setText(details, job.status === "running" ? c.running(Number(report.skipped) || 0) : "");
    }
    let text = trouble;
    let kind = "ad-status ad-status-info";
    if (job.status === "failed") { text = c.failed(cleanMessage(job.error) || t.error); kind = "ad-status ad-status-error"; }
    if (job.status === "interrupted") { text = c.interrupted; kind = "ad-status ad-status-error"; }
    setText(message, text, kind);
    rejected.replaceChildren(...rejectedTable(report));
  }

  function notFound() {
    node.hidden = false;
    status.replaceChildren();
    bar.hidden = true;
    setText(summary, "");
    setText(details, "");
    setText(message, c.notFound, "ad-status ad-status-error");
    rejected.replaceChildren();
  }

  return {
    node,
    show,
    notFound,
    // The heading takes the focus and the section comes to the top, under the header.
    focus() {
      h2.focus({ preventScroll: true });
      const header = document.querySelector(".ad-header");
      const below = header ? header.getBoundingClientRect().height : 0;
      window.scrollTo({ top: Math.max(0, window.scrollY + node.getBoundingClientRect().top - below - 12) });
    },
  };
}

// The recent imports, newest first; "Show" puts one on screen.
export function createRecentImports({ t, lang, onShow }) {
  const c = t.catalog;
  const node = el("section", "ad-recent");
  node.setAttribute("aria-labelledby", "ad-recent-h");
  const h2 = el("h2", "ad-section-h", c.recent);
  h2.id = "ad-recent-h";
  const holder = el("div");
  node.append(h2, holder);

  function row(job) {
    const tr = el("tr");
    tr.dataset.testid = "import-row";
    tr.dataset.import = String(job.id);
    const at = when(job.started_at, lang);
    const started = el("td", "ad-when");
    const time = el("time", null, at);
    time.dateTime = job.started_at || "";
    started.appendChild(time);
    const name = el("th", null);
    name.scope = "row";
    name.appendChild(el("code", null, job.name));
    const report = job.report || {};
    let products = "—";
    if (job.status === "done" && report.imported != null) products = number(report.imported, lang);
    else if (job.status === "running") products = c.progressText(number(job.done || 0, lang), number(job.total || 0, lang));
    const show = button(c.show, "ac-btn ad-btn-small", () => onShow(job));
    show.setAttribute("aria-label", c.showLabel(job.name, at));
    show.dataset.testid = "import-show";
    const action = el("td");
    action.appendChild(show);
    tr.append(
      name, started, el("td", null, job.started_by || ""), el("td"),
      el("td", "ad-num", products),
      el("td", "ad-num", number(job.rows || 0, lang)),
      el("td", "ad-num", number(report.skipped || 0, lang)),
      action,
    );
    tr.children[3].appendChild(statusBadge(c, job.status));
    return tr;
  }

  return {
    node,
    set(imports) {
      if (!imports.length) {
        holder.replaceChildren(el("p", "ad-empty", c.noImports));
        return;
      }
      const grid = table(c.recent, [
        c.colCatalog, c.colStarted, c.colBy, c.colStatus,
        { label: c.colProducts, cls: "ad-num" }, { label: c.colRows, cls: "ad-num" }, { label: c.colRejected, cls: "ad-num" },
        { label: c.colReport, cls: "ad-col-action" },
      ], { captionHidden: true, cls: "ad-imports-table" });
      for (const job of imports) grid.body.appendChild(row(job));
      holder.replaceChildren(grid.node);
    },
  };
}
