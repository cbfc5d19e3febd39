// A small Markdown subset, rendered into DOM nodes: paragraphs, line breaks, "- " and "1. "
// lists, **bold**, *italic* or _italic_, `code`, [links](https://…) and citation marks [1].
// Text only ever enters the page through text nodes: HTML in a message is shown as typed.

const INLINE = /(\*\*[^*\n]+?\*\*|`[^`\n]+`|\[[^\]\n]+\]\([^)\s]+\)|\[\d{1,2}\]|(?<![\w*])\*[^*\s][^*\n]*?\*(?!\w)|(?<!\w)_[^_\s][^_\n]*?_(?!\w))/;

// Links only to http(s) pages, or to a path on the assistant's own server.
export function safeUrl(url, base) {
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function inline(parent, text, opts) {
  for (const part of text.split(INLINE)) {
    if (!part) continue;
    let node;
    if (part.startsWith("**") && part.endsWith("**") && part.length > 4) {
      node = document.createElement("strong");
      inline(node, part.slice(2, -2), opts);
    } else if (part.startsWith("`") && part.endsWith("`") && part.length > 2) {
      node = document.createElement("code");
      node.textContent = part.slice(1, -1);
    } else if (/^\[\d{1,2}\]$/.test(part)) {
      node = citation(part, opts);
    } else if (part.startsWith("[") && part.endsWith(")") && part.includes("](")) {
      node = link(part, opts);
    } else if ((part[0] === "*" || part[0] === "_") && part.endsWith(part[0]) && part.length > 2) {
      node = document.createElement("em");
      inline(node, part.slice(1, -1), opts);
    } else {
      node = document.createTextNode(part);
    }
    parent.appendChild(node);
  }
}

function link(part, opts) {
  const split = part.indexOf("](");
  const label = part.slice(1, split);
  const href = safeUrl(part.slice(split + 2, -1), opts.base);
  if (!href) return document.createTextNode(label);
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = label;
  return a;
}

// "[2]" becomes a link to the second source when the message has one.
function citation(part, opts) {
  const n = Number(part.slice(1, -1));
  const source = opts.sources && opts.sources[n - 1];
  const href = source && source.link && safeUrl(source.link, opts.base);
  if (!href) return document.createTextNode(part);
  const a = document.createElement("a");
  a.className = "aisle-cite";
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = part;
  a.title = source.title || "";
  return a;
}

const BULLET = /^\s*[-*•]\s+/;
const NUMBERED = /^\s*\d{1,3}[.)]\s+/;

// Markdown text -> a DocumentFragment. `opts.base` resolves relative links; `opts.sources`
// are the answer's sources, for citation marks.
export function renderMarkdown(text, opts = {}) {
  const out = document.createDocumentFragment();
  const blocks = String(text).replace(/\r\n?/g, "\n").split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split("\n").filter((line) => line.trim());
    if (!lines.length) continue;
    let i = 0;
    while (i < lines.length) {
      const kind = BULLET.test(lines[i]) ? "ul" : NUMBERED.test(lines[i]) ? "ol" : null;
      if (kind) {
        const list = document.createElement(kind);
        const marker = kind === "ul" ? BULLET : NUMBERED;
        while (i < lines.length && marker.test(lines[i])) {
          const item = document.createElement("li");
          inline(item, lines[i].replace(marker, ""), opts);
          list.appendChild(item);
          i += 1;
        }
        out.appendChild(list);
      } else {
        const p = document.createElement("p");
        let first = true;
        while (i < lines.length && !BULLET.test(lines[i]) && !NUMBERED.test(lines[i])) {
          if (!first) p.appendChild(document.createElement("br"));
          inline(p, lines[i], opts);
          first = false;
          i += 1;
        }
        out.appendChild(p);
      }
    }
  }
  return out;
}
