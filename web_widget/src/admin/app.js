// The signed-in console: a header with the sections (Knowledge base, Catalog, Test, Gaps,
// Analytics, Audit log), the admin's name, the language and sign-out, and one page at a time
// below it. The page on screen is in the address (`#kb`, `#kb/<doc_id>`, `#kb/new`, `#catalog`,
// `#test`, `#gaps`, `#analytics`, `#audit`), so a reload or a language switch comes back to it.
import { button, el } from "../rich.js";
import { languageSwitch } from "../agent/header.js";
import { createAnalyticsPage } from "./analytics.js";
import { createAuditPage } from "./audit.js";
import { createCatalogPage } from "./catalog.js";
import { createEditorPage } from "./editor.js";
import { createGapsPage } from "./gaps.js";
import { createDocumentsPage } from "./documents.js";
import { createTestPage } from "./test.js";

const SECTIONS = ["kb", "catalog", "test", "gaps", "analytics", "audit"];

export function parseRoute(hash = location.hash) {
  const path = decodeURIComponent(hash.replace(/^#\/?/, ""));
  const [section, ...rest] = path.split("/");
  if (section === "kb" && rest.length) {
    const id = rest.join("/");
    return id === "new" ? { section: "kb", page: "new" } : { section: "kb", page: "doc", id };
  }
  return { section: SECTIONS.includes(section) ? section : "kb", page: "list" };
}

export function startConsole({ t, lang, api, user, onSignOut }) {
  // What outlives one page: unsaved drafts by document, the gap an answer is being written
  // for, the test console's last question and answer, a message to show on the next page, the
  // catalog import being followed.
  const state = { drafts: new Map(), gap: null, test: null, flash: null, catalog: null };

  const live = el("div", "sr-only");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  live.id = "ad-announcer";
  function announce(text) {
    // Cleared first, so the same words twice are read twice.
    live.textContent = "";
    setTimeout(() => { live.textContent = text; }, 60);
  }

  const header = el("header", "ad-header");
  const brand = el("p", "ac-brand ad-brand", t.appName);
  const nav = el("nav", "ad-nav");
  nav.setAttribute("aria-label", t.sections);
  const list = el("ul", "ad-nav-list");
  const links = {};
  for (const section of SECTIONS) {
    const li = el("li");
    const a = el("a", "ad-nav-link", t.nav[section]);
    a.href = `#${section}`;
    a.dataset.testid = `nav-${section}`;
    links[section] = a;
    li.appendChild(a);
    list.appendChild(li);
  }
  nav.appendChild(list);
  const who = el("p", "ad-who", t.signedInAs(user.name || user.email));
  const signOut = button(t.signOut, "ac-btn ac-btn-quiet", onSignOut);
  signOut.dataset.testid = "sign-out";
  const tools = el("div", "ad-tools");
  tools.append(who, languageSwitch(t, lang), signOut);
  header.append(brand, nav, tools);

  const main = el("main", "ad-main");
  main.id = "ad-main";
  main.tabIndex = -1;
  const skip = el("a", "ac-skip", t.skipToContent);
  skip.href = "#ad-main";
  skip.addEventListener("click", (e) => { e.preventDefault(); focusHeading(); });
  const app = el("div", "ad-app");
  app.append(header, main);
  document.body.replaceChildren(skip, app, live);

  let page = null;

  function navigate(hash, { replace = false } = {}) {
    if (location.hash === hash) { show({ focus: true }); return; }
    if (replace) {
      history.replaceState(null, "", hash);
      show({ focus: true });
    } else {
      location.hash = hash; // hashchange shows it
    }
  }

  const ctx = { t, lang, api, user, state, announce, navigate };

  function focusHeading() {
    const h1 = main.querySelector("h1");
    if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: false }); } else main.focus();
  }

  function show({ focus = false } = {}) {
    if (page && page.stop) page.stop();
    const route = parseRoute();
    for (const [section, a] of Object.entries(links)) {
      if (section === route.section) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (route.section === "kb") page = route.page === "list" ? createDocumentsPage(ctx) : createEditorPage(ctx, route);
    else if (route.section === "catalog") page = createCatalogPage(ctx);
    else if (route.section === "test") page = createTestPage(ctx);
    else if (route.section === "gaps") page = createGapsPage(ctx);
    else if (route.section === "analytics") page = createAnalyticsPage(ctx);
    else page = createAuditPage(ctx);
    main.replaceChildren(page.node);
    document.title = `${page.title || t.nav[route.section]} — ${t.pageTitle}`;
    window.scrollTo(0, 0);
    if (page.start) page.start();
    if (focus) focusHeading();
  }

  const onHashChange = () => show({ focus: true });
  window.addEventListener("hashchange", onHashChange);
  // Leaving the page (reload, another address) with unsaved text asks first.
  const onBeforeUnload = (e) => {
    if (page && page.dirty && page.dirty()) { e.preventDefault(); e.returnValue = ""; }
  };
  window.addEventListener("beforeunload", onBeforeUnload);
  ctx.setTitle = (text) => { document.title = `${text} — ${t.pageTitle}`; };
  // Signed in (or reloaded): the page's heading has the focus, the skip link one Tab back.
  show({ focus: true });

  return {
    stop() {
      if (page && page.stop) page.stop();
      window.removeEventListener("hashchange", onHashChange);
      window.removeEventListener("beforeunload", onBeforeUnload);
    },
  };
}
