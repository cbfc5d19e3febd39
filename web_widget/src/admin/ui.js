// Small pieces every page uses: its heading and introduction, a loading or error line with a
// way to try again, badges, and a table with a caption and column headers.
import { button, el } from "../rich.js";

export function pageHead(t, title, intro, ...tools) {
  const head = el("div", "ad-page-head");
  const text = el("div", "ad-page-title");
  const h1 = el("h1", null, title);
  h1.tabIndex = -1;
  text.appendChild(h1);
  if (intro) text.appendChild(el("p", "ad-intro", intro));
  head.appendChild(text);
  if (tools.length) {
    const box = el("div", "ad-page-tools");
    box.append(...tools);
    head.appendChild(box);
  }
  return head;
}

export function badge(text, kind) {
  return el("span", `ac-pill ad-badge${kind ? ` ad-badge-${kind}` : ""}`, text);
}

// A line that says "Loading…", or the error with a "Try again" button.
export function loadState(t) {
  const box = el("div", "ad-load");
  box.setAttribute("role", "status");
  return {
    node: box,
    loading() { box.hidden = false; box.className = "ad-load"; box.replaceChildren(el("p", "ad-muted", t.loading)); },
    failed(err, retry) {
      box.hidden = false;
      box.className = "ad-load ad-load-error";
      const p = el("p", "ac-error", (err && err.status === 0 ? t.unreachable : err && err.message) || t.error);
      box.replaceChildren(p);
      if (retry) box.appendChild(button(t.retry, "ac-btn", retry));
    },
    done() { box.hidden = true; box.replaceChildren(); },
  };
}

export function table(caption, columns, { captionHidden = false, cls = "" } = {}) {
  const wrap = el("div", `ad-table-wrap ${cls}`.trim());
  const tbl = el("table", "ad-table");
  const cap = el("caption", captionHidden ? "sr-only" : "ad-caption", caption);
  const thead = el("thead");
  const tr = el("tr");
  for (const column of columns) {
    const label = typeof column === "string" ? column : column.label;
    const th = el("th", typeof column === "string" ? null : column.cls || null, label);
    th.scope = "col";
    tr.appendChild(th);
  }
  thead.appendChild(tr);
  const tbody = el("tbody");
  tbl.append(cap, thead, tbody);
  wrap.appendChild(tbl);
  return { node: wrap, table: tbl, body: tbody };
}
