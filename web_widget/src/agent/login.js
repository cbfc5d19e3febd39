// The sign-in page. A wrong password and an unknown address get one answer from the server;
// too many attempts get the wait, and the button stays off until it has passed.
import { el } from "../rich.js";
import { duration } from "./format.js";
import { languageSwitch } from "./header.js";

export function renderLogin({ t, lang, api, notice, onSignedIn }) {
  const page = el("div", "ac-login");
  const top = el("header", "ac-login-top");
  top.append(el("p", "ac-brand", t.appName), languageSwitch(t, lang));
  const main = el("main", "ac-login-main");
  const form = el("form", "ac-login-form");
  form.noValidate = true;
  form.setAttribute("aria-labelledby", "ac-login-h");
  const h1 = el("h1", null, t.signInTitle);
  h1.id = "ac-login-h";

  const field = (id, label, type, testid, autocomplete) => {
    const wrap = el("div", "ac-field");
    const l = el("label", null, label);
    l.htmlFor = id;
    const input = el("input", "ac-input");
    input.id = id;
    input.type = type;
    input.name = id.replace("ac-login-", "");
    input.required = true;
    input.autocomplete = autocomplete;
    input.dataset.testid = testid;
    wrap.append(l, input);
    return { wrap, input };
  };
  const email = field("ac-login-email", t.email, "email", "login-email", "username");
  email.input.spellcheck = false;
  const password = field("ac-login-password", t.password, "password", "login-password", "current-password");
  const error = el("p", "ac-error");
  error.id = "ac-login-error";
  error.dataset.testid = "login-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  const submit = el("button", "ac-btn ac-btn-primary ac-wide", t.signIn);
  submit.type = "submit";
  submit.dataset.testid = "login-submit";
  const info = el("p", "ac-info", notice || "");
  info.setAttribute("role", "status");
  info.hidden = !notice;
  form.append(h1, info, email.wrap, password.wrap, error, submit);
  main.appendChild(form);
  page.append(top, main);

  let lockedUntil = 0;
  let unlockTimer = 0;

  function showError(text, field) {
    error.textContent = text;
    error.hidden = false;
    for (const input of [email.input, password.input]) input.removeAttribute("aria-invalid");
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", error.id);
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (Date.now() < lockedUntil) return;
    const address = email.input.value.trim();
    const secret = password.input.value;
    if (!address || !secret) {
      showError(t.invalidLogin, !address ? email.input : password.input);
      (!address ? email.input : password.input).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t.signingIn;
    error.hidden = true;
    info.hidden = true;
    try {
      const answer = await api.post("/api/auth/login", { email: address, password: secret });
      onSignedIn(answer);
      return;
    } catch (err) {
      if (err.status === 401) {
        showError(t.wrongPassword, password.input);
        password.input.select();
        password.input.focus();
      } else if (err.status === 429) {
        const wait = Math.max(1, Number(err.details.retry_after_s) || 60);
        showError(t.rateLimited(duration(wait, t)));
        lockedUntil = Date.now() + wait * 1000;
        clearTimeout(unlockTimer);
        unlockTimer = setTimeout(() => { submit.disabled = false; }, wait * 1000);
        submit.textContent = t.signIn;
        return;
      } else if (err.status === 422) {
        showError(t.invalidLogin, email.input);
      } else if (err.status === 0) {
        showError(t.unreachable);
      } else {
        showError(err.message || t.error);
      }
    }
    submit.disabled = false;
    submit.textContent = t.signIn;
  });

  document.body.replaceChildren(page);
  (email.input.value ? password.input : email.input).focus();
}
