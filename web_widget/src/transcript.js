// The conversation as DOM: the log (role="log") with the greeting, the stored messages in seq
// order (typed payloads through rich.js), the shopper's messages not yet echoed (`.aisle-local`,
// always last), drafts of replies being written, the rating prompt and "not sent" notes; and
// the typing indicator under it. It decides nothing about seqs: the caller passes each message
// once, in order.
import { renderMarkdown } from "./markdown.js";
import { button, el, messageNode, ratingPrompt } from "./rich.js";

const TYPING_TIMEOUT_MS = 30000;

/*
 * ctx: rich.js's context ({t, lang, base, send}); greeting: Markdown or empty. on: reply(title,
 * payload) for a quick reply, rate(score), focus() (back to the input after a rating) and
 * retry(clientId, item) for a message not sent.
 */
export function createTranscript({ ctx, greeting }, on) {
  const { t, base } = ctx;
  const bubbles = new Map(); // client_id -> the shopper's own message node in this page
  const drafts = new Map();  // draft id -> its node
  let lastReplies = null;
  let rating = null;         // the open rating prompt, if any
  let typingTimer = 0;

  const log = el("div", "aisle-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", t.conversation);
  log.tabIndex = 0;
  const typing = el("div", "aisle-typing");
  const typingText = el("em", null, t.typing);
  typing.append(el("span"), el("span"), el("span"), typingText);
  typing.hidden = true;

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // Server messages go before the shopper's not-yet-echoed messages, keeping seq order.
  function place(node) {
    log.insertBefore(node, log.querySelector(".aisle-local"));
    scrollDown();
  }

  function greet() {
    if (!greeting) return;
    const node = el("div", "aisle-msg aisle-bot aisle-greeting");
    const bubble = el("div", "bubble");
    bubble.appendChild(renderMarkdown(greeting, { base }));
    node.appendChild(bubble);
    log.prepend(node);
  }

  function stored(m, custom, kind, agentName) {
    // The set of replies is disabled by the next message: keep the keyboard in the conversation.
    const node = messageNode(m, custom, kind, ctx, { agentName, onReply: (b) => on.reply(b.title, b.payload) });
    const replies = node.querySelector(":scope > .aisle-replies");
    if (replies) lastReplies = replies;
    if (!node.childNodes.length) node.classList.add("aisle-empty");
    return node;
  }

  const transcript = {
    log,
    typing,
    scrollDown,
    greet,

    // A stored message (custom: m.custom or null; kind: its type). The shopper's own, echoed,
    // takes the place of its local bubble; agentName: who holds the hand-off so far.
    message(m, custom, kind, agentName) {
      if (lastReplies) { lastReplies.querySelectorAll("button").forEach((b) => { b.disabled = true; }); lastReplies = null; }
      if (m.replaces && drafts.has(m.replaces)) { drafts.get(m.replaces).remove(); drafts.delete(m.replaces); }
      if (m.role === "user" && m.client_id && bubbles.has(m.client_id)) {
        const node = bubbles.get(m.client_id); // our own, echoed in order
        node.classList.remove("aisle-local");
        bubbles.delete(m.client_id);
        node.dataset.seq = String(m.seq);
        scrollDown();
      } else {
        place(stored(m, custom, kind, agentName));
      }
    },

    // The shopper's message, shown at once and kept last until the server echoes it.
    local(clientId, item) {
      const node = el("div", "aisle-msg aisle-user aisle-local");
      node.appendChild(el("div", "bubble", item.text));
      node.aisleMessage = item;
      bubbles.set(clientId, node);
      log.appendChild(node);
    },

    draft(f) {
      let node = drafts.get(f.id);
      if (!node) {
        node = el("div", "aisle-msg aisle-bot aisle-draft");
        node.setAttribute("aria-busy", "true");
        node.appendChild(el("div", "bubble"));
        drafts.set(f.id, node);
        place(node);
      }
      const bubble = node.firstChild;
      bubble.replaceChildren(renderMarkdown(f.text, { base }));
      scrollDown();
    },

    // `author`: a person on the team is typing ("Dana is typing…"); none: the assistant.
    setTyping(active, author) {
      clearTimeout(typingTimer);
      typing.hidden = !active;
      typingText.textContent = active && author ? t.agentTyping(author) : t.typing;
      if (active) typingTimer = setTimeout(() => transcript.setTyping(false), TYPING_TIMEOUT_MS);
      else for (const node of drafts.values()) node.remove(); // no message replaced them
      if (!active) drafts.clear();
      scrollDown();
    },

    // A reply arrived: the indicator goes, its timer and any drafts stay.
    hideTyping() { typing.hidden = true; },

    showRating() {
      if (rating) return;
      rating = ratingPrompt(ctx, (score) => {
        on.rate(score);
        rating.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        on.focus();
      });
      place(rating);
    },

    closeRating() {
      if (rating) { rating.remove(); rating = null; }
    },

    // The server refused the shopper's message: say so under it, with a retry.
    failed(clientId, message) {
      const node = bubbles.get(clientId);
      const item = node && node.aisleMessage;
      const note = el("div", "aisle-failed", `${t.notSent} ${message} `);
      if (node) node.classList.remove("aisle-local"); // so later messages go after it
      if (item) {
        note.appendChild(button(t.retry, null, () => {
          note.remove();
          if (node) { node.classList.add("aisle-local"); log.appendChild(node); }
          on.retry(clientId, item);
        }));
      }
      if (node) node.after(note); else log.appendChild(note);
      scrollDown();
    },

    // A new conversation: everything but the shopper's unacked messages goes; the greeting
    // comes back.
    clear() {
      transcript.closeRating();
      for (const node of [...log.children]) if (!node.classList.contains("aisle-local")) node.remove();
      greet();
    },
  };
  greet();
  return transcript;
}
