// The support agents' console, served at /agent (agent.html loads this bundle, dist/agent.js).
// Boot: pick the language, ask the server who is signed in, then show the sign-in page or the
// console. A session that ends (401 on a request, 4401 on the socket) comes back here.
import { createApi } from "./api.js";
import { startConsole } from "./app.js";
import { LANGUAGES, pickLanguage } from "./i18n.js";
import { renderLogin } from "./login.js";
import { CONSOLE_CSS } from "./styles.js";
import { CSS as WIDGET_CSS } from "../styles.js";

const lang = pickLanguage();
const t = LANGUAGES[lang];
let running = null;

// The widget's stylesheet draws the transcript exactly as the shopper saw it; the console's
// own rules (all `ac-` classes) come after it.
function installStyles() {
  const style = document.createElement("style");
  style.textContent = `${WIDGET_CSS}\n${CONSOLE_CSS}`;
  document.head.appendChild(style);
}

const api = createApi({ onUnauthorized: () => { if (running) signedOut(t.signedOutNotice); } });

function signedOut(notice) {
  if (running) { running.stop(); running = null; }
  api.setCsrf(null);
  document.title = t.pageTitle;
  renderLogin({ t, lang, api, notice, onSignedIn: start });
}

function start(auth) {
  if (running) running.stop();
  running = startConsole({
    t, lang, api, auth,
    onSignOut: async ({ expired }) => {
      if (!expired) {
        try { await api.post("/api/auth/logout", {}); } catch { /* the session is gone either way */ }
      }
      signedOut(expired ? t.signedOutNotice : null);
    },
  });
}

async function boot() {
  document.documentElement.lang = lang;
  document.title = t.pageTitle;
  installStyles();
  try {
    start(await api.get("/api/auth/me"));
  } catch (err) {
    signedOut(err.status === 401 || err.status === 403 ? null : t.unreachable);
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot, { once: true });
else boot();
