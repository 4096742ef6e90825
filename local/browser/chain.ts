/**
 * Puts into the two stand-ins what the stack puts into Logto and Entra, through the same APIs (Graph with the
 * deployer's token, Logto's Management API with the M2M app's): per customer tenant an app registration with
 * a password, its service principal and an admin consent grant, a Logto connector with that client id,
 * secret and issuer whose callback becomes the Entra Web redirect URI; a connection's organization with its
 * JIT connector and default role; a Traditional app for the sample app; the SSO switch on.
 */
import type { EntraStandIn } from "../standins/entra";
import {
  addPassword,
  field,
  graphClient,
  registerWebApp,
  type GraphCall,
  type RegisteredWebApp,
} from "../standins/entra/testing";
import type { LocalTargets } from "../stack";
import { managementApiResource } from "../standins/logto";

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export type LogtoCall = (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;

export async function logtoManagementApi(logto: LocalTargets["logto"]): Promise<LogtoCall> {
  const basic = Buffer.from(`${logto.m2mAppId}:${logto.m2mAppSecret}`).toString("base64");
  const tokenAnswer = await fetch(`${logto.url}/oidc/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", resource: managementApiResource, scope: "all" }),
  });
  const token = field(await tokenAnswer.json(), "access_token");
  if (typeof token !== "string") throw new Error(`no Management API token: ${tokenAnswer.status}`);
  return async (method, path, body) => {
    const answer = await fetch(`${logto.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    return { status: answer.status, body: text === "" ? undefined : JSON.parse(text) };
  };
}

function expectStatus(answer: ApiAnswer, status: number, what: string): unknown {
  if (answer.status !== status)
    throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const text = (value: unknown, what: string): string => {
  if (typeof value !== "string") throw new Error(`${what} is missing`);
  return value;
};

export interface EntraApp extends RegisteredWebApp {
  tenantId: string;
  graph: GraphCall;
}

export const addEntraPassword = (app: EntraApp): Promise<{ secret: string; keyId: string }> =>
  addPassword(app.graph, app.objectId);

/** ApplicationRegistration + ApplicationPassword + ServicePrincipal + ServicePrincipalDelegatedPermissionGrant. */
export async function registerEntraApp(entra: EntraStandIn, tenantId: string, displayName: string): Promise<EntraApp> {
  const graph = await graphClient(entra, tenantId);
  return { tenantId, graph, ...(await registerWebApp(graph, { displayName })) };
}

export interface ConnectorSeed {
  name: string;
  app: EntraApp;
  issuer: string;
  domains: string[];
  trustUnverifiedEmail?: boolean;
}

/** The Logto connector for an Entra app, and the app's redirect URI set to the connector's callback. */
export async function connectEntraApp(logtoApi: LogtoCall, logtoUrl: string, seed: ConnectorSeed): Promise<string> {
  const config = {
    clientId: seed.app.appId,
    clientSecret: seed.app.secret,
    issuer: seed.issuer,
    trustUnverifiedEmail: seed.trustUnverifiedEmail ?? false,
  };
  const connector = expectStatus(
    await logtoApi("POST", "/api/sso-connectors", {
      providerName: "AzureAdOidc",
      connectorName: seed.name,
      config,
      domains: seed.domains,
    }),
    200,
    "create SSO connector",
  );
  const connectorId = text(field(connector, "id"), "connector id");
  const web = { redirectUris: [`${logtoUrl}/callback/${connectorId}`] };
  expectStatus(
    await seed.app.graph("PATCH", `/v1.0/applications/${seed.app.objectId}`, { web }),
    204,
    "set the redirect URI",
  );
  return connectorId;
}

export interface TraditionalApp {
  id: string;
  /** The "Default secret" Logto made with the app. */
  secret: string;
}

export async function createTraditionalApp(
  logtoApi: LogtoCall,
  name: string,
  appUrls: string[],
): Promise<TraditionalApp> {
  const oidcClientMetadata = {
    redirectUris: appUrls.map((url) => `${url}/callback`),
    postLogoutRedirectUris: appUrls.map((url) => `${url}/`),
  };
  const app = expectStatus(
    await logtoApi("POST", "/api/applications", { name, type: "Traditional", oidcClientMetadata }),
    200,
    "create application",
  );
  const id = text(field(app, "id"), "application id");
  const secrets = expectStatus(await logtoApi("GET", `/api/applications/${id}/secrets`), 200, "list secrets");
  return { id, secret: text(field((secrets as unknown[])[0], "value"), "secret value") };
}

export async function enableSingleSignOn(logtoApi: LogtoCall, enabled: boolean): Promise<void> {
  expectStatus(
    await logtoApi("PATCH", "/api/sign-in-exp", { singleSignOnEnabled: enabled }),
    200,
    "switch enterprise SSO",
  );
}

export interface JitOrganization {
  id: string;
  roleId: string;
}

/**
 * What a connection's `organization` makes in Logto: an organization role, the organization, and its JIT
 * settings (the connector's users join with that role; PUT replaces each list whole).
 */
export async function createJitOrganization(
  logtoApi: LogtoCall,
  seed: { name: string; roleName: string; ssoConnectorId: string },
): Promise<JitOrganization> {
  const role = expectStatus(
    await logtoApi("POST", "/api/organization-roles", { name: seed.roleName }),
    201,
    "create organization role",
  );
  const roleId = text(field(role, "id"), "organization role id");
  const organization = expectStatus(
    await logtoApi("POST", "/api/organizations", { name: seed.name }),
    201,
    "create organization",
  );
  const id = text(field(organization, "id"), "organization id");
  const jit = `/api/organizations/${id}/jit`;
  expectStatus(
    await logtoApi("PUT", `${jit}/sso-connectors`, { ssoConnectorIds: [seed.ssoConnectorId] }),
    204,
    "set JIT connectors",
  );
  expectStatus(await logtoApi("PUT", `${jit}/roles`, { organizationRoleIds: [roleId] }), 204, "set JIT roles");
  return { id, roleId };
}

/**
 * Deletes the organization roles and scopes of these names: on a shared real Logto, what a failed destroy left of
 * a run's uniquely named template.
 */
export async function deleteTemplateNamed(logtoApi: LogtoCall, names: Iterable<string>): Promise<void> {
  const wanted = new Set(names);
  for (const kind of ["organization-roles", "organization-scopes"]) {
    const rows = (await logtoApi("GET", `/api/${kind}?page_size=100`)).body as Array<{ id: string; name: string }>;
    for (const row of rows.filter((candidate) => wanted.has(candidate.name))) {
      await logtoApi("DELETE", `/api/${kind}/${row.id}`);
    }
  }
}
