// The only way the UI talks to the server: GraphQL over /graphql (HTTP and graphql-transport-ws).

import { t } from "./i18n.js";

const TOKEN = "casework.token";

/** A refusal from the API: a code, a message for people, and the input field at fault if any. */
export class ApiError extends Error {
  constructor(message, code = "INTERNAL", field = null) {
    super(message);
    this.code = code;
    this.field = field;
  }

  /** The refusal in the user's language. */
  get readable() {
    const key = `error.${this.code}`;
    const text = t(key, { message: this.message });
    return text === key ? t("error.other", { message: this.message }) : text;
  }
}

/** The signed-in user's token, or null. */
export function token() {
  return sessionStorage.getItem(TOKEN);
}

/** Remember the token for this browser tab. */
export function keepToken(value) {
  sessionStorage.setItem(TOKEN, value);
}

/** Forget the token (sign out). */
export function forgetToken() {
  sessionStorage.removeItem(TOKEN);
  me = null;
}

/** Run a query or mutation; the data, or an ApiError. */
export async function gql(query, variables = {}, bearer = token()) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${bearer ?? ""}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError(String(error.message || error), "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, response.status === 413 ? "LIMIT" : "INTERNAL");
  }
  const errors = body.errors || body.detail?.errors;
  if (response.status === 401) {
    const first = errors?.[0];
    throw new ApiError(first?.message || "unauthenticated", "UNAUTHENTICATED");
  }
  if (errors?.length) {
    const first = errors[0];
    const code = first.extensions?.code || (/Cannot query field/.test(first.message) ? "MISSING" : "INTERNAL");
    throw new ApiError(first.message, code, first.extensions?.field ?? null);
  }
  return body.data;
}

/** A mutation's CaseResult as an ApiError, or null when the step was recorded. */
export function refusal(result) {
  if (!result || result.__typename === "CaseUpdated") return null;
  return new ApiError(result.message, result.code, result.field ?? null);
}

let me = null;
/** Who the token speaks for: { id, role, organisation, name }. */
export async function whoAmI() {
  if (!me) me = (await gql("{ me { id role organisation name } }")).me;
  return me;
}

let roots = null;
/** Whether the server's schema has a query or mutation field (features still being added). */
export async function offers(kind, field) {
  if (!roots) {
    const data = await gql(
      "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
    );
    roots = {
      query: new Set(data.__schema.queryType.fields.map((f) => f.name)),
      mutation: new Set(data.__schema.mutationType.fields.map((f) => f.name)),
    };
  }
  return roots[kind].has(field);
}

const TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";
const types = new Map();
/** An input or enum type as introspection describes it (cached). */
export async function describeType(name) {
  if (!types.has(name)) {
    const data = await gql(
      `query($name: String!) { __type(name: $name) { name kind description
        inputFields { name description defaultValue type { ${TYPE_REF} } }
        enumValues { name description } } }`,
      { name },
    );
    types.set(name, data.__type);
  }
  return types.get(name);
}

const objects = new Map();
/** The field names of an object type (cached), to ask only for what the server has. */
export async function fieldsOf(name) {
  if (!objects.has(name)) {
    const data = await gql("query($name: String!) { __type(name: $name) { fields { name } } }", { name });
    objects.set(name, new Set((data.__type?.fields || []).map((f) => f.name)));
  }
  return objects.get(name);
}

/** Subscribe over graphql-transport-ws; onData gets each payload's data. Returns a closer. */
export function subscribe(query, variables, onData, onError = () => {}) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const socket = new WebSocket(url, "graphql-transport-ws");
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({
      type: "connection_init", payload: { Authorization: `Bearer ${token() ?? ""}` },
    }));
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
    } else if (message.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (message.type === "next") {
      if (message.payload.errors) onError(new ApiError(message.payload.errors[0].message));
      else onData(message.payload.data);
    } else if (message.type === "error") {
      onError(new ApiError(message.payload?.[0]?.message || "subscription refused"));
    }
  });
  return () => socket.close(1000);
}
