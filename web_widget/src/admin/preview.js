// The editor's live preview: the document's Markdown as the widget draws it (src/markdown.js,
// the same safe subset: text only ever enters the page as text), the front matter left out.
// The widget's renderer has no headings (answers have none), so `#` lines, which start the
// sections that answers cite, are drawn here as headings and the text between them by
// renderMarkdown.
import { renderMarkdown } from "../markdown.js";
import { el } from "../rich.js";

const FRONT_MATTER = /^---[ \t]*\r?\n[\s\S]*?\r?\n---[ \t]*(\r?\n|$)/;
const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;

export function stripFrontMatter(text) {
  return String(text || "").replace(FRONT_MATTER, "");
}

export function renderPreview(text, { base = location.origin } = {}) {
  const out = document.createDocumentFragment();
  const body = stripFrontMatter(text).replace(/\r\n?/g, "\n");
  let run = [];
  let previous = 2; // the preview sits under the page's h2
  const flush = () => {
    const chunk = run.join("\n").trim();
    if (chunk) out.appendChild(renderMarkdown(chunk, { base }));
    run = [];
  };
  for (const line of body.split("\n")) {
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      // The document's "#" is the preview's h3 (the page's own headings come first), and a
      // heading is never more than one level below the one before it.
      const level = Math.min(6, heading[1].length + 2, previous + 1);
      previous = level;
      out.appendChild(el(`h${level}`, "ad-preview-h", heading[2]));
    } else {
      run.push(line);
    }
  }
  flush();
  return out;
}
