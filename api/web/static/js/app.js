// The page shell: sign-in guard, navigation by role, language switch, and the hash router.

import { h, fill } from "./dom.js";
import { t, label, language, setLanguage } from "./i18n.js";
import { token, forgetToken, whoAmI, ApiError } from "./api.js";
import { errorBox } from "./widgets.js";
import { renderLogin } from "./pages/login.js";
import { renderQueue } from "./pages/queue.js";
import { renderCase } from "./pages/case.js";
import { renderCalendar } from "./pages/calendar.js";
import { renderAudit } from "./pages/audit.js";
import { renderStats } from "./pages/stats.js";
import { renderSearch } from "./pages/search.js";

const PAGES = [
  { path: "queue", render: renderQueue, nav: "nav.queue", roles: null },
  { path: "search", render: renderSearch, nav: "nav.search", roles: null },
  { path: "case", render: renderCase, nav: null, roles: null },
  { path: "calendar", render: renderCalendar, nav: "nav.calendar", roles: ["COORDINATOR", "AUDITOR", "ADMIN"] },
  { path: "audit", render: renderAudit, nav: "nav.audit", roles: ["AUDITOR", "ADMIN"] },
  { path: "stats", render: renderStats, nav: "nav.stats", roles: ["APPROVER", "COORDINATOR", "AUDITOR", "ADMIN"] },
];

let cleanup = null;

function header(me, current) {
  const top = document.getElementById("top");
  const links = me
    ? PAGES.filter((p) => p.nav && (!p.roles || p.roles.includes(me.role)))
      .map((p) => h("li", {}, h("a", {
        href: `#/${p.path}`, "aria-current": p.path === current ? "page" : null,
      }, t(p.nav))))
    : [];
  fill(top,
    h("span", { class: "brand" }, t("app.title")),
    h("nav", { "aria-label": t("app.title") }, h("ul", {}, links)),
    h("div", { class: "who" },
      me ? h("span", {}, t("nav.user", { name: me.name || me.id, role: label("role", me.role), org: me.organisation })) : null,
      h("button", {
        type: "button", lang: language() === "zh" ? "en" : "zh-CN", "aria-label": t("nav.languageLabel"),
        onclick: () => { setLanguage(language() === "zh" ? "en" : "zh"); route(); },
      }, t("nav.language")),
      me ? h("button", {
        type: "button", onclick: () => { forgetToken(); location.hash = "#/login"; },
      }, t("nav.signout")) : null));
  document.querySelector(".skip").textContent = t("skip");
}

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const main = document.getElementById("main");
  const [path, ...params] = location.hash.replace(/^#\/?/, "").split("/");
  if (!token() || path === "login") {
    header(null, "login");
    renderLogin(main);
    return;
  }
  let me;
  try {
    me = await whoAmI();
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
      forgetToken();
      location.hash = "#/login";
      return;
    }
    fill(main, errorBox(error));
    return;
  }
  const page = PAGES.find((p) => p.path === path) || PAGES[0];
  header(me, page.path);
  fill(main, h("p", {}, t("loading")));
  cleanup = (await page.render(main, params.map(decodeURIComponent), me)) || null;
}

window.addEventListener("hashchange", route);
route();
