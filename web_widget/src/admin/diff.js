// A revision's unified diff (difflib's, from the server) drawn to be read: each hunk headed by
// the lines it covers, removed lines as <del> and added ones as <ins> (so a screen reader says
// which), with a sign and a colour for the eye. The file headers (---/+++) are left out.
import { el } from "../rich.js";

export function parseDiff(text) {
  const hunks = [];
  let hunk = null;
  let added = 0;
  let removed = 0;
  for (const line of String(text || "").replace(/\n$/, "").split("\n")) {
    if (line.startsWith("--- ") || line.startsWith("+++ ")) continue;
    const head = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (head) {
      const start = Number(head[3]);
      const count = head[4] == null ? 1 : Number(head[4]);
      hunk = { start: count ? start : Math.max(1, start), end: count ? start + count - 1 : Math.max(1, start), lines: [] };
      hunks.push(hunk);
      continue;
    }
    if (!hunk || !line) continue;
    const sign = line[0];
    if (sign === "\\") continue; // "\ No newline at end of file"
    const kind = sign === "+" ? "add" : sign === "-" ? "del" : "same";
    if (kind === "add") added += 1;
    if (kind === "del") removed += 1;
    hunk.lines.push({ kind, text: line.slice(1) });
  }
  return { hunks, added, removed };
}

// Lines replaced one for one (a run of removed lines followed by as many added ones) get the
// words that changed marked.
function pairUp(lines) {
  for (let i = 0; i < lines.length; ) {
    if (lines[i].kind !== "del") { i += 1; continue; }
    let dels = i;
    while (dels < lines.length && lines[dels].kind === "del") dels += 1;
    let adds = dels;
    while (adds < lines.length && lines[adds].kind === "add") adds += 1;
    if (adds - dels === dels - i) {
      for (let k = 0; k < dels - i; k += 1) markChange(lines[i + k], lines[dels + k]);
    }
    i = adds > dels ? adds : dels;
  }
}

// The words two lines share, by a longest common subsequence over words and spaces; each
// line becomes runs of [changed, text]. Long lines fall back to marking the whole line.
const MAX_CELLS = 250000;

function markChange(before, after) {
  const a = before.text.split(/(\s+)/).filter(Boolean);
  const b = after.text.split(/(\s+)/).filter(Boolean);
  if (!a.length || !b.length || a.length * b.length > MAX_CELLS) return;
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the longest common subsequence of a[i:] and b[j:]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const left = [];
  const right = [];
  const push = (runs, changed, word) => {
    const last = runs[runs.length - 1];
    if (last && last[0] === changed) last[1] += word;
    else runs.push([changed, word]);
  };
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { push(left, false, a[i]); push(right, false, b[j]); i += 1; j += 1; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) { push(left, true, a[i]); i += 1; }
    else { push(right, true, b[j]); j += 1; }
  }
  while (i < n) { push(left, true, a[i]); i += 1; }
  while (j < m) { push(right, true, b[j]); j += 1; }
  // Only worth marking when the lines share words, not just the spaces between them.
  if (!left.some(([changed, text]) => !changed && /\S/.test(text))) return;
  before.runs = left;
  after.runs = right;
}

function lineText(line) {
  const words = el("span", "ad-line-text");
  if (!line.runs) {
    words.textContent = line.text || " ";
    return words;
  }
  for (const [changed, text] of line.runs) {
    // A changed run of spaces alone is not worth a mark.
    words.appendChild(changed && /\S/.test(text) ? el("span", "ad-change", text) : document.createTextNode(text));
  }
  return words;
}

export function renderDiff(text, t, heading) {
  const box = el("div", "ad-diff");
  box.dataset.testid = "diff";
  const id = "ad-diff-h";
  const h = el("h3", "ad-diff-title", heading);
  h.id = id;
  box.appendChild(h);
  const { hunks, added, removed } = parseDiff(text);
  if (!hunks.length) {
    box.appendChild(el("p", "ad-muted", t.noChanges));
    return box;
  }
  box.appendChild(el("p", "ad-diff-summary", t.diffSummary(added, removed)));
  const scroller = el("div", "ad-diff-body");
  scroller.tabIndex = 0;
  scroller.setAttribute("role", "region");
  scroller.setAttribute("aria-labelledby", id);
  for (const hunk of hunks) {
    scroller.appendChild(el("p", "ad-hunk", t.diffLines(hunk.start, hunk.end)));
    const lines = el("div", "ad-diff-lines");
    pairUp(hunk.lines);
    for (const line of hunk.lines) {
      const tag = line.kind === "add" ? "ins" : line.kind === "del" ? "del" : "div";
      const row = el(tag, `ad-line ad-line-${line.kind}`);
      const sign = el("span", "ad-sign", line.kind === "add" ? "+" : line.kind === "del" ? "−" : " ");
      sign.setAttribute("aria-hidden", "true");
      const words = lineText(line);
      if (line.kind !== "same") {
        const said = el("span", "sr-only", `${line.kind === "add" ? t.diffAdded : t.diffRemoved}: `);
        row.append(sign, said, words);
      } else {
        row.append(sign, words);
      }
      lines.appendChild(row);
    }
    scroller.appendChild(lines);
  }
  box.appendChild(scroller);
  return box;
}
