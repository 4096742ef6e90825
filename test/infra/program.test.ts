/** The program's resource graph under mocks: types, names, parents, providers and dependencies. */
import { describe, expect, it } from "vitest";
import type { RawStackConfig } from "../../infra/config";
import { connection, now, rawConfig, tenantIds } from "./fixtures";
import {
  ProgramRun,
  Recording,
  entraSecretFor,
  find,
  graphAppId,
  graphObjectId,
  graphScopeId,
  invokeTokens,
  logtoEndpointValue,
  ofType,
  reveal,
  runProgram,
  settle,
  types,
} from "./harness";

function run(raw: RawStackConfig): Promise<ProgramRun> {
  return runProgram(raw, now);
}

/** [type, name, parent name] of every registered resource, sorted. */
function shape(recording: Recording): string[][] {
  const nameOf = new Map(recording.resources.map((r) => [r.urn, r.name]));
  return recording.resources
    .map((r) => [r.type, r.name, r.parent === "" ? "" : (nameOf.get(r.parent) ?? `?${r.parent}`)])
    .sort((a, b) => a.join("|").localeCompare(b.join("|")));
}

function connectionShape(name: string): string[][] {
  return [
    [types.azureadProvider, `${name}-azuread`, ""],
    [types.entraApp, `${name}-entra`, ""],
    [types.registration, `${name}-entra-registration`, `${name}-entra`],
    [types.apiAccess, `${name}-entra-graph-access`, `${name}-entra`],
    [types.servicePrincipal, `${name}-entra-service-principal`, `${name}-entra`],
    [types.grant, `${name}-entra-admin-consent`, `${name}-entra`],
    [types.password, `${name}-entra-secret`, `${name}-entra`],
    [types.ssoConnection, `${name}-sso`, ""],
    [types.connector, `${name}-sso-connector`, `${name}-sso`],
    [types.redirectUris, `${name}-sso-redirect-uris`, `${name}-sso`],
  ];
}

const sharedShape = [
  [types.signInSwitch, "sign-in-experience-sso", ""],
  [types.webApp, "sample", ""],
  [types.application, "sample-application", "sample"],
  [types.applicationSecret, "sample-application-secret", "sample"],
  [types.sampleApp, "sample", ""],
  [types.image, "sample-image", "sample"],
  [types.container, "sample-container", "sample"],
  [types.volume, "sample-secrets", "sample"],
  [types.container, "sample-secrets-writer", "sample"],
  [types.command, "sample-pids-limit", "sample"],
  [types.command, "sample-healthz-check", "sample"],
  [types.command, "sample-discovery-check", "sample"],
  [types.command, "sample-image-cleanup", "sample"],
];

/** With connections: the record of what their users are keyed on, declared before them. */
const guardShape = [types.userLinkGuard, "user-link-guard", ""];

function sorted(rows: string[][]): string[][] {
  return [...rows].sort((a, b) => a.join("|").localeCompare(b.join("|")));
}

/** The provider reference (`urn::id`) a resource or invoke was given points at this provider. */
function usesProvider(reference: string, providerUrn: string): boolean {
  return reference.startsWith(`${providerUrn}::`);
}

function checkConnectionWiring(recording: Recording, name: string): void {
  const provider = find(recording, types.azureadProvider, `${name}-azuread`);
  expect(reveal(provider.inputs)).toMatchObject({ tenantId: tenantIds[name] });
  const registration = find(recording, types.registration, `${name}-entra-registration`);
  const password = find(recording, types.password, `${name}-entra-secret`);
  const connector = find(recording, types.connector, `${name}-sso-connector`);
  const redirectUris = find(recording, types.redirectUris, `${name}-sso-redirect-uris`);

  for (const type of [
    types.registration,
    types.apiAccess,
    types.servicePrincipal,
    types.grant,
    types.password,
    types.redirectUris,
  ]) {
    const resource = ofType(recording, type).find((r) => r.name.startsWith(`${name}-`));
    expect(usesProvider(resource?.provider ?? "", provider.urn), `${type} of ${name} uses ${name}-azuread`).toBe(true);
  }

  // The connector needs the client id and the (current) secret: it depends on the password.
  expect(connector.dependencies).toContain(password.urn);
  expect(connector.dependencies).toContain(registration.urn);
  expect(reveal(connector.inputs)).toMatchObject({
    providerName: "AzureAdOidc",
    connectorName: `dev-${name}`,
    config: {
      clientId: `client-${name}-entra-registration`,
      clientSecret: entraSecretFor(`${name}-entra-secret`, "1"),
      issuer: `https://login.microsoftonline.com/${tenantIds[name]}/v2.0`,
      trustUnverifiedEmail: false,
    },
    domains: [`${name}.com`],
  });

  // The redirect URI needs the connector's id: it depends on the connector and carries its callback.
  expect(redirectUris.dependencies).toContain(connector.urn);
  expect(reveal(redirectUris.inputs)).toEqual({
    applicationId: `/applications/object-${name}-entra-registration`,
    type: "Web",
    redirectUris: [`${logtoEndpointValue}/callback/conn-${name}-sso-connector`],
  });
  expect(reveal(password.inputs)).toMatchObject({ applicationId: `/applications/object-${name}-entra-registration` });
}

describe("the program's resource graph", () => {
  it("for one connection: every resource, its parent, provider and dependencies", async () => {
    const { recording, outputs } = await run(rawConfig());
    expect(shape(recording)).toEqual(sorted([...connectionShape("contoso"), ...sharedShape, guardShape]));
    checkConnectionWiring(recording, "contoso");

    // Item 2 (issue 11): the connector depends on the tenant-wide switch, so destroy deletes the connector
    // first and the switch then sees whether any connector is left in the tenant.
    const signInSwitch = find(recording, types.signInSwitch);
    expect(reveal(signInSwitch.inputs)).toMatchObject({ enabled: true });
    expect(find(recording, types.connector).dependencies).toContain(signInSwitch.urn);
    expect(signInSwitch.dependencies).toEqual([]);

    expect((await settle(outputs.connections.contoso)).value).toEqual({
      mode: "managed",
      tenantId: tenantIds.contoso,
      domains: ["contoso.com"],
      entraClientId: "client-contoso-entra-registration",
      issuer: `https://login.microsoftonline.com/${tenantIds.contoso}/v2.0`,
      delegatedPermissions: ["openid", "profile", "email", "User.Read"],
      adminConsentUrl: `https://login.microsoftonline.com/${tenantIds.contoso}/adminconsent?client_id=client-contoso-entra-registration`,
      connectorId: "conn-contoso-sso-connector",
      connectorName: "dev-contoso",
      callbackUri: `${logtoEndpointValue}/callback/conn-contoso-sso-connector`,
      formerCallbackUris: [],
      consentStatus: "granted by this stack (tenant-wide, delegated: openid profile email User.Read)",
      secretRotatesAt: "2025-12-27T00:00:00Z",
      secretExpiresAt: "2026-01-26T00:00:00Z",
    });
  });

  it("for three connections: one provider, Entra app and connector per customer tenant", async () => {
    const names = ["contoso", "fabrikam", "northwind"];
    const { recording } = await run(rawConfig({ connections: names.map((n) => connection(n)) }));
    expect(shape(recording)).toEqual(sorted([...names.flatMap(connectionShape), ...sharedShape, guardShape]));
    for (const name of names) checkConnectionWiring(recording, name);

    const signInSwitch = find(recording, types.signInSwitch);
    for (const connector of ofType(recording, types.connector)) {
      expect(connector.dependencies).toContain(signInSwitch.urn);
    }
  });

  it("looks Microsoft Graph up in each tenant and resolves the scope ids by name", async () => {
    const { recording } = await run(
      rawConfig({ connections: [connection("contoso", { extraScopes: ["User.Read", "Mail.Read"] })] }),
    );
    const provider = find(recording, types.azureadProvider);
    const published = recording.calls.filter((c) => c.token === invokeTokens.publishedAppIds);
    const lookups = recording.calls.filter((c) => c.token === invokeTokens.servicePrincipal);
    expect(published).toHaveLength(1);
    expect(lookups.map((c) => c.inputs)).toEqual([{ clientId: graphAppId }]);
    for (const call of [...published, ...lookups]) expect(usesProvider(call.provider, provider.urn)).toBe(true);

    const names = ["openid", "profile", "email", "User.Read", "Mail.Read"];
    expect(reveal(find(recording, types.apiAccess).inputs)).toEqual({
      applicationId: "/applications/object-contoso-entra-registration",
      apiClientId: graphAppId,
      scopeIds: names.map(graphScopeId),
    });
    const grant = find(recording, types.grant);
    expect(reveal(grant.inputs)).toEqual({
      servicePrincipalObjectId: "sp-contoso-entra-service-principal",
      resourceServicePrincipalObjectId: graphObjectId,
      claimValues: names,
    });
    expect(grant.dependencies).toContain(find(recording, types.apiAccess).urn);
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({ config: { scope: "User.Read Mail.Read" } });
  });

  it("stores tokens only with offline_access, which it adds on both sides", async () => {
    const { recording } = await run(
      rawConfig({ connections: [connection("contoso", { tokenStorage: true, extraScopes: ["User.Read"] })] }),
    );
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({
      enableTokenStorage: true,
      config: { scope: "User.Read offline_access" },
    });
    const names = ["openid", "profile", "email", "User.Read", "offline_access"];
    expect(reveal(find(recording, types.apiAccess).inputs)).toMatchObject({ scopeIds: names.map(graphScopeId) });
    expect(reveal(find(recording, types.grant).inputs)).toMatchObject({ claimValues: names });
  });

  it("leaves admin consent to the tenant's administrator when told to, and says who must consent where", async () => {
    const { recording, outputs } = await run(
      rawConfig({ connections: [connection("contoso", { adminConsent: false })] }),
    );
    expect(ofType(recording, types.grant)).toEqual([]);
    const status = (await settle(outputs.connections.contoso.consentStatus)).value;
    expect(status).toMatch(/^pending: an administrator of tenant 11111111-1111-4111-8111-111111111111 /);
    expect(status).toContain(
      "https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/adminconsent?client_id=client-contoso-entra-registration",
    );
    expect(status).toContain("openid profile email User.Read");
  });

  it("protects the identity resources when protect is on, but never what must be replaced routinely", async () => {
    const { recording } = await run(rawConfig({ protect: true }));
    const unprotected = [
      types.password,
      types.applicationSecret,
      types.azureadProvider,
      types.userLinkGuard,
      types.sampleApp,
      types.image,
      types.container,
      types.volume,
      types.command,
    ];
    for (const resource of recording.resources) {
      expect(resource.protect, `${resource.type} ${resource.name}`).toBe(
        !(unprotected as readonly string[]).includes(resource.type),
      );
    }
    expect(find(recording, types.password).deleteBeforeReplace).toBe(false);
  });

  it("declares nothing for protection when protect is off", async () => {
    const { recording } = await run(rawConfig());
    expect(recording.resources.filter((r) => r.protect).map((r) => r.name)).toEqual([]);
  });

  it("item 2: with manageSsoSwitch false, leaves the tenant-wide switch alone (no resource) and says so", async () => {
    const { recording, outputs } = await run(rawConfig({ manageSsoSwitch: false }));
    expect(ofType(recording, types.signInSwitch)).toEqual([]);
    expect(ofType(recording, types.connector)).toHaveLength(1);
    expect(outputs.enterpriseSsoEnabled).toBe(false);
    const { validateStackConfig } = await import("../../infra/config");
    const checked = validateStackConfig(rawConfig({ manageSsoSwitch: "false" }), { stack: "dev", now });
    expect(checked.notices).toEqual([
      expect.stringContaining(
        "manageSsoSwitch is false: the sign-in experience's Enterprise SSO switch is left as it is",
      ),
    ]);
  });

  it("without connections, leaves the sign-in experience alone and still makes the sample app", async () => {
    const { recording, outputs } = await run(rawConfig({ connections: [] }));
    expect(shape(recording)).toEqual(sorted(sharedShape.filter(([type]) => type !== types.signInSwitch)));
    expect(outputs.enterpriseSsoEnabled).toBe(false);
    expect(outputs.connections).toEqual({});
  });
});
