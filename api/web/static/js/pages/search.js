// Finding cases (查找案件) by name, reference, party or act, kind, state, organisation and date —
// also those with no running deadline, which no queue shows — and the caller's own open cases.

import { h, fill, newId } from "../dom.js";
import { t, label, formatDate } from "../i18n.js";
import { gql } from "../api.js";
import { showError } from "../widgets.js";
import { statusText } from "./case.js";

const PAGE_SIZE = 20;
const KINDS = ["PETITION", "RECONSIDERATION", "LITIGATION", "MEDIATION"];
// The states each procedure names (domain/*.py), in the order a case passes through them.
const STATUSES = {
  PETITION: ["registered", "routed", "diverted", "not_accepted", "accepted", "answered", "review_requested",
    "reviewed", "rereview_requested", "concluded", "closed"],
  RECONSIDERATION: ["received", "awaiting_correction", "accepted", "awaiting_reply", "under_review", "suspended",
    "decided", "closed", "refused", "withdrawn", "resolved_before_filing", "settled", "terminated"],
  LITIGATION: ["awaiting_defence", "defended", "hearing_scheduled", "heard", "judged", "second_instance",
    "effective", "retrial", "performed", "closed"],
  MEDIATION: ["mediating", "agreed", "confirmation_pending", "confirmed", "confirmation_refused", "failed",
    "refused", "closed"],
};
// Roles that may search another organisation (a coordinator: its litigation).
const WIDE = ["COORDINATOR", "AUDITOR", "ADMIN"];

const QUERY = `query Search($filter: CaseSearchFilter, $first: Int!, $after: String) {
  searchCases(filter: $filter, first: $first, after: $after) {
    edges { node { id kind reference title organisation status assignee openedOn closedOn
      parties { name role } } }
    pageInfo { hasNextPage endCursor } } }`;

// Kept while the tab is open, so coming back from a case shows the same search.
const state = {
  text: "", reference: "", party: "", act: "", kind: "", status: "", organisation: "", openedFrom: "", openedTo: "",
};

function filterInput() {
  const value = (key) => state[key].trim() || null;
  return {
    text: value("text"), reference: value("reference"), party: value("party"), act: value("act"),
    kind: value("kind"), status: value("status"), organisation: value("organisation"),
    openedFrom: value("openedFrom"), openedTo: value("openedTo"),
  };
}

/** The states to choose from: the procedure's, or every procedure's (each named once). */
function statusChoices(kind) {
  const kinds = kind ? [kind] : KINDS;
  const seen = new Map();
  for (const k of kinds) {
    for (const status of STATUSES[k]) {
      const name = statusText({ kind: k, status });
      const names = seen.get(status) || [];
      if (!names.includes(name)) names.push(name);
      seen.set(status, names);
    }
  }
  return [...seen].map(([status, names]) => ({ status, name: names.join(" / ") }));
}

/** The search page; `#/search/mine` lists the caller's own open cases. */
export async function renderSearch(main, [mode], me) {
  const mine = mode === "mine";
  const problem = h("div", { class: "slot" });
  const body = h("tbody");
  const count = h("p", { class: "count", "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true, onclick: () => load(true) }, t("search.more"));
  let cursor = null;
  let shown = 0;

  async function page(filter, first, after) {
    return (await gql(QUERY, { filter, first, after })).searchCases;
  }

  async function load(append = false) {
    showError(problem, null);
    more.disabled = true;
    let info;
    try {
      const filter = mine ? { assignee: me.id, openOnly: true } : filterInput();
      info = await page(filter, PAGE_SIZE, append ? cursor : null);
    } catch (error) {
      more.disabled = false;
      showError(problem, error, () => load());
      return;
    }
    const found = info.edges.map((e) => e.node);
    if (!append) { body.replaceChildren(); shown = 0; }
    body.append(...found.map(row));
    shown += found.length;
    cursor = info.pageInfo.endCursor;
    more.hidden = !info.pageInfo.hasNextPage;
    more.disabled = false;
    count.textContent = shown ? t("search.count", { n: shown }) : t(mine ? "search.mineEmpty" : "search.empty");
  }

  const headers = ["search.reference", "search.titleCol", "search.kind", "search.status", "search.organisation",
    "search.openedOn", "search.assignee"].map((k) => h("th", { scope: "col" }, t(k)));
  fill(main,
    h("h1", {}, t(mine ? "search.mineTitle" : "search.title")),
    tabs(mine),
    mine ? h("p", { class: "muted" }, t("search.mineIntro")) : searchForm(me, () => load()),
    problem,
    h("table", { class: "search-results" },
      h("caption", { class: "visually-hidden" }, t(mine ? "search.mineTitle" : "search.title")),
      h("thead", {}, h("tr", {}, headers)), body),
    count, more);
  await load();
}

/** Links between the search and the caller's own open cases (also offered on the queue page). */
export function tabs(mine) {
  return h("nav", { class: "tabs", "aria-label": t("search.title") }, h("ul", {},
    h("li", {}, h("a", { href: "#/search", "aria-current": mine ? null : "page" }, t("search.title"))),
    h("li", {}, h("a", { href: "#/search/mine", "aria-current": mine ? "page" : null }, t("search.mine")))));
}

function row(c) {
  return h("tr", { dataset: { case: c.id } },
    h("td", {}, h("a", { href: `#/case/${c.id}` }, c.reference)),
    h("td", {}, c.title,
      c.parties.length ? h("div", { class: "muted" }, c.parties.map((p) => `${label("party", p.role)}：${p.name}`).join("；")) : null),
    h("td", {}, label("kind", c.kind)),
    h("td", {}, statusText(c)),
    h("td", {}, c.organisation),
    h("td", {}, h("time", { datetime: c.openedOn }, formatDate(c.openedOn))),
    h("td", {}, c.assignee || h("span", { class: "muted" }, t("queue.unassignedLabel"))));
}

function searchForm(me, reload) {
  const field = (key, caption, attrs = {}) => {
    const id = newId(`search-${key}`);
    const input = h("input", {
      id, name: key, value: state[key], ...attrs,
      onchange: (e) => { state[key] = e.target.value; },
    });
    return h("span", { class: "field" }, h("label", { for: id }, caption), " ", input);
  };
  const statusId = newId("search-status");
  const status = h("select", { id: statusId, name: "status", onchange: (e) => { state.status = e.target.value; } });
  const fillStatuses = () => {
    const choices = statusChoices(state.kind);
    if (!choices.some((c) => c.status === state.status)) state.status = "";
    fill(status, h("option", { value: "" }, t("search.anyStatus")),
      choices.map((c) => h("option", { value: c.status, selected: state.status === c.status }, c.name)));
  };
  fillStatuses();
  const kindId = newId("search-kind");
  const kind = h("select", {
    id: kindId, name: "kind", onchange: (e) => { state.kind = e.target.value; fillStatuses(); },
  }, h("option", { value: "" }, t("queue.kind.any")),
  KINDS.map((k) => h("option", { value: k, selected: state.kind === k }, label("kind", k))));
  const advanced = Boolean(state.reference || state.party || state.act);
  return h("form", {
    class: "filters search", role: "search",
    onsubmit: (e) => {
      e.preventDefault();
      // Typing then pressing Enter may not fire change first: read every field now.
      for (const el of e.currentTarget.elements) if (el.name in state) state[el.name] = el.value;
      reload();
    },
  },
  field("text", t("search.text"), { type: "search", size: "32", placeholder: t("search.textHint") }),
  h("span", { class: "field" }, h("label", { for: kindId }, t("search.kind")), " ", kind),
  h("span", { class: "field" }, h("label", { for: statusId }, t("search.status")), " ", status),
  WIDE.includes(me.role) ? field("organisation", t("search.organisationCode"), { size: "12" }) : null,
  field("openedFrom", t("search.openedFrom"), { type: "date" }),
  field("openedTo", t("search.openedTo"), { type: "date" }),
  h("details", { class: "more-filters", open: advanced }, h("summary", {}, t("search.moreFilters")),
    field("reference", t("search.reference"), { size: "18" }),
    field("party", t("search.party"), { size: "12" }),
    field("act", t("search.act"), { size: "18" })),
  h("button", { type: "submit" }, t("search.submit")));
}
