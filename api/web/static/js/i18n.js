// Words and dates in Simplified Chinese (the default) or English, switched by the user.

import { ZH, EN } from "./words.js";

const KEY = "casework.lang";
let lang = localStorage.getItem(KEY) === "en" ? "en" : "zh";

/** The language in use: "zh" or "en". */
export function language() {
  return lang;
}

/** Switch the language (the page re-renders itself). */
export function setLanguage(next) {
  lang = next === "en" ? "en" : "zh";
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}
setLanguage(lang);

/** The UI text for a key, with {name} placeholders filled; the key itself if unknown. */
export function t(key, vars = {}) {
  const words = lang === "zh" ? ZH : EN;
  const text = words[key] ?? EN[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** A label from a group ("kind", "event", ...); else the fallback if given (even null), else the value. */
export function label(group, value, fallback) {
  const words = lang === "zh" ? ZH : EN;
  const found = words[`${group}.${value}`];
  if (found !== undefined) return found;
  return fallback === undefined ? value : fallback;
}

/** One side of a bilingual server text such as "受理审查 / review for admission". */
export function side(text) {
  if (!text) return "";
  const parts = text.split(" / ");
  if (parts.length !== 2) return text;
  return lang === "zh" ? parts[0] : parts[1];
}

/** The Chinese term a server description carries in brackets, e.g. "Accept … (受理)" gives 受理. */
export function chineseTerm(text) {
  const match = /[（(]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]/.exec(text || "");
  return match ? match[1].split(/[,，;；]/)[0].trim() : null;
}

const CHINA = "Asia/Shanghai";

/** A calendar day (YYYY-MM-DD) as users read it: 2026年12月3日, or 3 Dec 2026. */
export function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  if (lang === "zh") return `${y}年${m}月${d}日`;
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", {
    timeZone: "UTC", day: "numeric", month: "short", year: "numeric",
  });
}

/** An instant in China time: 2026年11月26日 16:36, or 26 Nov 2026, 16:36. */
export function formatDateTime(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: CHINA, year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    }).formatToParts(when).map((p) => [p.type, p.value]),
  );
  const time = `${parts.hour}:${parts.minute}:${parts.second}`;
  if (lang === "zh") return `${parts.year}年${Number(parts.month)}月${Number(parts.day)}日 ${time}`;
  return `${formatDate(`${parts.year}-${parts.month}-${parts.day}`)}, ${time}`;
}

/** Today in China (YYYY-MM-DD), whatever the browser's zone. */
export function chinaToday() {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: CHINA, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date()).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** A day some days after another (YYYY-MM-DD). */
export function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** "还剩 7 天" / "逾期 2 天" / "已中止". */
export function daysLeftText(daysLeft, suspended) {
  if (suspended || daysLeft === null || daysLeft === undefined) return t("deadline.suspended");
  if (daysLeft < 0) return t("deadline.overdue", { n: -daysLeft });
  if (daysLeft === 0) return t("deadline.today");
  return t("deadline.left", { n: daysLeft });
}
