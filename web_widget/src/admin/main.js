// The admins' console, served at /admin (admin.html loads this bundle, dist/admin.js).
// Boot: pick the language, ask the server who is signed in, then show the sign-in page (the
// agent console's own), the console, or — for an agent — the way to /agent. A session that
// ends (401 on a request) comes back to sign in.
import { createApi } from "./api.js";
import { startConsole } from "./app.js";
import { LANGUAGES, pickLanguage } from "./i18n.js";
import { renderNotAdmin } from "./notadmin.js";
import { ADMIN_CSS } from "./styles.js";
import { renderLogin } from "../agent/login.js";
import { CONSOLE_CSS } from "../agent/styles.js";
import { CSS as WIDGET_CSS } from "../styles.js";

const lang = pickLanguage();
const t = LANGUAGES[lang];
let running = null;
let user = null;

// The widget's stylesheet draws the test console's reply exactly as the shopper sees it; the
// agent console's rules (`ac-` classes: buttons, fields, the sign-in page) come next and the
// admin console's own (`ad-`) last.
function installStyles() {
  const style = document.createElement("style");
  style.textContent = `${WIDGET_CSS}\n${CONSOLE_CSS}\n${ADMIN_CSS}`;
  document.head.appendChild(style);
}

const api = createApi({
  onUnauthorized: () => { if (running) signedOut(t.signedOutNotice); },
  onForbidden: () => { if (running && user) notAdmin(user); },
});

function stop() {
  if (running) { running.stop(); running = null; }
}

async function signOut() {
  try { await api.post("/api/auth/logout", {}); } catch { /* the session is gone either way */ }
  signedOut(null);
}

function signedOut(notice) {
  stop();
  user = null;
  api.setCsrf(null);
  document.title = t.pageTitle;
  renderLogin({ t, lang, api, notice, onSignedIn: start });
}

function notAdmin(member) {
  stop();
  document.title = t.pageTitle;
  renderNotAdmin({ t, lang, user: member, onSignOut: signOut });
}

function start(auth) {
  stop();
  user = auth.user;
  api.setCsrf(auth.csrf_token);
  if (!user || user.role !== "admin") {
    notAdmin(user || {});
    return;
  }
  running = startConsole({ t, lang, api, user, onSignOut: signOut });
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
