// Sign-in: paste a token (the same bearer tokens the API takes), checked against the server.

import { h, fill } from "../dom.js";
import { t } from "../i18n.js";
import { gql, keepToken, forgetToken, ApiError } from "../api.js";

/** The sign-in form. */
export function renderLogin(main) {
  forgetToken();
  const problem = h("p", { id: "token-error", class: "field-error", "aria-live": "assertive" });
  const input = h("textarea", {
    id: "token", name: "token", rows: "4", required: true, autocomplete: "off",
    spellcheck: "false", "aria-describedby": "token-error",
  });
  const form = h("form", { class: "login", novalidate: true, onsubmit: submit },
    h("label", { for: "token" }, t("login.token")), input, problem,
    h("button", { type: "submit" }, t("login.submit")));

  async function submit(event) {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) {
      input.setAttribute("aria-invalid", "true");
      problem.textContent = t("login.empty");
      input.focus();
      return;
    }
    try {
      await gql("{ me { id } }", {}, value);
    } catch (error) {
      input.setAttribute("aria-invalid", "true");
      problem.textContent = error instanceof ApiError && error.code === "UNAUTHENTICATED"
        ? t("login.refused", { message: error.message }) : error.readable ?? String(error);
      input.focus();
      return;
    }
    keepToken(value);
    if (location.hash === "#/queue") window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = "#/queue";
  }

  fill(main, h("h1", {}, t("login.title")), h("p", {}, t("login.intro")), form);
  input.focus();
}
