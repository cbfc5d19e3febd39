// The audit log: every admin change, newest first (who, what, when, on what, and details such
// as the restored revision), fifty to a page.
import { button, el } from "../rich.js";
import { when } from "./format.js";
import { loadState, pageHead, table } from "./ui.js";

const PAGE = 50;

function detailsText(details) {
  if (!details || typeof details !== "object") return details == null ? "" : String(details);
  return Object.entries(details).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ");
}

export function createAuditPage(ctx) {
  const { t, lang, api, state } = ctx;
  const node = el("div", "ad-page ad-audit");
  node.appendChild(pageHead(t, t.auditTitle, t.auditIntro));
  const loader = loadState(t);
  const holder = el("div");
  const pager = el("nav", "ad-pager");
  pager.setAttribute("aria-label", t.pages);
  const range = el("p", "ad-pager-range");
  range.dataset.testid = "audit-range";
  const prev = button(t.previous, "ac-btn", () => go(offset - PAGE));
  prev.dataset.testid = "audit-prev";
  const next = button(t.next, "ac-btn", () => go(offset + PAGE));
  next.dataset.testid = "audit-next";
  pager.append(prev, range, next);
  pager.hidden = true;
  node.append(loader.node, holder, pager);
  let offset = state.auditOffset || 0;

  function row(entry) {
    const tr = el("tr");
    tr.dataset.testid = "audit-row";
    tr.dataset.action = entry.action;
    const at = el("td", "ad-when");
    const time = el("time", null, when(entry.at, lang));
    time.dateTime = entry.at;
    at.appendChild(time);
    const target = el("td");
    // Every change but a creation names the document by its id: link to it.
    if (entry.target && /^kb\./.test(entry.action) && entry.action !== "kb.create") {
      const a = el("a", null, entry.target);
      a.href = `#kb/${encodeURIComponent(entry.target)}`;
      target.appendChild(a);
    } else {
      target.textContent = entry.target || "";
    }
    const action = el("td");
    action.append(el("span", null, t.auditActions[entry.action] || entry.action), el("code", "ad-code-sub", entry.action));
    tr.append(at, el("td", null, entry.actor || ""), action, target, el("td", "ad-details", detailsText(entry.details)));
    return tr;
  }

  async function go(to) {
    offset = Math.max(0, to);
    state.auditOffset = offset;
    loader.loading();
    try {
      const data = await api.get(`/api/admin/audit?limit=${PAGE}&offset=${offset}`);
      loader.done();
      const entries = data.entries || [];
      const total = Number(data.total) || 0;
      if (!entries.length && offset > 0 && total > 0) { go(Math.floor((total - 1) / PAGE) * PAGE); return; }
      if (!entries.length) {
        holder.replaceChildren(el("p", "ad-empty", t.noAudit));
        pager.hidden = true;
        return;
      }
      const grid = table(t.auditTitle, [t.colWhen, t.colWho, t.colAction, t.colTarget, t.colDetails], { captionHidden: true });
      for (const entry of entries) grid.body.appendChild(row(entry));
      holder.replaceChildren(grid.node);
      range.textContent = t.showing(offset + 1, offset + entries.length, total);
      prev.disabled = offset === 0;
      next.disabled = offset + entries.length >= total;
      pager.hidden = false;
    } catch (err) {
      if (!(err.status === 401 || err.code === "role_required")) loader.failed(err, () => go(offset));
    }
  }

  return { node, title: t.auditTitle, start: () => go(offset) };
}
