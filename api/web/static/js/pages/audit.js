// Audit: the case as of a chosen moment, its decision history, who is responsible, and its chain.

import { h, fill } from "../dom.js";
import { t, label, side, formatDate, formatDateTime } from "../i18n.js";
import { gql, offers } from "../api.js";
import { errorBox, section, facts, notOffered, badge } from "../widgets.js";
import { CASE_FIELDS, statusText } from "./case.js";
import { timeline, eventLabel } from "./timeline.js";

const PERSON = "id role organisation name";
const AS_OF = `query AsOf($id: ID!, $at: DateTime!) { case(id: $id, asOf: $at) { ${CASE_FIELDS} } }`;
const DECISIONS = `query Decisions($id: ID!) { decisionHistory(caseId: $id) {
  version step at decider { ${PERSON} } approver { ${PERSON} } legalBasis reason statusAfter documents { name sha256 } } }`;
const CHAIN = `query Chain($id: ID!) { responsibilityChain(caseId: $id) {
  steps { at reference step capacity person { ${PERSON} } reason legalBasis } withheldCases } }`;
const VERIFY = `query Verify($id: ID!) { verifyChain(caseId: $id) {
  holds checked problems firstProblem { notificationId version what } } }`;

function who(p) {
  return p ? t("nav.user", { name: p.name || p.id, role: label("role", p.role), org: p.organisation }) : "—";
}

/** "2026-11-26T16:36" typed in China time, as an instant. */
function chinaInstant(local) {
  return new Date(`${local.length === 16 ? `${local}:00` : local}+08:00`).toISOString();
}

/** The audit page: a case picker, then the four audit views of the chosen case. */
export async function renderAudit(main, [id]) {
  const picker = h("input", { id: "audit-case", value: id || "", size: "40", required: true });
  const form = h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); location.hash = `#/audit/${picker.value.trim()}`; } },
    h("label", { for: "audit-case" }, t("audit.caseId")), picker, h("button", { type: "submit" }, t("audit.open")));
  if (!id) { fill(main, h("h1", {}, t("audit.title")), form); return; }
  let kase;
  try {
    kase = (await gql(`query($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`, { id })).case;
  } catch (error) {
    fill(main, h("h1", {}, t("audit.title")), form, errorBox(error));
    return;
  }
  fill(main, h("h1", {}, t("audit.title"), " · ", h("a", { href: `#/case/${kase.id}` }, kase.reference)), form,
    asOfSection(kase), await decisions(kase), await responsibility(kase), await verification(kase));
}

function asOfSection(kase) {
  const events = kase.history;
  const view = h("div", { class: "as-of", "aria-live": "polite" });
  const sliderLabel = h("output", { id: "slider-value", for: "as-of-slider" });
  const slider = h("input", {
    id: "as-of-slider", type: "range", min: "0", max: String(events.length - 1), step: "1",
    value: String(events.length - 1), "aria-describedby": "slider-value",
  });
  const moment = h("input", { id: "as-of-moment", type: "datetime-local", step: "1" });
  const describe = (i) => `${formatDateTime(events[i].at)} · ${eventLabel(events[i].what)}`;
  slider.addEventListener("input", () => {
    sliderLabel.textContent = describe(Number(slider.value));
    slider.setAttribute("aria-valuetext", sliderLabel.textContent);
  });
  // The case just after event i: up to the instant before the next one (or now, after the last),
  // because the as-of index counts an event from when the database recorded it.
  const after = (i) => (i + 1 < events.length
    ? new Date(Date.parse(events[i + 1].at) - 1).toISOString() : new Date().toISOString());
  slider.addEventListener("change", () => show(after(Number(slider.value))));
  sliderLabel.textContent = describe(events.length - 1);

  let latest = 0;
  async function show(at) {
    // Moving the slider quickly sends several reads; only the last one may draw.
    latest += 1;
    const mine = latest;
    const upTo = events.filter((e) => new Date(e.at) <= new Date(at));
    const past = h("div", {}, h("h3", {}, t("audit.eventsUpTo")), timeline(upTo));
    try {
      const then = (await gql(AS_OF, { id: kase.id, at })).case;
      if (mine !== latest) return;
      fill(view, h("h3", {}, t("audit.stateAt", { time: formatDateTime(at) })),
        facts([[t("case.status"), badge("status", statusText(then))], [t("case.version"), String(then.version)],
          [t("case.assignee"), then.assignee || t("queue.unassignedLabel")]]),
        h("ul", { class: "deadlines-then" }, then.deadlines.map((d) => h("li", {}, `${side(d.step)} · ${formatDate(d.dueOn)}`,
          d.suspended ? [" ", badge("suspended", t("badge.suspended"))] : null))),
        h("h3", {}, t("audit.eventsUpTo")), timeline(then.history));
    } catch (error) {
      if (mine === latest) fill(view, errorBox(error), past);
    }
  }

  return section("as-of", t("audit.asOf"),
    h("div", { class: "field" }, h("label", { for: "as-of-slider" }, t("audit.slider")), slider, sliderLabel),
    h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); if (moment.value) show(chinaInstant(moment.value)); } },
      h("label", { for: "as-of-moment" }, t("audit.moment")), moment, h("button", { type: "submit" }, t("audit.showAsOf"))),
    view);
}

async function decisions(kase) {
  if (!(await offers("query", "decisionHistory"))) return section("decisions", t("audit.decisions"), notOffered("decisionHistory(caseId: ID!): [DecisionRecord!]!"));
  try {
    const records = (await gql(DECISIONS, { id: kase.id })).decisionHistory;
    return section("decisions", t("audit.decisions"), records.length ? h("table", {},
      h("thead", {}, h("tr", {}, ["case.timeline.actor", "audit.step", "case.timeline.approver", "case.timeline.reason",
        "case.timeline.basis", "audit.statusAfter", "audit.documents"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, records.map((r) => h("tr", {},
        h("td", {}, formatDateTime(r.at), h("br"), who(r.decider)), h("td", {}, eventLabel(r.step)),
        h("td", {}, who(r.approver)), h("td", {}, r.reason), h("td", {}, r.legalBasis), h("td", {}, statusText({ kind: kase.kind, status: r.statusAfter, statusLabel: r.statusAfter })),
        h("td", {}, r.documents.map((d) => d.name).join("、")))))) : h("p", {}, t("none")));
  } catch (error) {
    return section("decisions", t("audit.decisions"), errorBox(error));
  }
}

async function responsibility(kase) {
  if (!(await offers("query", "responsibilityChain"))) return section("responsibility", t("audit.responsibility"), notOffered("responsibilityChain(caseId: ID!): [ResponsibleStep!]!"));
  try {
    const chain = (await gql(CHAIN, { id: kase.id })).responsibilityChain;
    return section("responsibility", t("audit.responsibility"), h("ol", { class: "chain" }, chain.steps.map((s) => h("li", {},
      `${formatDateTime(s.at)} · ${s.reference} · ${eventLabel(s.step)} · `,
      h("strong", {}, `${t(`audit.capacity.${s.capacity.toLowerCase()}`)}：${who(s.person)}`),
      s.reason ? ` · ${s.reason}` : "", s.legalBasis ? ` · ${s.legalBasis}` : ""))),
    chain.withheldCases.map((ref) => h("p", { class: "muted" }, t("case.withheld", { ref }))));
  } catch (error) {
    return section("responsibility", t("audit.responsibility"), errorBox(error));
  }
}

async function verification(kase) {
  if (!(await offers("query", "verifyChain"))) return section("verify", t("audit.verify"), notOffered("verifyChain(caseId: ID): ChainVerdict!"));
  const result = h("div", { "aria-live": "polite" });
  async function run() {
    try {
      const verdict = (await gql(VERIFY, { id: kase.id })).verifyChain;
      const first = verdict.firstProblem;
      fill(result, verdict.holds
        ? h("p", { class: "done" }, t("audit.verify.holds", { n: verdict.checked }))
        : [h("p", { class: "error" }, t("audit.verify.broken", { n: verdict.problems })),
          first ? h("p", {}, `#${first.notificationId} v${first.version}: ${first.what}`) : null]);
    } catch (error) {
      fill(result, errorBox(error));
    }
  }
  await run();
  return section("verify", t("audit.verify"), result, h("button", { type: "button", onclick: run }, t("audit.verify.run")));
}
