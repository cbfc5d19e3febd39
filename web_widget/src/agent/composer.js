// The reply composer: a textarea (Enter sends, Shift+Enter breaks the line), the saved
// replies picker, and the typing signal the shopper sees ("Dana is typing…"): `true` at most
// every 3 s while the agent types, `false` when the text is sent, emptied or left.
import { el } from "../rich.js";
import { fillPlaceholders, firstGap } from "./replies.js";

const TYPING_EVERY_MS = 3000;
let uid = 0;

export function createComposer({ t, onSend, onTyping, placeholders }) {
  const n = ++uid;
  const form = el("form", "ac-composer");
  form.setAttribute("aria-label", t.reply);
  const top = el("div", "ac-composer-top");
  const label = el("label", "ac-label", t.reply);
  label.htmlFor = `ac-reply-${n}`;
  const savedLabel = el("label", "sr-only", t.savedReplies);
  savedLabel.htmlFor = `ac-saved-${n}`;
  const saved = el("select", "ac-select ac-saved");
  saved.id = `ac-saved-${n}`;
  saved.dataset.testid = "saved-replies";
  top.append(label, savedLabel, saved);

  const input = el("textarea", "ac-textarea ac-reply");
  input.id = `ac-reply-${n}`;
  input.rows = 3;
  input.maxLength = 4000;
  input.placeholder = t.replyPlaceholder;
  input.dataset.testid = "reply-input";
  const hint = el("p", "ac-hint");
  hint.id = `ac-reply-hint-${n}`;
  input.setAttribute("aria-describedby", hint.id);
  const send = el("button", "ac-btn ac-btn-primary", t.send);
  send.type = "submit";
  send.dataset.testid = "reply-send";
  const bottom = el("div", "ac-composer-bottom");
  bottom.append(hint, send);
  const error = el("p", "ac-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  form.append(top, input, bottom, error);

  let enabled = false;
  let typingSince = 0;   // when `true` was last sent; 0 = the shopper was told we stopped
  let sending = false;

  function stopTyping() {
    if (typingSince) { typingSince = 0; onTyping(false); }
  }

  function typed() {
    if (!enabled) return;
    if (hint.textContent === t.fillIn && !firstGap(input.value)) hint.textContent = "";
    if (!input.value.trim()) { stopTyping(); return; }
    const now = Date.now();
    if (now - typingSince >= TYPING_EVERY_MS) { typingSince = now; onTyping(true); }
  }

  async function submit() {
    const text = input.value.trim();
    if (!enabled || sending || !text) return;
    sending = true;
    send.disabled = true;
    error.hidden = true;
    stopTyping();
    try {
      await onSend(text);
      input.value = "";
    } catch (err) {
      error.textContent = t.notSent(err.message || t.error);
      error.hidden = false;
    } finally {
      sending = false;
      send.disabled = !enabled;
      if (enabled) input.focus();
    }
  }

  function insertSaved(reply) {
    const text = fillPlaceholders(reply.text, placeholders());
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    const before = input.value.slice(0, start);
    const glue = before && !/\s$/.test(before) ? " " : "";
    input.value = before + glue + text + input.value.slice(end);
    input.focus();
    const gap = firstGap(text);
    const at = before.length + glue.length;
    if (gap) {
      input.setSelectionRange(at + gap[0], at + gap[1]);
      hint.textContent = t.fillIn;
    } else {
      input.setSelectionRange(at + text.length, at + text.length);
    }
    typed();
  }

  let replies = [];
  saved.addEventListener("change", () => {
    const reply = replies.find((r) => String(r.id) === saved.value);
    saved.value = "";
    if (reply) insertSaved(reply);
  });
  form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  input.addEventListener("input", typed);
  input.addEventListener("blur", stopTyping);

  return {
    node: form,
    setReplies(list) {
      replies = list || [];
      const first = el("option", null, t.insertSaved);
      first.value = "";
      saved.replaceChildren(first, ...replies.map((r) => {
        const option = el("option", null, r.title || r.id);
        option.value = String(r.id);
        return option;
      }));
    },
    // Only the holder replies; the hint says why the box is off otherwise.
    setEnabled(on, why) {
      if (!on) stopTyping();
      enabled = on;
      input.disabled = !on;
      saved.disabled = !on || !replies.length;
      send.disabled = !on || sending;
      hint.textContent = on ? "" : why || "";
      form.classList.toggle("ac-off", !on);
    },
    text() { return input.value; },
    reset(text = "") { stopTyping(); input.value = text; error.hidden = true; },
    stopTyping,
    focus() { if (enabled) input.focus(); },
  };
}
