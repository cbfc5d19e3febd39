// What an agent who signs in here sees: this console is for admins, and the way to theirs.
import { el, button } from "../rich.js";
import { languageSwitch } from "../agent/header.js";

export function renderNotAdmin({ t, lang, user, onSignOut }) {
  const page = el("div", "ac-login");
  const top = el("header", "ac-login-top");
  const signOut = button(t.signOut, "ac-btn ac-btn-quiet", onSignOut);
  signOut.dataset.testid = "sign-out";
  const tools = el("div", "ad-tools");
  tools.append(languageSwitch(t, lang), signOut);
  top.append(el("p", "ac-brand", t.appName), tools);
  const main = el("main", "ac-login-main");
  const box = el("section", "ac-login-form ad-notadmin");
  box.dataset.testid = "not-admin";
  const h1 = el("h1", null, t.adminsOnly);
  h1.id = "ad-notadmin-h";
  h1.tabIndex = -1;
  box.setAttribute("aria-labelledby", h1.id);
  const link = el("a", "ac-btn ac-btn-primary ad-link-btn", t.toAgentConsole);
  link.href = `/agent${location.search}`;
  link.dataset.testid = "agent-link";
  box.append(h1, el("p", null, t.adminsOnlyText(user.name || user.email || "")), link);
  main.appendChild(box);
  page.append(top, main);
  document.body.replaceChildren(page);
  h1.focus();
}
