// The widget's chrome, in a shadow root: the launcher (with its unread badge), the panel (a
// dialog) with its header (title, connection state, close), the hand-off banner, the log and
// typing indicator that transcript.js draws, and the form. Only DOM: what happens on a click,
// a submit or a keystroke is the caller's (`on`).
import { button, el } from "./rich.js";
import { CSS } from "./styles.js";

const COLOR_VARS = ["accent", "accent-fg", "bg", "fg", "muted", "bot-bg", "user-bg", "user-fg", "notice-bg", "border"];
const SVG = "http://www.w3.org/2000/svg";

function launcherIcon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  svg.appendChild(path);
  return svg;
}

/*
 * opts: the embed options (position, accent, colors); t, lang, title, avatar (a safe URL or
 * null); transcript: its `log` and `typing` nodes. on: launcher(), close(), submit(text),
 * input(hasText).
 */
export function createView({ opts, t, lang, title, avatar, transcript }, on) {
  const host = el("div");
  host.id = "aisle-widget";
  host.lang = lang;
  if (opts.position === "left") host.dataset.position = "left";
  const root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", null, CSS));
  if (opts.accent) host.style.setProperty("--aisle-accent", opts.accent);
  for (const [name, value] of Object.entries(opts.colors || {})) {
    if (COLOR_VARS.includes(name)) host.style.setProperty(`--aisle-${name}`, String(value));
  }

  const panel = el("div", "panel");
  panel.id = "aisle-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  const header = el("div", "header");
  if (avatar) {
    const img = el("img", "avatar");
    img.alt = "";
    img.src = avatar;
    header.appendChild(img);
  }
  const heading = el("div", "heading");
  const conn = el("span", "conn");
  conn.setAttribute("role", "status");
  heading.append(el("h2", "aisle-title", title), conn);
  const closeBtn = button("×", "close", () => on.close());
  closeBtn.setAttribute("aria-label", t.closeChat);
  header.append(heading, closeBtn);
  const banner = el("div", "aisle-banner");
  banner.hidden = true;
  banner.setAttribute("role", "status");
  const form = el("form", "form");
  const input = el("input", "input");
  input.type = "text";
  input.placeholder = t.placeholder;
  input.setAttribute("aria-label", t.message);
  input.autocomplete = "off";
  input.maxLength = 2000;
  const sendBtn = el("button", "send", t.send);
  sendBtn.type = "submit";
  form.append(input, sendBtn);
  panel.append(header, banner, transcript.log, transcript.typing, form);

  const launcher = el("button", "launcher");
  launcher.type = "button";
  if (avatar) {
    const img = el("img");
    img.alt = "";
    img.src = avatar;
    launcher.appendChild(img);
  } else {
    launcher.appendChild(launcherIcon());
  }
  launcher.setAttribute("aria-controls", "aisle-panel");
  launcher.setAttribute("aria-expanded", "false");
  const badge = el("span", "aisle-badge");
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");
  launcher.appendChild(badge);
  root.append(panel, launcher);

  const connText = { connecting: t.connecting, reconnecting: t.reconnecting, live: "", unavailable: t.unavailable };

  const view = {
    host,
    input,
    get isOpen() { return !panel.hidden; },

    // "connecting", "reconnecting", "live" (nothing to say) or "unavailable".
    setConnection(name) { conn.textContent = connText[name]; },

    // kind: state.banner()'s null, "agent", "away" or "waiting".
    setBanner(kind, agentName) {
      if (!kind) banner.hidden = true;
      else {
        banner.hidden = false;
        if (kind === "agent") banner.textContent = t.chattingWith(agentName);
        else banner.textContent = kind === "away" ? t.awayBanner : t.waiting;
      }
    },

    setUnread(unread) {
      badge.hidden = unread === 0;
      badge.textContent = String(unread);
      launcher.setAttribute("aria-label", `${t.openChat}: ${title}${unread ? ` (${t.newMessages(unread)})` : ""}`);
    },

    // Shows the panel; true when it was hidden.
    show() {
      const wasHidden = panel.hidden;
      panel.hidden = false;
      host.dataset.open = "";
      launcher.setAttribute("aria-expanded", "true");
      return wasHidden;
    },

    hide() {
      panel.hidden = true;
      delete host.dataset.open;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    },
  };
  view.setUnread(0);

  launcher.addEventListener("click", () => on.launcher());
  panel.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.stopPropagation(); on.close(); } });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    on.submit(input.value);
    input.value = "";
  });
  input.addEventListener("input", () => on.input(Boolean(input.value.trim())));
  return view;
}
