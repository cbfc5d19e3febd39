// The knowledge base's documents: title, where each comes from, its revision, and whether it
// was edited here or is deleted (deleted ones stay listed, to restore). A row opens the editor.
import { el } from "../rich.js";
import { when } from "./format.js";
import { badge, loadState, pageHead, table } from "./ui.js";

export function statusBadges(doc, t) {
  const out = [];
  if (doc.deleted) out.push(badge(t.deleted, "deleted"));
  if (doc.edited) out.push(badge(t.edited, "edited"));
  else {
    const file = badge(t.fileOnly, "file");
    file.title = t.fileOnlyHint;
    out.push(file);
  }
  return out;
}

export function createDocumentsPage({ t, lang, api, navigate }) {
  const node = el("div", "ad-page ad-docs");
  const create = el("a", "ac-btn ac-btn-primary ad-link-btn", t.newDocument);
  create.href = "#kb/new";
  create.dataset.testid = "new-document";
  node.appendChild(pageHead(t, t.kbTitle, t.kbIntro, create));
  const state = loadState(t);
  const count = el("p", "ad-muted ad-count");
  const holder = el("div");
  node.append(state.node, count, holder);

  function row(doc) {
    const tr = el("tr", doc.deleted ? "ad-row-deleted" : null);
    tr.dataset.testid = "doc-row";
    tr.dataset.doc = doc.doc_id;
    const title = el("th");
    title.scope = "row";
    const a = el("a", "ad-doc-link", doc.title || doc.doc_id);
    a.href = `#kb/${encodeURIComponent(doc.doc_id)}`;
    title.append(a, el("span", "ad-doc-id", doc.doc_id));
    const source = el("td", "ad-source", doc.source === "console" ? t.sourceConsole : doc.source);
    const revision = el("td", "ad-num", t.revisionShort(doc.revision));
    const status = el("td");
    const badges = el("span", "ad-badges");
    badges.append(...statusBadges(doc, t));
    status.appendChild(badges);
    const updated = el("td", "ad-when", doc.updated_at ? when(doc.updated_at, lang) : "—");
    tr.append(title, source, revision, status, updated);
    // The whole row opens the document for a pointer; the title's link is the keyboard's way.
    tr.addEventListener("click", (e) => {
      if (e.target.closest("a")) return;
      navigate(`#kb/${encodeURIComponent(doc.doc_id)}`);
    });
    return tr;
  }

  async function load() {
    state.loading();
    try {
      const data = await api.get("/api/admin/kb/documents");
      const docs = data.documents || [];
      state.done();
      const removed = docs.filter((d) => d.deleted).length;
      count.textContent = t.docCount(docs.length - removed, removed);
      if (!docs.length) {
        holder.replaceChildren(el("p", "ad-empty", t.noDocuments));
        return;
      }
      // Live documents first, each group in the server's order.
      const ordered = [...docs.filter((d) => !d.deleted), ...docs.filter((d) => d.deleted)];
      const grid = table(t.documents, [t.colTitle, t.colSource, { label: t.colRevision, cls: "ad-num" }, t.colStatus, t.colUpdated],
        { captionHidden: true, cls: "ad-docs-table" });
      for (const doc of ordered) grid.body.appendChild(row(doc));
      holder.replaceChildren(grid.node);
    } catch (err) {
      if (err.status === 401 || err.code === "role_required") return;
      state.failed(err, load);
    }
  }

  return { node, title: t.kbTitle, start: load };
}
