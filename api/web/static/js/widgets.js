// Small pieces several pages share: error boxes, deadline badges with their legal basis, sections.

import { h, fill } from "./dom.js";
import { t, daysLeftText } from "./i18n.js";

/** A readable error placed where it happened; a conflict offers to reload. */
export function errorBox(error, onReload) {
  const text = error.readable ?? t("error.other", { message: String(error.message || error) });
  return h("div", { class: "error", role: "alert" },
    h("span", {}, text),
    error.code === "CONFLICT" && onReload
      ? h("button", { type: "button", class: "reload", onclick: onReload }, t("reload"))
      : null);
}

/** Show an error in a slot (or clear it with null). */
export function showError(slot, error, onReload) {
  fill(slot, error ? errorBox(error, onReload) : null);
}

/** "还剩 7 天" with the legal basis in a tooltip shown on hover and keyboard focus. */
export function deadlineBadge({ daysLeft, suspended, overdue, legalBasis }) {
  const tone = suspended ? "suspended" : overdue ? "overdue" : daysLeft <= 3 ? "soon" : "ok";
  const text = daysLeftText(daysLeft, suspended);
  const basis = legalBasis ? t("deadline.basis", { basis: legalBasis }) : "";
  return h("span", { class: `days ${tone}`, tabindex: basis ? "0" : null, title: basis || null },
    text,
    basis ? h("span", { class: "tip", role: "tooltip" }, basis) : null);
}

/** A small coloured label. */
export function badge(kind, text, detail) {
  return h("span", { class: `badge ${kind}`, title: detail || null }, text);
}

/** A titled section with an id for in-page links. */
export function section(id, title, ...content) {
  const headingId = `${id}-h`;
  return h("section", { id, "aria-labelledby": headingId, class: "panel" },
    h("h2", { id: headingId }, title), ...content);
}

/** A definition list from [term, value] pairs, skipping empty values. */
export function facts(pairs) {
  return h("dl", { class: "facts" },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

/** A note that a server feature is still missing: the page is written, the field is not there. */
export function notOffered(field) {
  return h("p", { class: "notice" }, t("notAvailable", { field }));
}
