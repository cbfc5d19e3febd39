// One document in the editor: its Markdown (front matter included) beside a live preview, the
// title with Rename, Save and Delete, and its revisions. A save is sent with the revision the
// editor opened (`base_revision`): if someone saved since, the server refuses (409) and the
// editor offers to load the latest, keeping this admin's text to copy from. Text not yet saved
// is kept while the admin visits other pages, and a reload asks first.
import { button, el } from "../rich.js";
import { createRevisions } from "./revisions.js";
import { statusBadges } from "./documents.js";
import { renderPreview } from "./preview.js";
import { loadState } from "./ui.js";

export function createEditorPage(ctx, route) {
  const { t, api, state, announce, navigate } = ctx;
  const isNew = route.page === "new";
  const key = isNew ? "new" : route.id;
  const gap = state.gap && (isNew ? state.gap.forNew : state.gap.doc_id === route.id) ? state.gap : null;

  let doc = null; // the server's document info; null for a new one
  let loadedText = ""; // the text of the revision opened
  let busy = false;
  let created = false; // a new document, once the server has it

  const node = el("div", "ad-page ad-editor-page");

  // heading: the way back, the title, the document's id, revision and badges
  const top = el("div", "ad-editor-top");
  const back = el("a", "ad-back", `← ${t.backToDocuments}`);
  back.href = "#kb";
  const h1 = el("h1", "ad-editor-h1", isNew ? t.newDocumentTitle : "…");
  h1.tabIndex = -1;
  const meta = el("p", "ad-doc-meta");
  const titleRow = el("div", "ad-title-row");
  titleRow.append(h1, meta);
  top.append(back, titleRow);

  const banners = el("div", "ad-banners");
  const load = loadState(t);

  // the toolbar: title (with Rename), then Save, Discard and Delete
  const toolbar = el("div", "ad-toolbar");
  const titleField = el("div", "ad-title-field");
  const titleLabel = el("label", "ad-label", t.titleLabel);
  titleLabel.htmlFor = "ad-doc-title";
  const titleInput = el("input", "ac-input ad-title-input");
  titleInput.id = "ad-doc-title";
  titleInput.type = "text";
  titleInput.maxLength = 200;
  titleInput.autocomplete = "off";
  titleInput.dataset.testid = "doc-title";
  titleInput.setAttribute("aria-describedby", "ad-title-hint");
  const titleHint = el("p", "ad-hint", isNew ? t.titleHintNew : t.renameHint);
  titleHint.id = "ad-title-hint";
  const rename = button(t.rename, "ac-btn", () => doRename());
  rename.dataset.testid = "rename";
  const titleLine = el("div", "ad-title-line");
  titleLine.append(titleInput);
  if (!isNew) titleLine.appendChild(rename);
  titleField.append(titleLabel, titleLine, titleHint);

  const actions = el("div", "ad-save-actions");
  const dirtyNote = el("span", "ad-dirty");
  const save = button(isNew ? t.create : t.save, "ac-btn ac-btn-primary", () => doSave());
  save.dataset.testid = "save";
  save.setAttribute("aria-keyshortcuts", "Control+S");
  const discard = button(t.discard, "ac-btn ac-btn-quiet", () => doDiscard());
  discard.dataset.testid = "discard";
  discard.hidden = true;
  const remove = button(t.delete, "ac-btn ad-btn-danger", () => doDelete());
  remove.dataset.testid = "delete";
  actions.append(dirtyNote, discard, save);
  if (!isNew) actions.appendChild(remove);
  toolbar.append(titleField, actions);

  // what the last action did
  const statusBox = el("div", "ad-status-box");
  const status = el("p", "ad-status");
  status.setAttribute("role", "status");
  status.dataset.testid = "save-status";
  const statusActions = el("span", "ad-status-actions");
  statusBox.append(status, statusActions);
  const kept = el("div", "ad-kept");

  // the Markdown and its preview
  const grid = el("div", `ad-editor-grid${isNew ? " ad-editor-grid-new" : ""}`);
  const writePane = el("section", "ad-pane ad-write");
  writePane.setAttribute("aria-labelledby", "ad-editor-label");
  const editorLabel = el("label", "ad-pane-title", t.markdown);
  editorLabel.id = "ad-editor-label";
  editorLabel.htmlFor = "ad-editor";
  const editorHint = el("p", "ad-hint", t.markdownHint);
  editorHint.id = "ad-editor-hint";
  const textarea = el("textarea", "ac-textarea ad-textarea");
  textarea.id = "ad-editor";
  textarea.dataset.testid = "editor";
  textarea.spellcheck = true;
  textarea.setAttribute("aria-describedby", "ad-editor-hint");
  writePane.append(editorLabel, editorHint, textarea);

  const previewPane = el("div", "ad-pane ad-preview-pane");
  const previewH = el("h2", "ad-pane-title", t.preview);
  previewH.id = "ad-preview-h";
  const previewHint = el("p", "ad-hint", t.previewHint);
  const preview = el("div", "ad-preview bubble");
  preview.dataset.testid = "preview";
  preview.tabIndex = 0;
  preview.setAttribute("role", "region");
  preview.setAttribute("aria-labelledby", "ad-preview-h");
  previewPane.append(previewH, previewHint, preview);

  const revisions = createRevisions({ t, lang: ctx.lang, onRestore: (n, btn) => doRestore(n, btn) });
  grid.append(writePane, previewPane);
  if (!isNew) grid.appendChild(revisions.node);

  node.append(top, banners, load.node, toolbar, statusBox, kept, grid);
  if (!isNew) node.appendChild(revisions.diff);

  // --- the text and its preview -------------------------------------------------------------

  let frame = 0;
  function renderPreviewNow() {
    frame = 0;
    const out = renderPreview(textarea.value);
    if (out.childNodes.length) preview.replaceChildren(out);
    else preview.replaceChildren(el("p", "ad-muted", t.previewEmpty));
  }
  function schedulePreview() {
    if (!frame) frame = requestAnimationFrame(renderPreviewNow);
  }

  const dirty = () => !created && !(doc && doc.deleted) && (isNew ? textarea.value.trim() !== loadedText.trim() : textarea.value !== loadedText);

  function refreshState() {
    const changed = dirty();
    dirtyNote.textContent = changed ? t.unsaved : "";
    dirtyNote.classList.toggle("ad-dirty-on", changed);
    discard.hidden = !changed || isNew;
    const off = busy || Boolean(doc && doc.deleted);
    save.disabled = off;
    remove.disabled = off;
    textarea.readOnly = Boolean(doc && doc.deleted);
    titleInput.readOnly = Boolean(doc && doc.deleted);
    const newTitle = titleInput.value.trim();
    rename.disabled = off || !doc || !newTitle || newTitle === doc.title || changed;
    titleHint.textContent = isNew ? t.titleHintNew : changed && newTitle !== (doc && doc.title) ? t.renameDirty : t.renameHint;
  }

  textarea.addEventListener("input", () => {
    textarea.removeAttribute("aria-invalid");
    schedulePreview();
    if (status.dataset.kind === "ok") setStatus("");
    refreshState();
  });
  titleInput.addEventListener("input", () => {
    titleInput.removeAttribute("aria-invalid");
    refreshState();
  });
  titleInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      if (isNew) doSave();
      else if (!rename.disabled) doRename();
    }
  });
  node.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") {
      e.preventDefault();
      if (!save.disabled) doSave();
    }
  });

  // --- messages ------------------------------------------------------------------------------

  function setStatus(text, kind = "ok", ...extra) {
    status.textContent = text;
    status.dataset.kind = text ? kind : "";
    status.className = `ad-status${text ? ` ad-status-${kind}` : ""}`;
    statusActions.replaceChildren(...extra);
  }

  function indexed(report) {
    return report ? (Number(report.added) || 0) + (Number(report.updated) || 0) : 0;
  }

  function savedMessage(info, report) {
    let text = t.saved(info.revision, indexed(report));
    const removed = report ? Number(report.deleted) || 0 : 0;
    if (removed) text += t.savedRemoved(removed);
    return text;
  }

  // Text this admin wrote that a reload or a restore replaced: kept below, read only.
  function keep(text) {
    if (!text || text === loadedText) { kept.replaceChildren(); return; }
    const details = el("details", "ad-kept-box");
    details.open = true;
    details.appendChild(el("summary", null, t.yourVersion));
    const dismiss = button(t.dismiss, "ac-btn ad-btn-small ad-dismiss", () => { kept.replaceChildren(); textarea.focus(); });
    dismiss.dataset.testid = "kept-dismiss";
    const area = el("textarea", "ac-textarea ad-kept-text");
    area.readOnly = true;
    area.value = text;
    area.id = "ad-kept-text";
    area.setAttribute("aria-label", t.yourVersionLabel);
    area.dataset.testid = "kept-draft";
    details.append(area, dismiss);
    kept.replaceChildren(details);
  }

  function failed(err) {
    if (err.status === 401 || err.code === "role_required") return true;
    setStatus(err.status === 0 ? t.unreachable : err.message || t.error, "error");
    return false;
  }

  // --- banners -------------------------------------------------------------------------------

  function renderBanners() {
    const out = [];
    if (gap) {
      const box = el("div", "ad-banner ad-banner-gap");
      box.dataset.testid = "gap-banner";
      box.appendChild(el("p", null, t.gapBanner(gap.question, gap.count || 1)));
      const test = el("a", "ad-inline-link", t.testThis);
      test.href = "#test";
      test.addEventListener("click", () => { state.test = { question: gap.question, auto: true }; });
      box.appendChild(test);
      out.push(box);
    }
    if (doc && doc.deleted) {
      const box = el("div", "ad-banner ad-banner-deleted");
      box.appendChild(el("p", null, t.deletedBanner));
      if (doc.revision > 1) {
        const undo = button(t.restoreLatest, "ac-btn ad-btn-small", (e) => doRestore(doc.revision - 1, e.currentTarget));
        undo.dataset.testid = "undelete";
        box.appendChild(undo);
      }
      out.push(box);
    } else if (doc && !doc.edited) {
      out.push(el("div", "ad-banner ad-banner-file", t.fileBanner(doc.source)));
    }
    banners.replaceChildren(...out);
  }

  function renderHead() {
    if (isNew) {
      meta.replaceChildren();
      return;
    }
    h1.textContent = doc.title || doc.doc_id;
    ctx.setTitle(doc.title || doc.doc_id);
    const bits = el("span", "ad-badges");
    bits.append(...statusBadges(doc, t));
    meta.replaceChildren(el("span", "ad-doc-id", t.docId(doc.doc_id)), el("span", null, t.allSaved(doc.revision)), bits);
  }

  // --- loading -------------------------------------------------------------------------------

  async function loadRevisions() {
    if (!doc || !doc.revision) { revisions.clear(); return; }
    try {
      const data = await api.get(api.doc(doc.doc_id, "revisions"));
      revisions.set(data.revisions, doc);
    } catch (err) {
      failed(err);
    }
  }

  async function open({ draft = null } = {}) {
    load.loading();
    try {
      const data = await api.get(api.doc(route.id));
      doc = data.document;
      loadedText = data.text || "";
      load.done();
    } catch (err) {
      if (err.status === 401 || err.code === "role_required") return;
      if (err.status === 404) {
        load.failed({ message: t.notFound });
        toolbar.hidden = true; grid.hidden = true;
        return;
      }
      load.failed(err, () => open({ draft }));
      return;
    }
    toolbar.hidden = false;
    grid.hidden = false;
    titleInput.value = doc.title || "";
    if (draft && !doc.deleted) {
      textarea.value = draft.text;
      if (draft.title) titleInput.value = draft.title;
      setStatus(t.draftKept, "info");
    } else {
      textarea.value = loadedText;
    }
    renderHead();
    renderBanners();
    renderPreviewNow();
    refreshState();
    await loadRevisions();
  }

  // --- actions -------------------------------------------------------------------------------

  function working(btn, label) {
    busy = true;
    const was = btn.textContent;
    btn.textContent = label;
    refreshState();
    return () => { busy = false; btn.textContent = was; refreshState(); };
  }

  async function doSave() {
    if (busy) return;
    if (isNew) return doCreate();
    if (!doc || doc.deleted) return;
    const done = working(save, t.saving);
    const text = textarea.value;
    const base = doc.revision;
    try {
      const answer = await api.put(api.doc(doc.doc_id), { text, base_revision: base });
      state.drafts.delete(key);
      const message = answer.document.revision === base ? t.unchanged(base) : savedMessage(answer.document, answer.index);
      done();
      await open();
      kept.replaceChildren();
      setStatus(message, "ok");
      announce(message);
    } catch (err) {
      done();
      if (err.status === 409 && err.details && err.details.revision != null) {
        const reload = button(t.conflictReload, "ac-btn ad-btn-small", async () => {
          const mine = textarea.value;
          await open();
          keep(mine);
          setStatus(t.reloadedKept, "info");
          textarea.focus();
        });
        reload.dataset.testid = "reload";
        setStatus(t.conflict(err.details.revision), "error", reload);
        announce(t.conflict(err.details.revision));
      } else if (err.status === 503 && err.code === "index_failed") {
        state.drafts.delete(key);
        await open();
        setStatus(t.indexFailed(err.message), "error");
      } else {
        failed(err);
        if (err.status === 400) textarea.setAttribute("aria-invalid", "true");
      }
    }
  }

  async function doCreate() {
    const title = titleInput.value.trim();
    const text = textarea.value;
    if (!title) {
      titleInput.setAttribute("aria-invalid", "true");
      setStatus(t.needTitle, "error");
      titleInput.focus();
      return;
    }
    if (!text.trim()) {
      setStatus(t.needText, "error");
      textarea.focus();
      return;
    }
    const done = working(save, t.creating);
    try {
      const answer = await api.post("/api/admin/kb/documents", { title, text });
      state.drafts.delete(key);
      created = true;
      if (gap) { gap.doc_id = answer.document.doc_id; gap.forNew = false; }
      const message = t.created(answer.document.revision, indexed(answer.index));
      state.flash = { doc_id: answer.document.doc_id, text: message };
      done();
      navigate(`#kb/${encodeURIComponent(answer.document.doc_id)}`, { replace: true });
    } catch (err) {
      done();
      if (err.status === 409) {
        titleInput.setAttribute("aria-invalid", "true");
        setStatus(t.titleTaken, "error");
        titleInput.focus();
      } else if (err.status === 503 && err.code === "index_failed" && err.details && err.details.doc_id) {
        state.drafts.delete(key);
        created = true;
        state.flash = { doc_id: err.details.doc_id, text: t.indexFailed(err.message), kind: "error" };
        navigate(`#kb/${encodeURIComponent(err.details.doc_id)}`, { replace: true });
      } else {
        failed(err);
      }
    }
  }

  async function doRename() {
    if (busy || !doc) return;
    const title = titleInput.value.trim();
    if (!title || title === doc.title) return;
    const done = working(rename, t.renaming);
    try {
      const answer = await api.post(api.doc(doc.doc_id, "rename"), { title });
      done();
      await open();
      const message = t.renamed(answer.document.title, answer.document.revision);
      setStatus(message, "ok");
      announce(message);
    } catch (err) {
      done();
      if (err.status === 503 && err.code === "index_failed") { await open(); setStatus(t.indexFailed(err.message), "error"); return; }
      if (err.status === 409 || err.status === 400) titleInput.setAttribute("aria-invalid", "true");
      failed(err);
    }
  }

  async function doDelete() {
    if (busy || !doc || doc.deleted) return;
    const mine = dirty() ? textarea.value : null;
    const done = working(remove, t.deleting);
    try {
      const answer = await api.del(api.doc(doc.doc_id));
      state.drafts.delete(key);
      done();
      await open();
      if (mine) keep(mine);
      const back = answer.document.revision - 1;
      const undo = button(t.undo, "ac-btn ad-btn-small", (e) => doRestore(back, e.currentTarget));
      undo.dataset.testid = "undo";
      setStatus(t.deletedDone, "ok", ...(back >= 1 ? [undo] : []));
      announce(t.deletedDone);
    } catch (err) {
      done();
      if (err.status === 503 && err.code === "index_failed") { await open(); setStatus(t.indexFailed(err.message), "error"); return; }
      failed(err);
    }
  }

  async function doRestore(number, btn) {
    if (busy || !doc) return;
    const mine = dirty() ? textarea.value : null;
    const done = working(btn || save, t.restoring);
    try {
      const answer = await api.post(api.doc(doc.doc_id, `revisions/${number}/restore`), {});
      state.drafts.delete(key);
      done();
      await open();
      if (mine) keep(mine);
      const message = t.restored(number, answer.document.revision, indexed(answer.index));
      setStatus(message, "ok");
      announce(message);
      textarea.focus();
    } catch (err) {
      done();
      if (err.status === 503 && err.code === "index_failed") { await open(); setStatus(t.indexFailed(err.message), "error"); return; }
      failed(err);
    }
  }

  function doDiscard() {
    textarea.value = loadedText;
    if (doc) titleInput.value = doc.title || "";
    state.drafts.delete(key);
    renderPreviewNow();
    setStatus("");
    refreshState();
    textarea.focus();
  }

  // --- the page ------------------------------------------------------------------------------

  function start() {
    const draft = state.drafts.get(key) || null;
    if (isNew) {
      const title = gap ? gap.question : draft ? draft.title : "";
      titleInput.value = title || "";
      loadedText = gap ? `# ${gap.question}\n\n` : "";
      textarea.value = draft && !gap ? draft.text : loadedText;
      textarea.placeholder = "# …";
      if (draft && !gap) setStatus(t.draftKept, "info");
      renderBanners();
      renderPreviewNow();
      refreshState();
      return;
    }
    const flash = state.flash && state.flash.doc_id === route.id ? state.flash : null;
    state.flash = null;
    open({ draft }).then(() => {
      if (flash) { setStatus(flash.text, flash.kind || "ok"); announce(flash.text); }
    });
  }

  function stop() {
    if (frame) cancelAnimationFrame(frame);
    if (!created && (dirty() || (isNew && titleInput.value.trim() && textarea.value.trim()))) {
      state.drafts.set(key, { text: textarea.value, title: titleInput.value, base: doc ? doc.revision : 0 });
    } else {
      state.drafts.delete(key);
    }
  }

  return { node, title: isNew ? t.newDocumentTitle : route.id, start, stop, dirty };
}
