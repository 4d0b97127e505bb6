// Document upload (案卷材料) by the GraphQL multipart request spec, once the server offers it.

import { h, fill, announce } from "../dom.js";
import { t } from "../i18n.js";
import { offers, token, refusal, ApiError } from "../api.js";
import { errorBox, notOffered } from "../widgets.js";

const ATTACH = `mutation Attach($input: AttachDocumentInput!) { attachDocument(input: $input) {
  __typename ... on CaseUpdated { case { id version } }
  ... on Problem { code message } ... on ValidationError { field } } }`;

async function send(kase, file) {
  const body = new FormData();
  body.append("operations", JSON.stringify({
    query: ATTACH,
    variables: { input: { caseId: kase.id, expectedVersion: kase.version, file: null } },
  }));
  body.append("map", JSON.stringify({ 0: ["variables.input.file"] }));
  body.append("0", file, file.name);
  const response = await fetch("/graphql", { method: "POST", headers: { authorization: `Bearer ${token()}` }, body });
  const data = await response.json().catch(() => ({ errors: [{ message: `HTTP ${response.status}` }] }));
  const errors = data.errors || data.detail?.errors;
  if (errors?.length) throw new ApiError(errors[0].message, errors[0].extensions?.code || (response.status === 413 ? "LIMIT" : "INTERNAL"));
  const problem = refusal(data.data.attachDocument);
  if (problem) throw problem;
}

/** The upload form, or a note while the server has no attachDocument mutation. */
export function uploadForm(kase, reload) {
  const holder = h("div", { class: "upload" });
  offers("mutation", "attachDocument").then((offered) => {
    if (!offered) { fill(holder, notOffered("attachDocument(input: AttachDocumentInput!)")); return; }
    const slot = h("div", { class: "slot" });
    const file = h("input", { id: "upload-file", type: "file", required: true });
    fill(holder, h("form", {
      onsubmit: async (event) => {
        event.preventDefault();
        const chosen = file.files[0];
        if (!chosen) { fill(slot, errorBox({ readable: t("required") })); return; }
        try {
          await send(kase, chosen);
        } catch (error) {
          fill(slot, errorBox(error, reload));
          return;
        }
        announce(t("case.uploaded", { name: chosen.name }));
        await reload();
      },
    }, h("label", { for: "upload-file" }, t("case.uploadFile")), file,
    h("button", { type: "submit" }, t("case.upload")), slot));
  }, (error) => fill(holder, errorBox(error)));
  return holder;
}
