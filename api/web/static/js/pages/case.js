// One case: summary, parties, act, deadlines, the steps allowed now, documents, links, timeline.

import { h, fill, announce } from "../dom.js";
import { t, label, side, chineseTerm, formatDate, language } from "../i18n.js";
import { gql, offers, fieldsOf } from "../api.js";
import { deadlineBadge, badge, errorBox, section, facts, notOffered } from "../widgets.js";
import { stepForm } from "../forms.js";
import { uploadForm } from "./upload.js";
import { timeline } from "./timeline.js";

const PERSON = "id role organisation name";
export const CASE_FIELDS = `__typename id kind reference title organisation status statusLabel isFinal version assignee
  act { agency documentNumber date description }
  parties { name role idNumber phone address }
  links { caseId kind relation }
  deadlines { ruleId step startedOn dueOn suspended extendedBy legalBasis warnings daysLeft overdue }
  history { version what at actor { ${PERSON} } approver { ${PERSON} } reason legalBasis }
  ... on LitigationCase { court courtCaseNumber isMajor defenceDueOn defenceFiledOn hearingOn headScheduledToAppear appealDueOn }
  ... on ReconsiderationCase { procedure acceptedOn hearingOfficer { ${PERSON} } decision decidedOn }`;

/** The step's name for people: the curated label, the Chinese term of its description, or the description. */
export function stepLabel(step) {
  const curated = label("step", step.mutation, null);
  if (curated) return curated;
  if (language() === "zh") return chineseTerm(step.description) || step.description;
  return step.description.replace(/\s*[（(][^)）]*[)）]/g, "").replace(/[.。]$/, "");
}

/** The status in the user's language. */
export function statusText(kase) {
  return label("status", `${kase.kind}:${kase.status}`, null) ?? label("status", kase.status, kase.statusLabel);
}

/** The case page. */
export async function renderCase(main, [id], me) {
  const hasDocuments = (await fieldsOf("ReconsiderationCase")).has("documents");
  const query = `query Case($id: ID!) { case(id: $id) { ${CASE_FIELDS} nextSteps { mutation description }
    ${hasDocuments ? "documents { sha256 name mediaType size }" : ""} } }`;
  let kase;
  try {
    kase = (await gql(query, { id })).case;
  } catch (error) {
    fill(main, h("h1", {}, id), errorBox(error, () => renderCase(main, [id], me)));
    return;
  }
  const reload = () => renderCase(main, [id], me);
  document.title = `${kase.reference} · Casework`;
  fill(main,
    h("h1", {}, kase.reference, " ", h("span", { class: "case-title" }, kase.title)),
    h("p", { class: "status-line" },
      badge("status", statusText(kase)), " ", label("kind", kase.kind), " · ", kase.organisation,
      ["AUDITOR", "ADMIN"].includes(me.role) ? [" · ", h("a", { href: `#/audit/${kase.id}` }, t("case.audit"))] : null),
    h("div", { class: "case-grid" },
      h("div", {},
        summary(kase), parties(kase), act(kase), deadlines(kase),
        await actions(kase, reload),
        hasDocuments ? documents(kase, reload) : section("documents", t("case.documents"), notOffered("Case.documents")),
        await links(kase)),
      section("timeline", t("case.timeline"), timeline(kase.history))));
}

function summary(kase) {
  const pairs = [
    [t("case.status"), statusText(kase)],
    [t("case.kind"), label("kind", kase.kind)],
    [t("case.organisation"), kase.organisation],
    [t("case.assignee"), kase.assignee || t("queue.unassignedLabel")],
    [t("case.version"), String(kase.version)],
  ];
  if (kase.__typename === "LitigationCase") {
    pairs.push(
      [t("case.court"), kase.court], [t("case.courtNumber"), kase.courtCaseNumber],
      [t("case.defenceDue"), formatDate(kase.defenceDueOn)],
      [t("case.hearingOn"), kase.hearingOn ? formatDate(kase.hearingOn) : t("case.noneYet")],
      [t("case.head"), t(`calendar.head.${kase.headScheduledToAppear}`)],
    );
  }
  if (kase.__typename === "ReconsiderationCase") {
    pairs.push(
      [t("case.procedure"), kase.procedure
        ? label("enum.ProcedureVariant", kase.procedure.toUpperCase(), kase.procedure) : t("case.noneYet")],
      [t("case.hearingOfficer"), kase.hearingOfficer ? (kase.hearingOfficer.name || kase.hearingOfficer.id) : t("case.noneYet")],
      [t("case.decision"), kase.decision ? label("enum.DecisionType", kase.decision.toUpperCase(), kase.decision) : t("case.noneYet")],
      [t("case.decidedOn"), kase.decidedOn ? formatDate(kase.decidedOn) : null],
    );
  }
  return section("summary", t("case.summary"), facts(pairs));
}

function parties(kase) {
  return section("parties", t("case.parties"), kase.parties.length
    ? h("table", {}, h("thead", {}, h("tr", {}, ["case.party.name", "case.party.role", "case.party.id", "case.party.phone", "case.party.address"]
      .map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, kase.parties.map((p) => h("tr", {},
      h("td", {}, p.name), h("td", {}, label("party", p.role)), h("td", {}, p.idNumber),
      h("td", {}, p.phone), h("td", {}, p.address)))))
    : h("p", {}, t("none")));
}

function act(kase) {
  const a = kase.act;
  return section("act", t("case.act"), a
    ? facts([[t("case.act.agency"), a.agency], [t("case.act.number"), a.documentNumber],
      [t("case.act.date"), formatDate(a.date)], [t("case.act.description"), a.description]])
    : h("p", {}, t("none")));
}

function deadlines(kase) {
  return section("deadlines", t("case.deadlines"), kase.deadlines.length
    ? h("table", {}, h("thead", {}, h("tr", {}, ["case.deadline.step", "case.deadline.started", "case.deadline.due", "case.deadline.left", "queue.flags"]
      .map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, kase.deadlines.map((d) => h("tr", { dataset: { rule: d.ruleId } },
      h("td", {}, side(d.step)), h("td", {}, formatDate(d.startedOn)), h("td", {}, formatDate(d.dueOn)),
      h("td", {}, deadlineBadge(d)),
      h("td", {},
        d.suspended ? badge("suspended", t("badge.suspended")) : null,
        d.extendedBy ? badge("extended", `${t("badge.extended")} ${d.extendedBy}`) : null,
        d.warnings.length ? badge("warning", t("badge.warning"), d.warnings.join("\n")) : null)))))
    : h("p", {}, t("none")));
}

async function actions(kase, reload) {
  const slot = h("div", { class: "step-slot" });
  const buttons = kase.nextSteps.map((step) => h("button", {
    type: "button", class: "step", "aria-expanded": "false", dataset: { mutation: step.mutation },
    title: step.description,
    onclick: async (event) => {
      for (const b of buttons) b.setAttribute("aria-expanded", "false");
      event.currentTarget.setAttribute("aria-expanded", "true");
      fill(slot, h("p", {}, t("loading")));
      try {
        const form = await stepForm(step, kase, {
          onReload: reload,
          onDone: async () => {
            announce(t("case.done", { step: stepLabel(step) }));
            await reload();
            document.getElementById("main").prepend(h("p", { class: "done", role: "status" }, t("case.done", { step: stepLabel(step) })));
          },
        });
        fill(slot, h("h3", {}, stepLabel(step)), form);
        form.querySelector("input, select, textarea, button")?.focus();
      } catch (error) {
        fill(slot, errorBox(error, reload));
      }
    },
  }, stepLabel(step)));
  return section("actions", t("case.actions"),
    buttons.length ? h("div", { class: "steps" }, buttons) : h("p", {}, t("case.noActions")), slot);
}

function documents(kase, reload) {
  return section("documents", t("case.documents"),
    kase.documents.length
      ? h("ul", {}, kase.documents.map((d) => h("li", {}, d.name, h("span", { class: "muted" }, ` ${d.mediaType}, ${d.size} B`))))
      : h("p", {}, t("none")),
    uploadForm(kase, reload));
}

async function links(kase) {
  const list = kase.links.length
    ? h("ul", {}, kase.links.map((l) => h("li", {},
      label("enum.LinkRelation", l.relation, l.relation), " · ", label("kind", l.kind), " · ",
      h("a", { href: `#/case/${l.caseId}` }, l.caseId))))
    : h("p", {}, t("none"));
  let dossier = null;
  if (await offers("query", "dossier")) {
    try {
      const data = await gql(`query($id: ID!) { dossier(caseId: $id) {
        cases { id kind reference title organisation status } withheldCases } }`, { id: kase.id });
      const others = data.dossier.cases.filter((c) => c.id !== kase.id);
      dossier = h("div", {}, h("h3", {}, t("case.dossier")), others.length || data.dossier.withheldCases.length
        ? h("ul", {}, others.map((c) => h("li", {},
          h("a", { href: `#/case/${c.id}` }, c.reference), ` ${c.title} · ${label("kind", c.kind)} · ${c.organisation}`)),
        data.dossier.withheldCases.map((ref) => h("li", { class: "muted" }, t("case.withheld", { ref }))))
        : h("p", {}, t("none")));
    } catch (error) {
      dossier = errorBox(error);
    }
  } else {
    dossier = notOffered("dossier(caseId)");
  }
  return section("links", t("case.links"), list, dossier);
}
