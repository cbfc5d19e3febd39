// The test console: a question asked as a shopper would (a throwaway conversation the server
// never stores), the reply drawn exactly as the widget draws it (the agent console's
// transcript, built on the widget's rich.js and markdown.js), each question's answer with its
// grounding, and the passages the search found with their hybrid, lexical and vector scores.
import { el } from "../rich.js";
import { safeUrl } from "../markdown.js";
import { createTranscript } from "../agent/transcript.js";
import { score } from "./format.js";
import { badge, pageHead, table } from "./ui.js";

export function createTestPage(ctx) {
  const { t, lang, api, state, announce } = ctx;
  const node = el("div", "ad-page ad-test");
  node.appendChild(pageHead(t, t.testTitle, t.testIntro));

  const form = el("form", "ad-ask");
  form.noValidate = true;
  const label = el("label", "ad-label", t.question);
  label.htmlFor = "ad-question";
  const input = el("input", "ac-input ad-question");
  input.id = "ad-question";
  input.type = "text";
  input.maxLength = 1000;
  input.autocomplete = "off";
  input.placeholder = t.questionPlaceholder;
  input.dataset.testid = "test-question";
  const ask = el("button", "ac-btn ac-btn-primary", t.ask);
  ask.type = "submit";
  ask.dataset.testid = "test-ask";
  const row = el("div", "ad-ask-row");
  row.append(input, ask);
  const error = el("p", "ac-error");
  error.id = "ad-ask-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  form.append(label, row, error);
  node.appendChild(form);

  const results = el("div", "ad-test-results");
  results.setAttribute("aria-busy", "false");
  node.appendChild(results);

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", error.id);
  }

  function replySection(result) {
    const section = el("section", "ad-pane ad-reply");
    section.dataset.testid = "test-reply";
    section.setAttribute("aria-labelledby", "ad-reply-h");
    const h2 = el("h2", "ad-pane-title", t.shopperSees);
    h2.id = "ad-reply-h";
    section.appendChild(h2);
    const transcript = createTranscript({ t, lang });
    transcript.node.dataset.testid = "test-transcript";
    transcript.node.classList.add("ad-transcript");
    const now = new Date().toISOString();
    const messages = [{ seq: 0, role: "user", text: result.question, created_at: now }];
    (result.reply || []).forEach((frame, i) => {
      messages.push({ ...frame, seq: i + 1, role: frame.role || "bot", created_at: frame.created_at || now });
    });
    transcript.set(messages);
    section.appendChild(transcript.node);
    if (!(result.reply || []).length) section.appendChild(el("p", "ad-muted", t.noReply));
    if (result.handoff) {
      const note = el("p", "ad-banner ad-banner-handoff", t.handsOff);
      note.dataset.testid = "test-handoff";
      section.appendChild(note);
    }
    return section;
  }

  function sourceList(sources) {
    const list = el("ol", "ad-sources");
    list.setAttribute("aria-label", t.sourcesLabel);
    for (const source of sources) {
      const li = el("li");
      const text = `${source.title || ""}${source.section ? ` — ${source.section}` : ""}`;
      const href = source.link && safeUrl(source.link, location.origin);
      if (href) {
        const a = el("a", null, text);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        li.appendChild(a);
      } else {
        li.textContent = text;
      }
      list.appendChild(li);
    }
    return list;
  }

  function groundingSection(result) {
    const section = el("section", "ad-pane ad-grounding");
    section.dataset.testid = "test-grounding";
    section.setAttribute("aria-labelledby", "ad-grounding-h");
    const h2 = el("h2", "ad-pane-title", t.grounding);
    h2.id = "ad-grounding-h";
    section.append(h2, el("p", "ad-hint", t.groundingHint));
    const findings = result.findings || [];
    if (!findings.length) {
      section.appendChild(el("p", "ad-muted", t.noFindings));
      return section;
    }
    const list = el("ul", "ad-findings");
    for (const finding of findings) {
      const li = el("li", `ad-finding ${finding.covered ? "ad-finding-covered" : "ad-finding-missing"}`);
      li.dataset.testid = "finding";
      if (finding.grounding) li.dataset.grounding = finding.grounding;
      li.appendChild(el("p", "ad-finding-q", `“${finding.question}”`));
      const line = el("p", "ad-badges");
      line.appendChild(badge(finding.covered ? t.covered : t.notCovered, finding.covered ? "ok" : "warn"));
      if (finding.confidence != null) line.appendChild(el("span", "ad-muted ad-small", t.confidence(score(finding.confidence, lang))));
      li.appendChild(line);
      if (finding.grounding) {
        const g = el("p", `ad-grounding-kind ad-grounding-${finding.grounding}`, t.groundingKinds[finding.grounding] || finding.grounding);
        li.appendChild(g);
      }
      if (finding.sources && finding.sources.length) li.appendChild(sourceList(finding.sources));
      if (finding.missing && finding.missing.length) {
        li.appendChild(el("p", "ad-small", `${t.missing}: ${finding.missing.join(", ")}`));
      }
      list.appendChild(li);
    }
    section.appendChild(list);
    return section;
  }

  function passagesSection(result) {
    const section = el("section", "ad-pane ad-passages");
    section.setAttribute("aria-labelledby", "ad-passages-h");
    const h2 = el("h2", "ad-pane-title", t.passages);
    h2.id = "ad-passages-h";
    section.append(h2, el("p", "ad-hint", t.passagesHint));
    const passages = result.passages || [];
    if (!passages.length) {
      section.appendChild(el("p", "ad-muted", t.noPassages));
      return section;
    }
    const modes = ["hybrid", "lexical", "vector"];
    const best = {};
    for (const mode of modes) best[mode] = Math.max(0, ...passages.map((p) => Number(p[mode]) || 0));
    const grid = table(t.passages, [
      { label: t.colRank, cls: "ad-num" }, t.colPassage,
      { label: t.colHybrid, cls: "ad-num" }, { label: t.colLexical, cls: "ad-num" }, { label: t.colVector, cls: "ad-num" },
    ], { captionHidden: true, cls: "ad-passages-table" });
    passages.forEach((p, i) => {
      const tr = el("tr");
      tr.dataset.testid = "passage-row";
      tr.dataset.id = p.id;
      tr.appendChild(el("td", "ad-num", String(i + 1)));
      const what = el("td", "ad-passage");
      const name = `${p.title || p.id}${p.section ? ` — ${p.section}` : ""}`;
      const href = p.link && safeUrl(p.link, location.origin);
      if (href) {
        const a = el("a", "ad-passage-title", name);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        what.appendChild(a);
      } else {
        what.appendChild(el("span", "ad-passage-title", name));
      }
      what.appendChild(el("p", "ad-passage-text", p.text || ""));
      tr.appendChild(what);
      for (const mode of modes) {
        const td = el("td", "ad-num ad-score");
        td.dataset.mode = mode;
        const value = p[mode];
        td.appendChild(el("span", "ad-score-n", score(value, lang)));
        if (value != null && best[mode] > 0) {
          const bar = el("span", "ad-score-bar");
          bar.setAttribute("aria-hidden", "true");
          bar.style.width = `${Math.max(4, Math.round((Number(value) / best[mode]) * 100))}%`;
          td.appendChild(bar);
        }
        tr.appendChild(td);
      }
      grid.body.appendChild(tr);
    });
    section.appendChild(grid.node);
    return section;
  }

  function render(result) {
    const top = el("div", "ad-test-grid");
    top.append(replySection(result), groundingSection(result));
    results.replaceChildren(top, passagesSection(result));
  }

  async function run(question) {
    error.hidden = true;
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    if (!question) {
      showError(t.needQuestion);
      input.focus();
      return;
    }
    ask.disabled = true;
    ask.textContent = t.asking;
    results.setAttribute("aria-busy", "true");
    try {
      const result = await api.post("/api/admin/kb/test", { question });
      state.test = { question, result };
      render(result);
      announce(`${t.shopperSees}: ${(result.reply || []).map((m) => m.text || "").join(" ").slice(0, 300)}`);
    } catch (err) {
      if (!(err.status === 401 || err.code === "role_required")) showError(err.status === 0 ? t.unreachable : err.message || t.error);
    } finally {
      ask.disabled = false;
      ask.textContent = t.ask;
      results.setAttribute("aria-busy", "false");
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run(input.value.trim());
  });

  return {
    node,
    title: t.testTitle,
    start() {
      const last = state.test;
      if (!last) return;
      input.value = last.question || "";
      if (last.result) render(last.result);
      if (last.auto) {
        state.test = { question: last.question };
        run(last.question);
      }
    },
  };
}
