"""The page a citation's link opens: a document of the knowledge base, read from the index.

A citation links to `/kb/<doc_id>#<section>`; the page shows the document's sections in
order, each with the anchor its links use, so the quoted sentence can be read in context.
Everything is rendered as escaped text: documents are data, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from assistant.knowledge.documents import slug
from assistant.knowledge.index import KnowledgeIndex


@dataclass(frozen=True)
class Section:
    heading: str
    anchor: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class DocumentPage:
    doc_id: str
    title: str
    updated: str
    sections: tuple[Section, ...]


def document_page(index: KnowledgeIndex, doc_id: str) -> DocumentPage | None:
    """The document's sections in order, or None when no chunk of it is indexed."""
    chunks = index.document(doc_id) if doc_id else []
    if not chunks:
        return None
    sections: list[Section] = []
    for text, metadata in chunks:
        heading = str(metadata.get("section") or "")
        if sections and sections[-1].heading == heading:
            last = sections[-1]
            sections[-1] = Section(last.heading, last.anchor, (*last.paragraphs, text))
        else:
            sections.append(Section(heading, slug(heading) if heading else "", (text,)))
    first = chunks[0][1]
    return DocumentPage(
        doc_id=doc_id,
        title=str(first.get("title") or doc_id),
        updated=str(first.get("updated") or ""),
        sections=tuple(sections),
    )


_STYLE = """
body { font: 16px/1.55 system-ui, sans-serif; color: #1f2328; background: #fff; margin: 0; }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; }
.meta { color: #57606a; margin: 0 0 1.5rem; }
section { border-radius: 6px; padding: .1rem .75rem; margin: 0 -.75rem; }
section:target { background: #fff8c5; outline: 2px solid #d4a72c; }
"""


def render_html(page: DocumentPage, *, store_name: str) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(page.title)} · {escape(store_name)}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body><main><article>",
        f"<h1>{escape(page.title)}</h1>",
    ]
    meta = escape(store_name) + (f" · updated {escape(page.updated)}" if page.updated else "")
    parts.append(f'<p class="meta">{meta}</p>')
    for section in page.sections:
        anchor = f' id="{escape(section.anchor)}"' if section.anchor else ""
        parts.append(f"<section{anchor}>")
        if section.heading:
            parts.append(f"<h2>{escape(section.heading)}</h2>")
        parts += [f"<p>{escape(paragraph)}</p>" for paragraph in section.paragraphs]
        parts.append("</section>")
    parts.append("</article></main></body></html>")
    return "\n".join(parts)
