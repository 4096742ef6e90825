/** Clients of the Entra stand-in for its tests: https with the run's CA, the deployer's token, Graph calls. */
import https from "node:https";

import { isPlainObject } from "../shared/json";
import { permissionGrantId } from "./ids";
import type { EntraStandIn } from "./index";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body or one that is not JSON (an HTML page). */
  body: unknown;
  text: string;
}

export interface RequestSpec {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** CA certificates to trust; default the stand-in's CA. */
  ca?: string | string[];
}

/** One https request to `url`, trusting `ca` only. */
export function httpsRequest(
  url: string,
  { method = "GET", headers = {}, body, ca }: RequestSpec & { ca: string | string[] },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method, headers, ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const isJson = /json/.test(response.headers["content-type"] ?? "");
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: text !== "" && isJson ? JSON.parse(text) : undefined,
          text,
        });
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

export const call = (entra: EntraStandIn, path: string, spec: RequestSpec = {}): Promise<Answer> =>
  httpsRequest(`${entra.url}${path}`, { ...spec, ca: spec.ca ?? entra.caPem });

export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
  return current;
}

export function requestToken(entra: EntraStandIn, tenantId: string, form: Record<string, string>): Promise<Answer> {
  return call(entra, `/${tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
  });
}

/** A token as go-azure-sdk asks for it: client credentials, scope `<graph>/.default`. */
export async function tokenFor(
  entra: EntraStandIn,
  tenantId: string,
  clientId: string,
  clientSecret: string,
): Promise<string> {
  const answer = await requestToken(entra, tenantId, {
    client_id: clientId,
    client_secret: clientSecret,
    grant_type: "client_credentials",
    scope: `${entra.url}/.default`,
  });
  const token = field(answer.body, "access_token");
  if (typeof token !== "string") throw new Error(`no token: ${answer.status} ${answer.text}`);
  return token;
}

export type GraphCall = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Answer>;

/** Graph calls with a bearer token (the tenant's deployer unless `token` is given). */
export async function graphClient(entra: EntraStandIn, tenantId: string, token?: string): Promise<GraphCall> {
  const { clientId, clientSecret } = entra.deployer(tenantId);
  const bearer = token ?? (await tokenFor(entra, tenantId, clientId, clientSecret));
  return (method, path, body, headers = {}) =>
    call(entra, path, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** Graph's error body, `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. */
export function graphError(answer: Answer): { code: unknown; message: unknown } {
  return { code: field(answer.body, "error", "code"), message: field(answer.body, "error", "message") };
}

export interface RegisteredWebApp {
  appId: string;
  objectId: string;
  /** The service principal's object id, when one was made. */
  servicePrincipalId?: string;
  secret: string;
  keyId: string;
}

function created(answer: Answer, what: string): unknown {
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`${what}: ${answer.status} ${answer.text}`);
  return answer.body;
}

/** A password for an application, through Graph's addPassword: its secret is known only from this answer. */
export async function addPassword(graph: GraphCall, objectId: string): Promise<{ secret: string; keyId: string }> {
  const password = created(
    await graph("POST", `/v1.0/applications/${objectId}/addPassword`, { passwordCredential: { displayName: "test" } }),
    "addPassword",
  );
  return { secret: String(field(password, "secretText")), keyId: String(field(password, "keyId")) };
}

export interface WebAppSpec {
  displayName: string;
  redirectUris?: string[];
  signInAudience?: "AzureADMyOrg" | "AzureADMultipleOrgs";
  /** Delegated Graph scopes granted for all users (admin consent); none: no grant. Default "openid profile email". */
  adminConsent?: string | null;
  /** Whether to make the service principal; default true. */
  servicePrincipal?: boolean;
}

/** A Web app registration with a password, as the stack makes one: service principal and admin consent. */
export async function registerWebApp(graph: GraphCall, spec: WebAppSpec): Promise<RegisteredWebApp> {
  const body = {
    displayName: spec.displayName,
    signInAudience: spec.signInAudience ?? "AzureADMyOrg",
    web: { redirectUris: spec.redirectUris ?? [] },
  };
  const app = created(await graph("POST", "/v1.0/applications", body), "create application");
  const objectId = String(field(app, "id"));
  const appId = String(field(app, "appId"));
  const password = await addPassword(graph, objectId);
  if (spec.servicePrincipal === false) return { appId, objectId, ...password };
  const servicePrincipalId = await addServicePrincipal(
    graph,
    appId,
    spec.adminConsent === undefined ? "openid profile email" : spec.adminConsent,
  );
  return { appId, objectId, servicePrincipalId, ...password };
}

/**
 * What an administrator's consent in another tenant does for a multi-tenant app: its service principal there
 * and an AllPrincipals grant. Made in the directory by hand, as the Graph stand-in creates service principals
 * only for applications of the caller's own tenant.
 */
export function consentInTenant(entra: EntraStandIn, tenantId: string, appId: string, scope: string): string {
  const tenant = entra.tenant(tenantId);
  const servicePrincipal = tenant.newServicePrincipal(appId);
  tenant.servicePrincipals.set(servicePrincipal.id, servicePrincipal);
  const id = permissionGrantId(servicePrincipal.id, tenant.graphServicePrincipalId, null);
  tenant.oauth2PermissionGrants.set(id, {
    id,
    clientId: servicePrincipal.id,
    consentType: "AllPrincipals",
    principalId: null,
    resourceId: tenant.graphServicePrincipalId,
    scope,
  });
  return servicePrincipal.id;
}

/** A service principal for `appId` in the graph's tenant, with an AllPrincipals grant of `scope` on Microsoft Graph. */
export async function addServicePrincipal(graph: GraphCall, appId: string, scope: string | null): Promise<string> {
  const servicePrincipalId = String(
    field(created(await graph("POST", "/v1.0/servicePrincipals", { appId }), "create service principal"), "id"),
  );
  if (scope === null) return servicePrincipalId;
  const graphPrincipals = created(
    await graph("GET", `/v1.0/servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000'`),
    "find Microsoft Graph",
  );
  const [graphPrincipal] = field(graphPrincipals, "value") as unknown[];
  const grant = {
    clientId: servicePrincipalId,
    consentType: "AllPrincipals",
    resourceId: field(graphPrincipal, "id"),
    scope,
  };
  created(await graph("POST", "/v1.0/oauth2PermissionGrants", grant), "grant admin consent");
  return servicePrincipalId;
}
