// A case's history as a list: when, what, who (and who approved), why, and on what legal basis.

import { h } from "../dom.js";
import { t, label, formatDateTime } from "../i18n.js";

function person(p) {
  return t("nav.user", { name: p.name || p.id, role: label("role", p.role), org: p.organisation });
}

function line(key, value) {
  return h("div", {}, t("labelled", { label: t(key), value }));
}

/** An event's name for people; takes "Decided" or the trail's "decided", "defence_filed". */
export function eventLabel(name) {
  const pascal = name.includes("_") || /^[a-z]/.test(name)
    ? name.split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("") : name;
  return label("event", pascal, pascal.replace(/(?<=[a-z])(?=[A-Z])/g, " "));
}

/** The timeline of events, oldest first. */
export function timeline(history) {
  return h("ol", { class: "timeline" }, history.map((e) => h("li", { dataset: { version: String(e.version), what: e.what } },
    h("time", { datetime: e.at }, formatDateTime(e.at)),
    h("strong", {}, eventLabel(e.what)),
    line("case.timeline.actor", person(e.actor)),
    e.approver ? line("case.timeline.approver", person(e.approver)) : null,
    e.reason ? line("case.timeline.reason", e.reason) : null,
    e.legalBasis ? line("case.timeline.basis", e.legalBasis) : null)));
}
