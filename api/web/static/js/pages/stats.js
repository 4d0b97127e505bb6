// The annual assessment (年度考核) figures per organisation, as a table and as bar charts.

import { h, fill } from "../dom.js";
import { t, chinaToday, side } from "../i18n.js";
import { gql, offers } from "../api.js";
import { errorBox, notOffered, section } from "../widgets.js";

const MEASURES = [
  "reconsiderationCorrection", "litigationLoss", "headAppearance", "recommendationReply",
  "petitionAcceptanceOnTime", "petitionClosureOnTime", "petitionSatisfaction",
  "mediationSuccess", "judicialConfirmation",
];
const RATE = "numerator denominator rate";
const FIGURES = `organisation year ${MEASURES.map((m) => `${m} { ${RATE} }`).join(" ")}
  onTime { ruleId step onTime { ${RATE} } }`;
const ALL = `query Statistics($year: Int!) { statisticsByOrganisation(year: $year) { ${FIGURES} } }`;
const OWN = `query Statistics($year: Int!, $organisation: String!) { statistics(year: $year, organisation: $organisation) { ${FIGURES} } }`;
const DISTRICT = ["AUDITOR", "ADMIN"];
const SVG = "http://www.w3.org/2000/svg";

function percent(rate) {
  return rate.rate === null ? t("stats.noRate")
    : t("stats.rate", { rate: `${(rate.rate * 100).toFixed(1)}%`, num: rate.numerator, den: rate.denominator });
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** A horizontal bar chart of one measure across organisations (the table holds the same numbers). */
function chart(measure, rows) {
  const bar = 22;
  const height = rows.length * (bar + 8) + 8;
  const title = t("stats.chart", { measure: t(`stats.${measure}`) });
  const figure = svg("svg", { viewBox: `0 0 600 ${height}`, width: "600", height, role: "img", "aria-label": title },
    svg("title", {}, title),
    ...rows.flatMap((row, i) => {
      const y = 8 + i * (bar + 8);
      const value = row[measure].rate ?? 0;
      return [
        svg("text", { x: 0, y: y + 16, class: "chart-label" }, row.organisation),
        svg("rect", { x: 160, y, width: Math.max(1, value * 260), height: bar, class: "chart-bar" }),
        svg("text", { x: 170 + value * 260, y: y + 16, class: "chart-value" }, percent(row[measure])),
      ];
    }));
  return h("figure", { class: "chart" }, figure, h("figcaption", {}, title));
}

/** The statistics page for a chosen year. */
export async function renderStats(main, _params, me) {
  const district = DISTRICT.includes(me.role);
  const thisYear = Number(chinaToday().slice(0, 4));
  const year = h("input", { id: "stats-year", type: "number", min: "2000", max: String(thisYear + 1), value: String(thisYear) });
  const out = h("div", { "aria-live": "polite" });
  async function load() {
    const field = district ? "statisticsByOrganisation" : "statistics";
    if (!(await offers("query", field))) { fill(out, notOffered(`${field}(year: Int!)`)); return; }
    let rows;
    try {
      rows = district
        ? (await gql(ALL, { year: Number(year.value) })).statisticsByOrganisation
        : [(await gql(OWN, { year: Number(year.value), organisation: me.organisation })).statistics];
    } catch (error) {
      fill(out, errorBox(error, load));
      return;
    }
    if (!rows.length) { fill(out, h("p", {}, t("stats.empty"))); return; }
    fill(out,
      h("div", { class: "scroll" }, h("table", {}, h("caption", {}, `${t("stats.title")} ${year.value}`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("stats.organisation")),
          MEASURES.map((m) => h("th", { scope: "col" }, t(`stats.${m}`))))),
        h("tbody", {}, rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r.organisation),
          MEASURES.map((m) => h("td", {}, percent(r[m])))))))),
      // A measure no organisation has a figure for would only chart empty bars.
      section("charts", t("stats.title"), MEASURES.filter((m) => rows.some((r) => r[m].denominator > 0))
        .map((m) => chart(m, rows))),
      section("on-time", t("stats.onTime"), rows.map((r) => h("div", {}, h("h3", {}, r.organisation),
        h("ul", {}, r.onTime.map((s) => h("li", {}, `${side(s.step)}：${percent(s.onTime)}`)))))));
  }
  fill(main, h("h1", {}, t("stats.title")),
    h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); load(); } },
      h("label", { for: "stats-year" }, t("stats.year")), year, h("button", { type: "submit" }, t("stats.show"))),
    out);
  await load();
}
