import {
  array,
  boolean,
  enumOf,
  guardBody,
  nullable,
  number,
  object,
  optional,
  record,
  refine,
  string,
} from "../guard";
import { ApiError, notExistsWithId } from "../http";
import { newApplicationId, newSecretValue } from "../ids";
import { jsonbOrdered } from "../json";
import { paginate } from "../pagination";
import { applicationTypes, newestFirst, tenantId, type ApplicationRow } from "../state";
import type { Route, RouteContext } from "./context";

/** Web URLs, or a custom scheme as native apps use (`io.logto://callback`); "not a uri" is refused (23c). */
function isRedirectUri(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return ["http:", "https:"].includes(protocol) || /^[a-z][\d+.a-z-]*:\/\/\S+$/i.test(value);
  } catch {
    return false;
  }
}

// Both URI lists are required whenever the object is sent: PATCH replaces it whole (05b).
const oidcClientMetadataSchema = object({
  redirectUris: array(refine(string(), isRedirectUri)),
  postLogoutRedirectUris: array(refine(string(), isRedirectUri)),
  backchannelLogoutUri: optional(refine(string(), isRedirectUri)),
  backchannelLogoutSessionRequired: optional(boolean()),
  logoUri: optional(string()),
});

const customClientMetadataSchema = object({
  corsAllowedOrigins: optional(array(string({ min: 1 }))),
  idTokenTtl: optional(number()),
  refreshTokenTtl: optional(number()),
  refreshTokenTtlInDays: optional(number()),
  tenantId: optional(string()),
  alwaysIssueRefreshToken: optional(boolean()),
  rotateRefreshToken: optional(boolean()),
  allowTokenExchange: optional(boolean()),
  isDeviceFlow: optional(boolean()),
  maxAllowedGrants: optional(number()),
});

const nameSchema = string({ min: 1, max: 256 });

const createSchema = object({
  name: nameSchema,
  description: optional(nullable(string())),
  type: enumOf(applicationTypes),
  oidcClientMetadata: optional(oidcClientMetadataSchema),
  customClientMetadata: optional(customClientMetadataSchema),
  customData: optional(record()),
  isThirdParty: optional(boolean()),
});

const patchSchema = object({
  name: optional(nameSchema),
  description: optional(nullable(string())),
  oidcClientMetadata: optional(oidcClientMetadataSchema),
  customClientMetadata: optional(customClientMetadataSchema),
  customData: optional(record()),
  appLevelAccessControlEnabled: optional(boolean()),
  isAdmin: optional(boolean()),
});

// Logto's `hasSecrets`: these types get a "Default secret" row when created (04-*).
const typesWithSecrets = new Set(["Traditional", "MachineToMachine"]);

const samlApplicationError = (): ApiError =>
  new ApiError(400, {
    code: "application.saml.use_saml_app_api",
    message: "Use `/saml-applications` API to create or update SAML applications.",
  });

export function applicationRowJson(row: ApplicationRow): Record<string, unknown> {
  return {
    tenantId: row.tenantId,
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.type,
    oidcClientMetadata: jsonbOrdered(row.oidcClientMetadata),
    customClientMetadata: jsonbOrdered(row.customClientMetadata),
    protectedAppMetadata: row.protectedAppMetadata,
    customData: jsonbOrdered(row.customData),
    isThirdParty: row.isThirdParty,
    appLevelAccessControlEnabled: row.appLevelAccessControlEnabled,
    createdAt: row.createdAt,
  };
}

export function existingApplication(context: RouteContext): ApplicationRow {
  const [id] = context.params;
  const row = context.state.applications.get(id);
  if (!row) throw notExistsWithId("applications", id);
  return row;
}

/** `search` matches id, name or description, case-insensitively (23d). */
function matchesSearch(row: ApplicationRow, search: string | null): boolean {
  if (search === null) return true;
  const needle = search.toLowerCase();
  return [row.id, row.name, row.description ?? ""].some((field) => field.toLowerCase().includes(needle));
}

function listApplications(context: RouteContext) {
  const advanced = [...context.query.keys()].filter((key) => /^(search|mode)\./.test(key));
  if (advanced.length > 0) {
    throw new ApiError(501, {
      code: "standin.unsupported_query",
      message: `The stand-in supports \`search\`, \`page\` and \`page_size\` only, not ${advanced.join(", ")}.`,
    });
  }
  const search = context.query.get("search");
  const rows = newestFirst(context.state.applications.values()).filter((row) => matchesSearch(row, search));
  const page = paginate(rows, context.query, context.origin, context.pathname);
  return { status: 200, body: page.rows.map(applicationRowJson), headers: page.headers };
}

function createApplication(context: RouteContext) {
  const body = guardBody(createSchema, context.body);
  if (body.type === "SAML") throw samlApplicationError();
  if (body.type === "Protected") {
    throw new ApiError(501, {
      code: "standin.unsupported_application_type",
      message: "Protected apps need Logto Cloud; the stand-in does not model them.",
    });
  }
  if (body.isThirdParty && body.type !== "Traditional") {
    throw new ApiError(400, {
      code: "application.invalid_third_party_application_type",
      message: "Only traditional web applications can be marked as a third-party app.",
    });
  }
  const row: ApplicationRow = {
    tenantId,
    id: newApplicationId(),
    name: body.name,
    description: body.description ?? null,
    type: body.type,
    oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [], ...body.oidcClientMetadata },
    customClientMetadata: body.customClientMetadata ?? {},
    protectedAppMetadata: null,
    customData: body.customData ?? {},
    isThirdParty: body.isThirdParty ?? false,
    appLevelAccessControlEnabled: false,
    createdAt: Date.now(),
  };
  context.state.applications.set(row.id, row);
  if (typesWithSecrets.has(row.type)) {
    context.state.secretsOf(row.id).push({
      tenantId,
      applicationId: row.id,
      name: "Default secret",
      value: newSecretValue(),
      createdAt: Date.now(),
      expiresAt: null,
    });
  }
  return { status: 200, body: applicationRowJson(row) };
}

/** Sent fields replace the stored ones whole (Logto's jsonb "replace" mode); `isAdmin` toggles the admin role. */
function patchApplication(context: RouteContext) {
  const { isAdmin, ...changes } = guardBody(patchSchema, context.body);
  const row = existingApplication(context);
  if (row.type === "SAML") throw samlApplicationError();
  if (isAdmin === true) context.state.adminApplicationIds.add(row.id);
  if (isAdmin === false) context.state.adminApplicationIds.delete(row.id);
  Object.assign(row, changes);
  return { status: 200, body: applicationRowJson(row) };
}

function deleteApplication(context: RouteContext) {
  const row = existingApplication(context);
  if (row.type === "SAML") throw samlApplicationError();
  context.state.applications.delete(row.id);
  context.state.appSecrets.delete(row.id);
  context.state.adminApplicationIds.delete(row.id);
  return { status: 204 };
}

export const applicationRoutes: Route[] = [
  { method: "GET", pattern: /^\/api\/applications$/, handle: listApplications },
  { method: "POST", pattern: /^\/api\/applications$/, handle: createApplication },
  {
    method: "GET",
    pattern: /^\/api\/applications\/([^/]+)$/,
    handle: (context) => {
      const row = existingApplication(context);
      return {
        status: 200,
        body: { ...applicationRowJson(row), isAdmin: context.state.adminApplicationIds.has(row.id) },
      };
    },
  },
  { method: "PATCH", pattern: /^\/api\/applications\/([^/]+)$/, handle: patchApplication },
  { method: "DELETE", pattern: /^\/api\/applications\/([^/]+)$/, handle: deleteApplication },
];
