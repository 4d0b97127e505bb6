// Building DOM nodes without innerHTML, so text from the server is never parsed as markup.

/** An element: h("a", {href: "#/x", onclick: fn}, "text", child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "value" || key === "checked") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Tell screen readers what just happened. */
export function announce(text) {
  const live = document.getElementById("announce");
  if (live) {
    live.textContent = "";
    setTimeout(() => { live.textContent = text; }, 30);
  }
}

let uid = 0;
/** A fresh element id. */
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}
