// The console's header: who is signed in, how many agents are online, the connection, the
// sound and notification switches (kept in localStorage), the language and sign-out. Also the
// polite live region that reads rings and results out.
import { el, button } from "../rich.js";
import { LANGUAGE_NAMES } from "./i18n.js";
import { askNotificationPermission, notificationPermission, notificationsSupported, prefs } from "./ring.js";

// The language switch: the page reloads in the other language, on the same conversation.
export function languageSwitch(t, lang) {
  const box = el("div", "ac-lang");
  const label = el("label", "ac-lang-label", t.language);
  label.htmlFor = "ac-lang";
  const select = el("select", "ac-select");
  select.id = "ac-lang";
  for (const [code, name] of Object.entries(LANGUAGE_NAMES)) {
    const option = el("option", null, name);
    option.value = code;
    option.lang = code;
    select.appendChild(option);
  }
  select.value = lang;
  select.addEventListener("change", () => {
    const url = new URL(location.href);
    url.searchParams.set("lang", select.value);
    location.assign(url.href);
  });
  box.append(label, select);
  return box;
}

function toggle(id, text, testid, checked) {
  const label = el("label", "ac-toggle");
  const input = el("input");
  input.type = "checkbox";
  input.id = id;
  input.setAttribute("role", "switch");
  input.dataset.testid = testid;
  input.checked = checked;
  label.append(input, el("span", null, text));
  return { label, input };
}

export function createHeader({ t, lang, onSignOut }) {
  const header = el("header", "ac-header");
  const h1 = el("h1", "ac-brand", t.appName);
  const presence = el("p", "ac-presence");
  const conn = el("span", "ac-conn");
  const who = el("span", "ac-who");
  presence.append(conn, who);

  const sound = toggle("ac-sound", t.sound, "sound-toggle", prefs.get("sound", true));
  sound.input.addEventListener("change", () => prefs.set("sound", sound.input.checked));
  const canNotify = notificationsSupported();
  const notify = toggle("ac-notify", t.notifications, "notify-toggle",
    canNotify && prefs.get("notify", false) && notificationPermission() === "granted");
  notify.input.addEventListener("change", async () => {
    if (!notify.input.checked) { prefs.set("notify", false); return; }
    // The click is the gesture the browser wants before it asks for permission.
    const granted = await askNotificationPermission();
    notify.input.checked = granted;
    prefs.set("notify", granted);
    if (!granted) announce(t.notificationsBlocked);
  });
  const prefsBox = el("div", "ac-prefs");
  prefsBox.setAttribute("role", "group");
  prefsBox.setAttribute("aria-label", `${t.sound}, ${t.notifications}`);
  prefsBox.append(sound.label, notify.label);

  const signOut = button(t.signOut, "ac-btn ac-btn-quiet", onSignOut);
  signOut.dataset.testid = "sign-out";
  const tools = el("div", "ac-tools");
  tools.append(prefsBox, languageSwitch(t, lang), signOut);
  header.append(h1, presence, tools);

  const live = el("div", "sr-only");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  live.id = "ac-announcer";

  function announce(text) {
    // Cleared first, so the same words twice are read twice.
    live.textContent = "";
    setTimeout(() => { live.textContent = text; }, 60);
  }

  return {
    node: header,
    live,
    announce,
    soundOn: () => sound.input.checked,
    notifyOn: () => notify.input.checked && notificationPermission() === "granted",
    render(state) {
      const parts = [];
      if (state.me) parts.push(t.signedInAs(state.me.name));
      if (state.agentsOnline != null) parts.push(t.agentsOnline(state.agentsOnline));
      if (!state.openNow) parts.push(t.outsideHours);
      who.textContent = parts.join(" · ");
      const label = { live: t.live, connecting: t.connecting, reconnecting: t.reconnecting, refused: t.error }[state.connection] || "";
      conn.textContent = label;
      conn.className = `ac-conn ac-conn-${state.connection}`;
    },
  };
}
