// The court-response calendar (应诉日历): defences, hearings and the head's appearance, appeals, replies.

import { h, fill } from "../dom.js";
import { t, label, formatDate, chinaToday, addDays, daysLeftText } from "../i18n.js";
import { gql } from "../api.js";
import { badge, showError } from "../widgets.js";

const QUERY = `query Calendar($from: Date!, $to: Date!, $organisation: String) {
  courtCalendar(from: $from, to: $to, organisation: $organisation) {
    on what caseId reference title organisation legalBasis headScheduledToAppear } }`;

const range = { from: null, to: null, organisation: "" };

/** The calendar page, grouped by day. */
export async function renderCalendar(main) {
  range.from ??= chinaToday();
  range.to ??= addDays(range.from, 90);
  const problem = h("div", { class: "slot" });
  const list = h("div", { class: "calendar" });
  const from = h("input", { id: "cal-from", type: "date", value: range.from, required: true });
  const to = h("input", { id: "cal-to", type: "date", value: range.to, required: true });
  const org = h("input", { id: "cal-org", value: range.organisation });

  async function load() {
    Object.assign(range, { from: from.value, to: to.value, organisation: org.value.trim() });
    showError(problem, null);
    let entries;
    try {
      entries = (await gql(QUERY, { from: range.from, to: range.to, organisation: range.organisation || null })).courtCalendar;
    } catch (error) {
      fill(list);
      showError(problem, error, load);
      return;
    }
    const days = new Map();
    for (const e of entries) days.set(e.on, [...(days.get(e.on) || []), e]);
    fill(list, entries.length ? [...days].map(([day, items]) => h("section", { class: "day", "aria-label": formatDate(day) },
      h("h2", {}, h("time", { datetime: day }, formatDate(day))),
      h("ul", {}, items.map(entry)))) : h("p", {}, t("calendar.empty")));
  }

  fill(main, h("h1", {}, t("calendar.title")),
    h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); load(); } },
      h("label", { for: "cal-from" }, t("calendar.from")), from,
      h("label", { for: "cal-to" }, t("calendar.to")), to,
      h("label", { for: "cal-org" }, t("calendar.organisation")), org,
      h("button", { type: "submit" }, t("calendar.show"))),
    problem, list);
  await load();
}

function daysUntil(day) {
  return Math.round((Date.parse(day) - Date.parse(chinaToday())) / 86_400_000);
}

function entry(e) {
  const head = e.what === "HEARING"
    ? badge(e.headScheduledToAppear ? "ok" : e.headScheduledToAppear === false ? "warning" : "suspended",
      t(`calendar.head.${e.headScheduledToAppear}`))
    : null;
  return h("li", { class: `court ${e.what.toLowerCase()}`, dataset: { what: e.what, case: e.caseId } },
    h("strong", { tabindex: e.legalBasis ? "0" : null, class: "days", title: e.legalBasis || null },
      label("court", e.what),
      e.legalBasis ? h("span", { class: "tip", role: "tooltip" }, t("deadline.basis", { basis: e.legalBasis })) : null),
    " ", h("span", { class: "muted" }, `（${daysLeftText(daysUntil(e.on), false)}）`),
    " ", h("a", { href: `#/case/${e.caseId}` }, e.reference), " ", e.title, " · ", e.organisation, " ", head);
}
