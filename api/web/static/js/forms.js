// A form for any step, built from the mutation's input type as the server describes it.

import { h, fill, newId } from "./dom.js";
import { t, label, language } from "./i18n.js";
import { gql, describeType, refusal } from "./api.js";
import { errorBox } from "./widgets.js";

const FILLED_IN = new Set(["caseId", "expectedVersion"]);
const LONG_TEXT = new Set([
  "reason", "summary", "explanation", "opinion", "mediationAgreement", "note", "instructions",
  "lateJustification", "lateReason", "description", "reply", "content",
]);

/** The input type of a mutation: reconsiderationAccept takes ReconsiderationAcceptInput. */
export function inputTypeOf(mutation) {
  return `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
}

function unwrap(ref) {
  let required = false;
  let list = false;
  let type = ref;
  if (type.kind === "NON_NULL") { required = true; type = type.ofType; }
  if (type.kind === "LIST") { list = true; type = type.ofType; }
  if (type.kind === "NON_NULL") type = type.ofType;
  return { required, list, kind: type.kind, name: type.name };
}

/** The field's name for people: for its input type, else for any, else the schema's words. */
function curatedLabel(field, owner) {
  return label("field", `${owner}.${field.name}`, null) ?? label("field", field.name, null);
}

function fieldLabel(field, owner) {
  return curatedLabel(field, owner) ?? field.description ?? field.name;
}

function hint(field, owner) {
  return language() === "en" || curatedLabel(field, owner) === null ? field.description : null;
}

/** An enum value nobody has named yet, readable at least: ON_THE_SPOT gives "On the spot". */
function spoken(value) {
  const words = value.toLowerCase().replace(/_/g, " ");
  return words[0].toUpperCase() + words.slice(1);
}

function requiredMark() {
  return h("span", { class: "req" }, ` *（${t("required")}）`);
}

/** A widget for one input field: its node, how to read its value, and where its error goes.
 * `owner` is the input type holding the field; `optionalGroup` says the field sits in a group
 * that may be left empty, where a required field is required only once the group is begun. */
async function widget(field, path, owner, optionalGroup = false) {
  const type = unwrap(field.type);
  const required = type.required && field.defaultValue === null && !type.list;
  const id = newId(`f-${field.name}`);
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const help = hint(field, owner);
  const error = h("p", { id: errorId, class: "field-error" });
  const describedBy = [help ? helpId : null, errorId].filter(Boolean).join(" ");
  const mark = required ? requiredMark() : null;
  const caption = h("label", { for: id }, fieldLabel(field, owner), optionalGroup ? null : mark);
  const helpNode = help ? h("small", { id: helpId }, help) : null;
  const name = [...path, field.name].join(".");

  if (type.kind === "INPUT_OBJECT" && !type.list) {
    const shape = await describeType(type.name);
    const optional = optionalGroup || !type.required;
    const parts = await Promise.all(shape.inputFields.map((f) => widget(f, [...path, field.name], type.name, optional)));
    const node = h("fieldset", { class: "nested" },
      h("legend", {}, fieldLabel(field, owner), required ? requiredMark() : null), helpNode, parts.map((p) => p.node), error);
    if (optional && !optionalGroup) {
      // Once any field of an optional group is filled in, its required fields are required.
      const begun = () => {
        const filled = parts.some((p) => p.filled());
        for (const p of flatten(parts)) p.requireWhen?.(filled);
      };
      node.addEventListener("input", begun);
      node.addEventListener("change", begun);
    }
    return {
      name, node, error, parts,
      read(errors) {
        const value = {};
        const anyFilled = parts.some((p) => p.filled());
        if (!anyFilled && !type.required) return undefined;
        for (const p of parts) {
          const v = p.read(errors);
          if (v !== undefined) value[p.field] = v;
        }
        return value;
      },
      filled: () => parts.some((p) => p.filled()),
      field: field.name,
    };
  }
  if (type.kind === "INPUT_OBJECT") {
    return { name, node: h("p", { class: "muted" }, fieldLabel(field, owner), "：—"), error, read: () => undefined, filled: () => false, field: field.name };
  }

  let input;
  if (type.kind === "ENUM") {
    const values = (await describeType(type.name)).enumValues;
    input = h("select", { id, name },
      required ? null : h("option", { value: "" }, t("form.unset")),
      values.map((v) => h("option", { value: v.name }, label(`enum.${type.name}`, v.name, v.description || spoken(v.name)))));
  } else if (type.list) {
    input = h("textarea", { id, name, rows: "3" });
  } else if (type.name === "Boolean") {
    input = required
      ? h("input", { id, name, type: "checkbox" })
      : h("select", { id, name }, h("option", { value: "" }, t("form.unset")),
        h("option", { value: "true" }, t("yes")), h("option", { value: "false" }, t("no")));
  } else if (type.name === "Date") {
    input = h("input", { id, name, type: "date" });
  } else if (type.name === "Int") {
    input = h("input", { id, name, type: "number", step: "1", inputmode: "numeric" });
  } else if (type.name === "Decimal" || type.name === "Float") {
    input = h("input", { id, name, inputmode: "decimal" });
  } else if (LONG_TEXT.has(field.name)) {
    input = h("textarea", { id, name, rows: "2" });
  } else {
    input = h("input", { id, name });
  }
  input.setAttribute("aria-describedby", describedBy);
  if (required && !optionalGroup) input.setAttribute("aria-required", "true");
  const listHint = type.list ? h("small", {}, t("form.hint.list")) : null;
  const node = h("div", { class: "field" }, caption, helpNode, listHint, input, error);

  function raw() {
    return input.type === "checkbox" ? input.checked : input.value.trim();
  }
  return {
    name, node, error, field: field.name, input,
    requireWhen(begun) {
      if (!mark) return;
      if (begun) {
        caption.append(mark);
        input.setAttribute("aria-required", "true");
      } else {
        mark.remove();
        input.removeAttribute("aria-required");
      }
    },
    filled: () => (input.type === "checkbox" ? input.checked : raw() !== ""),
    read(errors) {
      const value = raw();
      if (type.list) return value === "" ? [] : value.split("\n").map((s) => s.trim()).filter(Boolean);
      if (input.type === "checkbox") return value;
      if (value === "") {
        if (required) errors.push([this, t("required")]);
        return undefined;
      }
      if (type.name === "Boolean") return value === "true";
      if (type.name === "Int") {
        if (!/^-?\d+$/.test(value)) { errors.push([this, t("form.number")]); return undefined; }
        return Number(value);
      }
      if (type.name === "Decimal" || type.name === "Float") {
        if (!/^-?\d+(\.\d+)?$/.test(value)) { errors.push([this, t("form.decimal")]); return undefined; }
        return type.name === "Float" ? Number(value) : value;
      }
      return value;
    },
  };
}

function flatten(widgets) {
  return widgets.flatMap((w) => [w, ...(w.parts ? flatten(w.parts) : [])]);
}

function mark(w, message) {
  w.error.textContent = message;
  (w.input || w.node).setAttribute?.("aria-invalid", "true");
}

/** The form for one step on a case; onDone runs after the step is recorded. */
export async function stepForm(step, kase, { onDone, onReload }) {
  const typeName = inputTypeOf(step.mutation);
  const shape = await describeType(typeName);
  const widgets = await Promise.all(
    shape.inputFields.filter((f) => !FILLED_IN.has(f.name)).map((f) => widget(f, [], typeName)),
  );
  const top = h("div", { class: "slot" });
  const submit = h("button", { type: "submit" }, t("form.submit"));
  const form = h("form", { class: "step-form", novalidate: true, dataset: { mutation: step.mutation } },
    top, widgets.map((w) => w.node), submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fill(top);
    for (const w of flatten(widgets)) { w.error.textContent = ""; w.input?.removeAttribute("aria-invalid"); }
    const errors = [];
    const input = { caseId: kase.id, expectedVersion: kase.version };
    for (const w of widgets) {
      const value = w.read(errors);
      if (value !== undefined) input[w.field] = value;
    }
    if (errors.length) {
      for (const [w, message] of errors) mark(w, message);
      fill(top, errorBox({ readable: t("form.invalid") }));
      (errors[0][0].input || errors[0][0].node).focus();
      return;
    }
    submit.disabled = true;
    try {
      const data = await gql(`mutation Step($input: ${typeName}!) { ${step.mutation}(input: $input) {
        __typename ... on CaseUpdated { viewsCurrent case { id version status } }
        ... on Problem { code message } ... on ValidationError { field } } }`, { input });
      const problem = refusal(data[step.mutation]);
      if (problem) throw problem;
    } catch (error) {
      submit.disabled = false;
      const target = error.field && flatten(widgets).find((w) => w.name === error.field || w.field === error.field);
      if (target) {
        mark(target, error.readable);
        (target.input || target.node).focus();
      } else {
        fill(top, errorBox(error, onReload));
        top.querySelector("button, [role=alert]")?.focus?.();
      }
      return;
    }
    await onDone();
  });
  return form;
}
