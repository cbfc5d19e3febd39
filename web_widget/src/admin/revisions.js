// A document's revisions, newest first: who, when and what (imported, edited, renamed, deleted,
// restored). Choosing one shows its changes as a readable diff; any revision but the current
// one can be restored (a restore is a new revision, so nothing is ever overwritten).
import { button, el } from "../rich.js";
import { renderDiff } from "./diff.js";
import { when } from "./format.js";
import { badge } from "./ui.js";

export function createRevisions({ t, lang, onRestore }) {
  const section = el("section", "ad-pane ad-revisions");
  section.setAttribute("aria-labelledby", "ad-revisions-h");
  const h2 = el("h2", "ad-pane-title", t.revisions);
  h2.id = "ad-revisions-h";
  const list = el("ol", "ad-revs");
  list.dataset.testid = "revisions";
  const empty = el("p", "ad-muted", t.noRevisions);
  section.append(h2, empty, list);
  const diffHolder = el("div", "ad-diff-holder");

  let revisions = [];
  let selected = null;
  let current = 0;
  let deleted = false;
  const rows = new Map();

  function select(number, { focus = false } = {}) {
    selected = number;
    for (const [n, parts] of rows) {
      parts.pick.setAttribute("aria-pressed", String(n === number));
      parts.li.classList.toggle("ad-rev-selected", n === number);
    }
    const found = revisions.find((r) => r.number === number);
    if (!found) { diffHolder.replaceChildren(); return; }
    const diff = renderDiff(found.diff, t, t.changesIn(found.number));
    diffHolder.replaceChildren(diff);
    if (focus) diff.querySelector("h3").scrollIntoView({ block: "nearest" });
  }

  function row(rev) {
    const li = el("li", "ad-rev");
    li.dataset.testid = "revision-row";
    li.dataset.number = String(rev.number);
    const pick = el("button", "ad-rev-pick");
    pick.type = "button";
    const top = el("span", "ad-rev-top");
    top.append(el("span", "ad-rev-n", t.revisionLabel(rev.number)), badge(t.actions[rev.action] || rev.action, `act-${rev.action}`));
    if (rev.number === current) top.appendChild(badge(t.current, "current"));
    const meta = el("span", "ad-rev-meta", [rev.author ? t.by(rev.author) : "", when(rev.created_at, lang)].filter(Boolean).join(" · "));
    pick.append(top, meta);
    pick.addEventListener("click", () => select(rev.number, { focus: true }));
    li.appendChild(pick);
    if (rev.number !== current || deleted) {
      const restore = button(t.restore, "ac-btn ad-btn-small ad-restore", () => onRestore(rev.number, restore));
      restore.dataset.testid = "restore";
      restore.setAttribute("aria-label", `${t.restore} (${t.revisionLabel(rev.number)})`);
      li.appendChild(restore);
    }
    // A click anywhere on the row but its restore button shows its changes.
    li.addEventListener("click", (e) => {
      if (e.target.closest("button")) return;
      select(rev.number);
    });
    rows.set(rev.number, { li, pick });
    return li;
  }

  return {
    node: section,
    diff: diffHolder,
    set(found, doc) {
      revisions = [...(found || [])].sort((a, b) => b.number - a.number);
      current = doc ? doc.revision : 0;
      deleted = Boolean(doc && doc.deleted);
      rows.clear();
      list.replaceChildren(...revisions.map(row));
      empty.hidden = revisions.length > 0;
      list.hidden = !revisions.length;
      // The newest revision's changes first: after a save, what that save changed.
      select(revisions.length ? revisions[0].number : null);
    },
    clear() {
      revisions = [];
      rows.clear();
      list.replaceChildren();
      list.hidden = true;
      empty.hidden = false;
      diffHolder.replaceChildren();
    },
  };
}
