// The Catalog page: a store's products imported from a CSV file. The admin names the catalog,
// chooses the file (read here with File.text(); its header row gives the columns), picks the
// column of each field (guessed when a column's name says it), and imports:
// `POST /api/admin/catalog/imports` checks the file against the mapping (a mapping the file
// does not fit is refused at once, shown by the form) and embeds the products in the
// background; the page follows the import (`GET …/imports/{id}` every half second) with a
// progress bar, then shows what changed and the rows it rejected. An import that is still
// running when the admin comes back to the page is followed again.
import { el } from "../rich.js";
import { FIELDS, MAX_BYTES, NAME_PATTERN, REQUIRED, catalogName, cleanMessage, guessMapping, megabytes, readHeader } from "./catalog_csv.js";
import { createImportView, createRecentImports, summaryText } from "./catalog_report.js";
import { pageHead } from "./ui.js";

const POLL_MS = 500;
const IMPORTS = "/api/admin/catalog/imports";

export function createCatalogPage(ctx) {
  const { t, lang, api, state, announce } = ctx;
  const c = t.catalog;
  const kept = state.catalog || (state.catalog = { followId: null });
  const node = el("div", "ad-page ad-catalog");
  node.appendChild(pageHead(t, c.title, c.intro));
  const notes = el("p", "ad-intro ad-catalog-note");
  const auditLink = el("a", "ad-inline-link", c.audit[1]);
  auditLink.href = "#audit";
  notes.append(`${c.incremental} ${c.audit[0]}`, auditLink, c.audit[2]);
  node.appendChild(notes);

  // -- the form ------------------------------------------------------------------------------
  const form = el("form", "ad-pane ad-import-form");
  form.noValidate = true;
  form.setAttribute("aria-labelledby", "ad-import-form-h");
  const formTitle = el("h2", "ad-pane-title", c.formTitle);
  formTitle.id = "ad-import-form-h";

  function field(id, labelText, hintText, input) {
    const box = el("div", "ad-field");
    const label = el("label", "ad-label", labelText);
    label.htmlFor = id;
    input.id = id;
    const hint = el("p", "ad-hint", hintText);
    hint.id = `${id}-hint`;
    input.setAttribute("aria-describedby", hint.id);
    box.append(label, input, hint);
    return { box, hint };
  }

  const nameInput = el("input", "ac-input");
  nameInput.type = "text";
  nameInput.maxLength = 64;
  nameInput.autocomplete = "off";
  nameInput.spellcheck = false;
  nameInput.dataset.testid = "catalog-name";
  const nameField = field("ad-catalog-name", c.name, c.nameHint, nameInput);
  let nameTyped = false;
  nameInput.addEventListener("input", () => { nameTyped = nameInput.value !== ""; clearInvalid(nameInput); });

  const fileInput = el("input", "ad-file");
  fileInput.type = "file";
  fileInput.accept = ".csv,text/csv";
  fileInput.dataset.testid = "catalog-file";
  const fileField = field("ad-catalog-file", c.file, c.fileHint, fileInput);
  const fileNote = el("p", "ad-hint ad-file-note");
  fileNote.id = "ad-catalog-file-note";
  fileNote.hidden = true;
  fileField.box.appendChild(fileNote);

  const top = el("div", "ad-import-top");
  top.append(nameField.box, fileField.box);

  const mapping = el("fieldset", "ad-mapping");
  const legend = el("legend", null, c.mapping);
  const mappingHint = el("p", "ad-hint", c.chooseFileFirst);
  mappingHint.id = "ad-mapping-hint";
  mapping.setAttribute("aria-describedby", mappingHint.id);
  const grid = el("div", "ad-map-grid");
  mapping.append(legend, mappingHint, grid);

  const actions = el("div", "ad-import-actions");
  const importButton = el("button", "ac-btn ac-btn-primary", c.import);
  importButton.type = "submit";
  importButton.dataset.testid = "catalog-import";
  const error = el("p", "ac-error ad-form-error");
  error.id = "ad-import-error";
  error.dataset.testid = "catalog-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  actions.append(importButton, error);
  form.append(formTitle, top, mapping, actions);
  node.appendChild(form);

  const view = createImportView({ t, lang });
  const recent = createRecentImports({ t, lang, onShow: (job) => { follow(job, { focus: true }); poll(); } });
  node.append(view.node, recent.node);

  // The chosen file: its columns and first row's values.
  let header = null;
  const selects = {};
  let reads = 0;

  function showError(text, input) {
    error.textContent = text;
    error.hidden = false;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== error.id);
      input.setAttribute("aria-describedby", [...ids, error.id].join(" "));
      input.focus();
    }
  }

  function clearInvalid(input) {
    if (input.getAttribute("aria-invalid") !== "true") return;
    input.removeAttribute("aria-invalid");
    const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== error.id);
    input.setAttribute("aria-describedby", ids.join(" "));
    error.hidden = true;
  }

  function clearErrors() {
    error.hidden = true;
    error.textContent = "";
    for (const input of form.querySelectorAll("[aria-invalid]")) clearInvalid(input);
  }

  function sampleText(column) {
    if (!column) return "";
    const value = header.sample[column] || "";
    return value ? c.example(value.length > 60 ? `${value.slice(0, 59)}…` : value) : c.exampleEmpty;
  }

  function drawMapping() {
    grid.replaceChildren();
    for (const key of Object.keys(selects)) delete selects[key];
    if (!header) { mappingHint.textContent = c.chooseFileFirst; return; }
    mappingHint.textContent = c.mappingHint;
    const guessed = guessMapping(header.columns);
    for (const name of FIELDS) {
      const required = REQUIRED.includes(name);
      const id = `ad-map-${name}`;
      const box = el("div", "ad-map-field");
      const label = el("label", "ad-label");
      label.htmlFor = id;
      label.append(c.fields[name]);
      if (required) label.append(" ", el("span", "ad-required", `(${c.required})`));
      const select = el("select", "ac-select");
      select.id = id;
      select.dataset.testid = `map-${name}`;
      if (required) select.setAttribute("aria-required", "true");
      const empty = el("option", null, required ? c.chooseColumn : c.none);
      empty.value = "";
      select.appendChild(empty);
      for (const column of header.columns) {
        const option = el("option", null, column);
        option.value = column;
        select.appendChild(option);
      }
      select.value = guessed[name] || "";
      const sample = el("p", "ad-hint ad-map-sample", sampleText(select.value));
      sample.id = `${id}-sample`;
      select.setAttribute("aria-describedby", sample.id);
      select.addEventListener("change", () => { sample.textContent = sampleText(select.value); clearInvalid(select); });
      selects[name] = select;
      box.append(label, select, sample);
      grid.appendChild(box);
    }
  }

  fileInput.addEventListener("change", async () => {
    clearErrors();
    const file = fileInput.files && fileInput.files[0];
    const read = ++reads;
    header = null;
    fileNote.hidden = true;
    if (!file) { drawMapping(); return; }
    if (!nameTyped) nameInput.value = catalogName(file.name);
    if (file.size > MAX_BYTES) { drawMapping(); showError(c.tooBig(megabytes(file.size, lang)), fileInput); return; }
    fileNote.textContent = c.reading;
    fileNote.hidden = false;
    let text;
    try {
      text = await file.text();
    } catch {
      if (read === reads) { fileNote.hidden = true; drawMapping(); showError(c.unreadable, fileInput); }
      return;
    }
    if (read !== reads) return; // another file was chosen meanwhile
    const found = readHeader(text);
    if (!found.columns.length) { fileNote.hidden = true; drawMapping(); showError(c.noHeader, fileInput); return; }
    header = found;
    fileNote.textContent = c.fileRead(found.columns.length, file.name);
    if (text.includes("\uFFFD")) fileNote.textContent += ` ${c.notUtf8}`;
    drawMapping();
    announce(`${fileNote.textContent} ${c.mappingHint}`);
  });

  // -- importing -----------------------------------------------------------------------------
  let submitting = false;
  let job = null; // the import on screen
  let timer = null;
  let stopped = false;
  let failures = 0;

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (submitting) return;
    clearErrors();
    const name = nameInput.value.trim();
    nameInput.value = name;
    if (!NAME_PATTERN.test(name)) { showError(c.needName, nameInput); return; }
    const file = fileInput.files && fileInput.files[0];
    if (!file || !header) { showError(c.needFile, fileInput); return; }
    if (file.size > MAX_BYTES) { showError(c.tooBig(megabytes(file.size, lang)), fileInput); return; }
    for (const required of REQUIRED) {
      if (!selects[required].value) { showError(c.needField(c.fields[required]), selects[required]); return; }
    }
    if (job && job.status === "running") { showError(c.stillRunning); return; }
    const chosen = {};
    for (const [key, select] of Object.entries(selects)) if (select.value) chosen[key] = select.value;
    busy(true);
    try {
      await submit(file, { name, mapping: chosen });
    } finally {
      busy(false);
    }
  });

  function busy(on) {
    submitting = on;
    importButton.textContent = on ? c.starting : c.import;
    if (on) importButton.setAttribute("aria-disabled", "true");
    else importButton.removeAttribute("aria-disabled");
  }

  async function submit(file, body) {
    let text;
    try {
      // Read again: the file may have been saved since it was chosen (and then the browser
      // may refuse it until it is chosen again).
      text = await file.text();
    } catch {
      showError(c.chooseAgain, fileInput);
      return;
    }
    try {
      const started = await api.post(IMPORTS, { ...body, csv: text });
      follow(started, { focus: true });
      announce(c.started(started.name));
      loadRecent();
      schedule();
    } catch (err) {
      if (err.status === 401 || err.code === "role_required") return;
      if (err.status === 0) showError(t.unreachable);
      else if (err.status === 413) showError(c.tooBig(megabytes(file.size, lang)));
      else if (err.status === 400 || err.status === 422) {
        // A column the file does not have: its field's select is the one to change.
        const field = err.details && selects[err.details.field];
        showError(c.refused(cleanMessage(err.message) || t.error), field || null);
      } else showError(cleanMessage(err.message) || t.error);
    }
  }

  function follow(next, { focus = false } = {}) {
    const was = job;
    job = next;
    kept.followId = next.id;
    failures = 0;
    view.show(next);
    if (focus) view.focus();
    // Announced when it ends on screen, not when an ended one is opened.
    if (was && was.id === next.id && was.status === "running" && next.status !== "running") {
      announce(next.status === "done" ? c.finished(summaryText(c, next.report)) : `${c.importOf(next.name)}: ${c.statuses[next.status] || next.status}`);
      loadRecent();
    }
  }

  function schedule(ms = POLL_MS) {
    clearTimeout(timer);
    if (!stopped && job && job.status === "running") timer = setTimeout(poll, ms);
  }

  async function poll() {
    clearTimeout(timer);
    if (!job || stopped) return;
    const id = job.id;
    try {
      const next = await api.get(`${IMPORTS}/${encodeURIComponent(id)}`);
      if (stopped || !job || job.id !== id) return;
      follow(next);
      schedule();
    } catch (err) {
      if (stopped || !job || job.id !== id) return;
      if (err.status === 401 || err.code === "role_required") return;
      if (err.status === 404) { job = null; kept.followId = null; view.notFound(); return; }
      failures += 1;
      view.show(job, c.lostContact);
      if (job.status === "running") schedule(Math.min(10000, POLL_MS * 2 ** failures));
    }
  }

  async function loadRecent() {
    try {
      const data = await api.get(IMPORTS);
      if (stopped) return null;
      const imports = (data && data.imports) || [];
      recent.set(imports);
      return imports;
    } catch (err) {
      if (!stopped && !(err.status === 401 || err.code === "role_required")) recent.set([]);
      return null;
    }
  }

  async function start() {
    const imports = await loadRecent();
    if (stopped || job) return;
    // The import followed before leaving the page, else the newest one still running.
    const latest = imports && imports.find((i) => i.id === kept.followId);
    const running = imports && imports.find((i) => i.status === "running");
    const pick = latest || running;
    if (pick) {
      follow(pick);
      if (pick.status === "running") poll();
    } else if (kept.followId != null) {
      job = { id: kept.followId, status: "running" };
      poll();
    }
  }

  return {
    node,
    title: c.title,
    start,
    stop() { stopped = true; clearTimeout(timer); },
  };
}
