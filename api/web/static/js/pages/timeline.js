// A case's history as a list: when, what, who (and who approved), why, and on what legal basis.

import { h } from "../dom.js";
import { t, label, formatDateTime } from "../i18n.js";

function person(p) {
  return `${p.name || p.id}（${label("role", p.role)}，${p.organisation}）`;
}

/** An event's name for people; takes "Decided" or the trail's "decided", "defence_filed". */
export function eventLabel(name) {
  const pascal = name.includes("_") || /^[a-z]/.test(name)
    ? name.split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("") : name;
  return label("event", pascal, name);
}

/** The timeline of events, oldest first. */
export function timeline(history) {
  return h("ol", { class: "timeline" }, history.map((e) => h("li", { dataset: { version: String(e.version), what: e.what } },
    h("time", { datetime: e.at }, formatDateTime(e.at)),
    h("strong", {}, eventLabel(e.what)),
    h("div", {}, `${t("case.timeline.actor")}：${person(e.actor)}`),
    e.approver ? h("div", {}, `${t("case.timeline.approver")}：${person(e.approver)}`) : null,
    e.reason ? h("div", {}, `${t("case.timeline.reason")}：${e.reason}`) : null,
    e.legalBasis ? h("div", {}, `${t("case.timeline.basis")}：${e.legalBasis}`) : null)));
}
