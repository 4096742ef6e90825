/**
 * /applications: create, read, list, update, delete, addPassword, removePassword, as the azuread provider's
 * ApplicationRegistration, ApplicationRedirectUris, ApplicationApiAccess and ApplicationPassword resources
 * call them (../../../../shared/reference/graph-for-azuread.md; TF internal/services/applications).
 */
import { isPlainObject } from "../../shared/json";
import { graphBadRequest, invalidProperty, resourceNotFound } from "../errors";
import { newClientSecret, newGuid } from "../ids";
import {
  applicationDefaults,
  graphDateTime,
  type Application,
  type GraphJson,
  type PasswordCredential,
} from "../objects";
import {
  collectionReply,
  entityReply,
  filterItems,
  noContent,
  objectBody,
  typedReply,
  type GraphContext,
  type GraphRoute,
} from "./context";
import { existing, objectId, readById } from "./lookup";
import { mergeGraphBody } from "./merge";
import { applicationShape, isNullableString } from "./shapes";

const writers = ["Application.ReadWrite.All"];
const readers = ["Application.ReadWrite.All", "Application.Read.All", "Directory.Read.All"];

/** Set by Graph, or only through addPassword/removePassword: ignored in bodies. */
const readOnly = new Set([
  "id",
  "appId",
  "createdDateTime",
  "deletedDateTime",
  "publisherDomain",
  "passwordCredentials",
  "keyCredentials",
]);

function credentialsInBody(body: Record<string, unknown>): void {
  for (const property of ["passwordCredentials", "keyCredentials"]) {
    const value = body[property];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
      throw graphBadRequest(
        `Property '${property}' cannot be set on an application by the Entra stand-in; use addPassword and removePassword.`,
      );
    }
  }
}

/** Merges `body` into a copy of `app` and checks the result, so a refused body changes nothing. */
function merged(app: Application, body: Record<string, unknown>): Application {
  credentialsInBody(body);
  const candidate = structuredClone(app);
  mergeGraphBody(candidate, body, applicationDefaults(), readOnly);
  applicationShape(candidate);
  return candidate;
}

/** What a GET by id shows: passwords the replica has not seen yet are missing. */
function applicationView(context: GraphContext, app: Application): GraphJson {
  const view = structuredClone(app);
  view.passwordCredentials = app.passwordCredentials.filter(
    (credential) => !context.tenant.lag.hidesPassword(credential.keyId),
  );
  return view;
}

function create(context: GraphContext) {
  const body = objectBody(context);
  if (typeof body.displayName !== "string" || body.displayName === "")
    throw invalidProperty("displayName", "Application");
  const app = merged(context.tenant.newApplication(), body);
  context.tenant.applications.set(app.id, app);
  context.tenant.lag.created(app.id);
  return entityReply(context, "applications", "application", structuredClone(app), 201);
}

function read(context: GraphContext) {
  const id = objectId(context.params[0]);
  return entityReply(
    context,
    "applications",
    "application",
    readById(context, context.tenant.applications, id, (app) => applicationView(context, app)),
  );
}

function list(context: GraphContext) {
  const apps = filterItems(
    context,
    "Application",
    [...context.tenant.applications.values()],
    ["appId", "displayName", "id"],
  );
  return collectionReply(context, "applications", "application", structuredClone(apps), applicationDefaults());
}

function update(context: GraphContext) {
  const id = objectId(context.params[0]);
  const app = merged(existing(context.tenant.applications, id), objectBody(context));
  context.tenant.applications.set(id, app);
  return noContent;
}

function remove(context: GraphContext) {
  const id = objectId(context.params[0]);
  const app = existing(context.tenant.applications, id);
  context.tenant.applications.delete(id);
  context.tenant.lag.deleted(id, app);
  return noContent;
}

function parseDateTime(value: unknown, property: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
    throw invalidProperty(property, "PasswordCredential");
  return value;
}

const twoYearsMs = 2 * 365 * 24 * 3600 * 1000;

function addPassword(context: GraphContext) {
  const id = objectId(context.params[0]);
  const app = existing(context.tenant.applications, id);
  const body = objectBody(context);
  const fields = body.passwordCredential ?? {};
  if (!isPlainObject(fields)) throw invalidProperty("passwordCredential", "AddPasswordRequest");
  if (!isNullableString(fields.displayName ?? null)) throw invalidProperty("displayName", "PasswordCredential");
  // Stored as sent: the provider compares them with its config and would replace the secret on any difference.
  const startDateTime = parseDateTime(fields.startDateTime, "startDateTime") ?? graphDateTime(new Date());
  const endDateTime =
    parseDateTime(fields.endDateTime, "endDateTime") ?? graphDateTime(new Date(Date.parse(startDateTime) + twoYearsMs));
  if (Date.parse(endDateTime) <= Date.parse(startDateTime)) throw invalidProperty("endDateTime", "PasswordCredential");

  const secretText = newClientSecret();
  const credential: PasswordCredential = {
    customKeyIdentifier: null,
    displayName: typeof fields.displayName === "string" ? fields.displayName : null,
    endDateTime,
    hint: secretText.slice(0, 3),
    keyId: newGuid(),
    secretText: null,
    startDateTime,
  };
  app.passwordCredentials.push(credential);
  context.tenant.rememberSecret(credential.keyId, secretText);
  context.tenant.lag.passwordAdded(credential.keyId);
  return typedReply(context, "passwordCredential", { ...credential, secretText });
}

function removePassword(context: GraphContext) {
  const id = objectId(context.params[0]);
  const app = existing(context.tenant.applications, id);
  const { keyId } = objectBody(context);
  if (typeof keyId !== "string") throw invalidProperty("keyId", "RemovePasswordRequest");
  const index = app.passwordCredentials.findIndex(
    (credential) => credential.keyId.toLowerCase() === keyId.toLowerCase(),
  );
  if (index < 0) throw resourceNotFound(keyId);
  app.passwordCredentials.splice(index, 1);
  return noContent;
}

export const applicationRoutes: GraphRoute[] = [
  { method: "POST", pattern: /^\/applications$/, roles: writers, handle: create },
  { method: "GET", pattern: /^\/applications$/, roles: readers, handle: list },
  { method: "GET", pattern: /^\/applications\/([^/]+)$/, roles: readers, handle: read },
  { method: "PATCH", pattern: /^\/applications\/([^/]+)$/, roles: writers, handle: update },
  { method: "DELETE", pattern: /^\/applications\/([^/]+)$/, roles: writers, handle: remove },
  { method: "POST", pattern: /^\/applications\/([^/]+)\/addPassword$/, roles: writers, handle: addPassword },
  { method: "POST", pattern: /^\/applications\/([^/]+)\/removePassword$/, roles: writers, handle: removePassword },
];
