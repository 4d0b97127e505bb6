// The work queue: mine and my organisation's, by due date, filtered, paged on the server, live.

import { h, fill, announce, newId } from "../dom.js";
import { t, label, side, formatDate, formatDateTime } from "../i18n.js";
import { gql, refusal, subscribe, fieldsOf } from "../api.js";
import { deadlineBadge, badge, showError, errorBox } from "../widgets.js";

const PAGE_SIZE = 50;
const KINDS = ["PETITION", "RECONSIDERATION", "LITIGATION", "MEDIATION"];
const ASSIGNERS = ["INTAKE", "HANDLER", "APPROVER", "ADMIN"];
const BULK = ["APPROVER", "ADMIN"];
const WIDE = ["COORDINATOR", "AUDITOR", "ADMIN"];

// Kept while the tab is open, so coming back from a case shows the same view.
const state = { scope: "MINE", kind: "", step: "", overdue: false, unassigned: false };

function queueQuery(extra) {
  return `query Queue($filter: WorkQueueFilter, $first: Int!, $after: String) {
    workQueue(filter: $filter, first: $first, after: $after) {
      edges { node { caseId ruleId kind reference title organisation assignee step dueOn
        daysLeft overdue suspended legalBasis warnings ${extra} case { status version } } }
      pageInfo { hasNextPage endCursor } } }`;
}

function filterInput() {
  return {
    scope: state.scope,
    kinds: state.kind ? [state.kind] : null,
    step: state.step.trim() || null,
    overdue: state.overdue,
    unassigned: state.unassigned,
  };
}

/** The queue page; returns a function that stops its live updates. */
export async function renderQueue(main, _params, me) {
  const extended = (await fieldsOf("WorkItemType")).has("extendedBy") ? "extendedBy" : "";
  const query = queueQuery(extended);
  const problem = h("div", { class: "slot" });
  const body = h("tbody");
  const count = h("p", { class: "count", "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true, onclick: () => load(true) }, t("queue.more"));
  const live = h("p", { class: "live", "aria-live": "polite" });
  const selected = new Map();
  let cursor = null;
  let shown = 0;

  async function load(append = false) {
    showError(problem, null);
    let data;
    try {
      data = await gql(query, { filter: filterInput(), first: PAGE_SIZE, after: append ? cursor : null });
    } catch (error) {
      showError(problem, error, () => load());
      return;
    }
    const { edges, pageInfo } = data.workQueue;
    if (!append) { body.replaceChildren(); shown = 0; selected.clear(); }
    for (const { node } of edges) body.append(row(node));
    shown += edges.length;
    cursor = pageInfo.endCursor;
    more.hidden = !pageInfo.hasNextPage;
    count.textContent = shown ? t("queue.count", { n: shown }) : t("queue.empty");
  }

  function row(item) {
    const cells = [];
    if (BULK.includes(me.role)) {
      cells.push(h("td", {}, h("input", {
        type: "checkbox", "aria-label": t("queue.select", { ref: item.reference }),
        onchange: (e) => { if (e.target.checked) selected.set(item.caseId, item); else selected.delete(item.caseId); },
      })));
    }
    const flags = [
      item.overdue ? badge("overdue", t("badge.overdue")) : null,
      item.suspended ? badge("suspended", t("badge.suspended")) : null,
      item.extendedBy ? badge("extended", t("badge.extended")) : null,
      item.warnings.length ? badge("warning", t("badge.warning"), item.warnings.join("\n")) : null,
    ];
    const slot = h("div", { class: "slot" });
    const assign = ASSIGNERS.includes(me.role) && item.assignee !== me.id && item.case
      ? h("button", { type: "button", onclick: () => assignToMe(item, slot) }, t("queue.assignMe"))
      : null;
    cells.push(
      h("td", {}, h("a", { href: `#/case/${item.caseId}` }, item.reference)),
      h("td", {}, item.title),
      h("td", {}, label("kind", item.kind)),
      h("td", {}, side(item.step)),
      h("td", {}, h("time", { datetime: item.dueOn }, formatDate(item.dueOn)), " ", deadlineBadge(item)),
      h("td", {}, item.assignee || h("span", { class: "muted" }, t("queue.unassignedLabel"))),
      h("td", {}, flags),
      h("td", {}, assign, slot),
    );
    return h("tr", { class: item.overdue ? "overdue" : null, dataset: { case: item.caseId } }, cells);
  }

  async function assignToMe(item, slot) {
    try {
      const data = await gql(ASSIGN, { input: { caseId: item.caseId, expectedVersion: item.case.version, assignee: me.id } });
      const problemFound = refusal(data.assignCase);
      if (problemFound) throw problemFound;
    } catch (error) {
      showError(slot, error, () => load());
      return;
    }
    announce(t("queue.assignedMe", { ref: item.reference }));
    await load();
  }

  const filters = filterForm(me, () => load());
  const bulk = BULK.includes(me.role) ? bulkForms(selected, () => load()) : null;
  const headers = [
    BULK.includes(me.role) ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("queue.select", { ref: "" }))) : null,
    ...["queue.reference", "queue.titleCol", "queue.kindCol", "queue.stepCol", "queue.due",
      "queue.assignee", "queue.flags", "queue.actions"].map((k) => h("th", { scope: "col" }, t(k))),
  ];
  fill(main,
    h("h1", {}, t("queue.title")),
    // Cases with no running deadline have no queue item: the caller's open cases are listed apart.
    h("p", { class: "aside" }, h("a", { href: "#/search/mine" }, t("search.mine")), " · ",
      h("a", { href: "#/search" }, t("search.title"))),
    filters, problem, live, bulk,
    h("table", { class: "queue" }, h("caption", { class: "visually-hidden" }, t("queue.title")),
      h("thead", {}, h("tr", {}, headers)), body),
    count, more);
  await load();

  let first = true;
  return subscribe("subscription { workQueueChanged(first: 20) { at } }", {}, async (data) => {
    if (first) {
      // The first message is the queue as it is: from now on changes arrive by themselves.
      first = false;
      live.dataset.connected = "true";
      return;
    }
    await load();
    const text = t("queue.live", { time: formatDateTime(data.workQueueChanged.at) });
    live.textContent = text;
    announce(text);
  }, (error) => showError(problem, error));
}

const ASSIGN = `mutation($input: AssignCaseInput!) { assignCase(input: $input) {
  __typename ... on CaseUpdated { case { id assignee version } }
  ... on Problem { code message } ... on ValidationError { field } } }`;

function filterForm(me, reload) {
  const scopes = ["MINE", "ORGANISATION", ...(WIDE.includes(me.role) ? ["ALL"] : [])];
  const scopeName = newId("scope");
  const change = (key) => (e) => { state[key] = e.target.type === "checkbox" ? e.target.checked : e.target.value; reload(); };
  return h("form", { class: "filters", role: "search", onsubmit: (e) => { e.preventDefault(); reload(); } },
    h("fieldset", { class: "scope" }, h("legend", {}, t("queue.scope")),
      scopes.map((s) => h("label", {}, h("input", {
        type: "radio", name: scopeName, value: s, checked: state.scope === s, onchange: change("scope"),
      }), t(`queue.scope.${s}`)))),
    h("fieldset", {}, h("legend", {}, t("queue.filters")),
      h("label", {}, t("queue.kind"), " ", h("select", { name: "kind", onchange: change("kind") },
        h("option", { value: "" }, t("queue.kind.any")),
        KINDS.map((k) => h("option", { value: k, selected: state.kind === k }, label("kind", k))))),
      h("label", {}, t("queue.step"), " ", h("input", {
        name: "step", value: state.step, onchange: change("step"), size: "24",
      })),
      h("label", {}, h("input", { type: "checkbox", name: "overdue", checked: state.overdue, onchange: change("overdue") }), t("queue.overdue")),
      h("label", {}, h("input", { type: "checkbox", name: "unassigned", checked: state.unassigned, onchange: change("unassigned") }), t("queue.unassigned")),
      h("button", { type: "submit" }, t("queue.apply"))));
}

function bulkForms(selected, reload) {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const to = h("input", { id: "bulk-to", name: "toUser", required: true });
  const reason = h("input", { id: "bulk-reason", name: "reason" });
  async function reassignSelected(event) {
    event.preventDefault();
    if (!selected.size) { fill(slot, errorBox({ readable: t("queue.bulkNone") })); return; }
    let ok = 0;
    const failures = [];
    for (const item of selected.values()) {
      try {
        const data = await gql(ASSIGN, { input: {
          caseId: item.caseId, expectedVersion: item.case.version, assignee: to.value.trim() || null, reason: reason.value,
        } });
        const problem = refusal(data.assignCase);
        if (problem) throw problem;
        ok += 1;
      } catch (error) {
        failures.push(h("li", {}, `${item.reference}: `, error.readable ?? String(error)));
      }
    }
    await reload();
    fill(slot, h("p", {}, t("queue.bulkDone", { ok, failed: failures.length })), failures.length ? h("ul", { class: "error" }, failures) : null);
  }
  const from = h("input", { id: "handover-from", name: "fromUser", required: true });
  const heir = h("input", { id: "handover-to", name: "toUser" });
  async function handover(event) {
    event.preventDefault();
    try {
      const data = await gql(`mutation($input: ReassignWorkInput!) { reassignWork(input: $input) {
        results { __typename ... on Problem { code message } } } }`,
      { input: { fromUser: from.value.trim(), toUser: heir.value.trim() || null, reason: reason.value } });
      const results = data.reassignWork.results;
      const failed = results.filter((r) => r.__typename !== "CaseUpdated");
      await reload();
      fill(slot, h("p", {}, t("queue.bulkDone", { ok: results.length - failed.length, failed: failed.length })));
    } catch (error) {
      fill(slot, errorBox(error));
    }
  }
  return h("details", { class: "bulk" }, h("summary", {}, t("queue.bulk")),
    h("form", { onsubmit: reassignSelected },
      h("label", { for: "bulk-to" }, t("queue.bulkTo")), to,
      h("label", { for: "bulk-reason" }, t("queue.bulkReason")), reason,
      h("button", { type: "submit" }, t("queue.bulkSubmit"))),
    h("form", { onsubmit: handover },
      h("h3", {}, t("queue.handover")),
      h("label", { for: "handover-from" }, t("queue.handoverFrom")), from,
      h("label", { for: "handover-to" }, t("queue.bulkTo")), heir,
      h("button", { type: "submit" }, t("queue.handoverSubmit"))),
    slot);
}
