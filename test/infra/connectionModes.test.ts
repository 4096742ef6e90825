/**
 * The two ways a customer tenant is connected (managed: the stack makes the app registration; provided: the
 * customer's admin did), per-tenant Azure credentials, the Microsoft cloud, multi-tenant apps and renames,
 * under mocks.
 */
import { describe, expect, it } from "vitest";
import type { RawStackConfig } from "../../infra/config";
import { connection, now, rawConfig, tenantIds } from "./fixtures";
import {
  ProgramRun,
  find,
  isSecretEnvelope,
  logtoEndpointValue,
  mockedLogtoOrigins,
  ofType,
  plainText,
  reveal,
  runProgram,
  settle,
  types,
} from "./harness";

const customerClientId = "5d8e2f3a-9b1c-4c7d-8e6f-0a1b2c3d4e5f";
const customerSecret = "customer-made-secret-marker-7f3e9a";
const deployerSecret = "deployer-secret-marker-2b8c4d";
const deployerClientId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

function run(raw: RawStackConfig): Promise<ProgramRun> {
  return runProgram(raw, now);
}

function provided(overrides: { [key: string]: unknown } = {}) {
  return connection("fabrikam", {
    mode: "provided",
    clientId: customerClientId,
    clientSecret: customerSecret,
    ...overrides,
  });
}

const azureadTypes = [
  types.azureadProvider,
  types.registration,
  types.apiAccess,
  types.servicePrincipal,
  types.grant,
  types.password,
  types.redirectUris,
];

describe("mode: provided (the customer's admin made the app registration)", () => {
  it("deploys only the Logto connector, with the customer's client id, secret (kept secret) and issuer", async () => {
    const { recording } = await run(rawConfig({ connections: [provided()] }));
    for (const type of azureadTypes) expect(ofType(recording, type), type).toEqual([]);
    const connector = find(recording, types.connector, "fabrikam-sso-connector");
    expect(isSecretEnvelope(connector.inputs.config)).toBe(true);
    expect(reveal(connector.inputs)).toMatchObject({
      providerName: "AzureAdOidc",
      connectorName: "dev-fabrikam",
      domains: ["fabrikam.com"],
      config: {
        clientId: customerClientId,
        clientSecret: customerSecret,
        issuer: `https://login.microsoftonline.com/${tenantIds.fabrikam}/v2.0`,
        scope: "User.Read",
      },
    });
  });

  it("outputs what the customer's admin must do: redirect URI, permissions, consent link; no secret", async () => {
    const { outputs, settled } = await run(rawConfig({ connections: [provided()] }));
    const consentUrl = `https://login.microsoftonline.com/${tenantIds.fabrikam}/adminconsent?client_id=${customerClientId}`;
    const callbackUri = `${logtoEndpointValue}/callback/conn-fabrikam-sso-connector`;
    const fabrikam = (await settle(outputs.connections.fabrikam)).value;
    expect(fabrikam).toMatchObject({
      mode: "provided",
      entraClientId: customerClientId,
      callbackUri,
      delegatedPermissions: ["openid", "profile", "email", "User.Read"],
      adminConsentUrl: consentUrl,
    });
    expect(fabrikam.secretRotatesAt).toBeUndefined();
    expect(fabrikam.customerAdminSteps).toEqual([
      expect.stringContaining(`add the Web platform redirect URI ${callbackUri}`),
      expect.stringContaining(
        `delegated permissions openid profile email User.Read, then grant admin consent (or open ${consentUrl})`,
      ),
      expect.stringContaining("pulumi config set --secret --path 'connections[0].clientSecret'"),
    ]);
    expect(settled.secret).toBe(false);
    expect(JSON.stringify(settled.value)).not.toContain(customerSecret);
  });

  it("a new client secret from the customer changes only the connector's config", async () => {
    const before = await run(rawConfig({ connections: [provided()] }));
    const after = await run(rawConfig({ connections: [provided({ clientSecret: `${customerSecret}-rotated` })] }));
    const inputsOf = (recording: ProgramRun["recording"]) =>
      reveal(find(recording, types.connector).inputs) as { config: object };
    const [old, rotated] = [inputsOf(before.recording), inputsOf(after.recording)];
    expect({ ...rotated, config: { ...rotated.config, clientSecret: "" } }).toEqual({
      ...old,
      config: { ...old.config, clientSecret: "" },
    });
    expect(rotated.config).toMatchObject({ clientSecret: `${customerSecret}-rotated` });
  });

  it("mixes with managed connections in one stack", async () => {
    const { recording } = await run(rawConfig({ connections: [connection("contoso"), provided()] }));
    expect(ofType(recording, types.registration).map((r) => r.name)).toEqual(["contoso-entra-registration"]);
    expect(
      ofType(recording, types.connector)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["contoso-sso-connector", "fabrikam-sso-connector"]);
    const signInSwitch = find(recording, types.signInSwitch);
    // Both connectors outlive the tenant-wide switch: destroy deletes them before it looks at the switch.
    for (const connection of ofType(recording, types.ssoConnection))
      expect(connection.dependencies).toContain(signInSwitch.urn);
  });
});

describe("mode: managed", () => {
  it("signs the tenant's azuread provider in with the connection's own credentials, secret kept secret", async () => {
    const { recording } = await run(
      rawConfig({
        connections: [
          connection("contoso", { credentials: { clientId: deployerClientId, clientSecret: deployerSecret } }),
          connection("fabrikam", {
            credentials: { clientId: deployerClientId, useOidc: true, oidcTokenFilePath: "/var/run/token" },
          }),
          connection("northwind"),
        ],
      }),
    );
    const contoso = find(recording, types.azureadProvider, "contoso-azuread");
    expect(isSecretEnvelope(contoso.inputs.clientSecret)).toBe(true);
    expect(reveal(contoso.inputs)).toMatchObject({
      tenantId: tenantIds.contoso,
      clientId: deployerClientId,
      clientSecret: deployerSecret,
    });
    expect(plainText(contoso.inputs)).not.toContain(deployerSecret);
    expect(reveal(find(recording, types.azureadProvider, "fabrikam-azuread").inputs)).toMatchObject({
      tenantId: tenantIds.fabrikam,
      clientId: deployerClientId,
      // Provider inputs travel as strings (the SDK JSON-encodes non-string provider config).
      useOidc: "true",
      oidcTokenFilePath: "/var/run/token",
    });
    const ambient = reveal(find(recording, types.azureadProvider, "northwind-azuread").inputs) as {
      [key: string]: unknown;
    };
    expect(ambient.clientId).toBeUndefined();
    expect(ambient.clientSecret).toBeUndefined();
  });

  it("without admin consent: no grant, and the consent link in the outputs", async () => {
    const { recording, outputs } = await run(
      rawConfig({ connections: [connection("contoso", { adminConsent: false })] }),
    );
    expect(ofType(recording, types.grant)).toEqual([]);
    const contoso = (await settle(outputs.connections.contoso)).value;
    const consentUrl = `https://login.microsoftonline.com/${tenantIds.contoso}/adminconsent?client_id=client-contoso-entra-registration`;
    expect(contoso.adminConsentUrl).toBe(consentUrl);
    expect(await settle(contoso.consentStatus)).toMatchObject({ value: expect.stringContaining(`open ${consentUrl}`) });
  });
});

describe("the Microsoft cloud (entra)", () => {
  it("a national cloud: the azuread providers get its name, issuers and consent links its login endpoint", async () => {
    const { recording, outputs } = await run(
      rawConfig({ entra: { environment: "china" }, connections: [connection("contoso"), provided()] }),
    );
    expect(reveal(find(recording, types.azureadProvider).inputs)).toMatchObject({ environment: "china" });
    expect(reveal(find(recording, types.connector, "contoso-sso-connector").inputs)).toMatchObject({
      config: { issuer: `https://login.chinacloudapi.cn/${tenantIds.contoso}/v2.0` },
    });
    expect((await settle(outputs.connections.fabrikam)).value.adminConsentUrl).toMatch(
      /^https:\/\/login\.chinacloudapi\.cn\//,
    );
  });

  it("a cloud described by a metadata host (Azure Stack, the local stand-in): the providers get metadataHost", async () => {
    const { recording } = await run(
      rawConfig({ entra: { metadataHost: "127.0.0.1:8443", loginEndpoint: "https://127.0.0.1:8443" } }),
    );
    const provider = reveal(find(recording, types.azureadProvider).inputs) as { [key: string]: unknown };
    // environment stays the SDK's default ("public"), which the provider ignores when metadataHost is set.
    expect(provider).toMatchObject({ metadataHost: "127.0.0.1:8443", environment: "public" });
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({
      config: { issuer: `https://127.0.0.1:8443/${tenantIds.contoso}/v2.0` },
    });
  });
});

describe("multi-tenant apps (signInAudience AzureADMultipleOrgs)", () => {
  it("register a multi-tenant app and trust Entra's organizations issuer, whose {tenantid} Logto fills from the token", async () => {
    const { recording } = await run(
      rawConfig({
        connections: [
          connection("contoso", { signInAudience: "AzureADMultipleOrgs", domains: ["contoso.com", "fabrikam.com"] }),
        ],
      }),
    );
    expect(reveal(find(recording, types.registration).inputs)).toMatchObject({ signInAudience: "AzureADMultipleOrgs" });
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({
      domains: ["contoso.com", "fabrikam.com"],
      config: { issuer: "https://login.microsoftonline.com/organizations/v2.0" },
    });
  });
});

describe("renaming a connection (formerNames)", () => {
  it("aliases the provider and both components to the former name, so children keep their URNs", async () => {
    const { recording } = await run(
      rawConfig({ connections: [connection("contoso", { name: "contoso-eu", formerNames: ["contoso"] })] }),
    );
    expect(find(recording, types.azureadProvider, "contoso-eu-azuread").aliasNames).toEqual(["contoso-azuread"]);
    expect(find(recording, types.entraApp, "contoso-eu-entra").aliasNames).toEqual(["contoso-entra"]);
    expect(find(recording, types.ssoConnection, "contoso-eu-sso").aliasNames).toEqual(["contoso-sso"]);
    // The children are named after their parent: Pulumi derives their aliases from the parent's.
    expect(find(recording, types.registration).name).toBe("contoso-eu-entra-registration");
  });
});

describe("issue 23: Logto's public origin moves (its discovery issuer changed)", () => {
  const newOrigin = "https://login.example.test";

  async function duringMove<T>(action: () => Promise<T>): Promise<T> {
    Object.assign(mockedLogtoOrigins, { publicOrigin: newOrigin, formerPublicOrigins: [logtoEndpointValue] });
    try {
      return await action();
    } finally {
      Object.assign(mockedLogtoOrigins, { publicOrigin: logtoEndpointValue, formerPublicOrigins: [] });
    }
  }

  it("managed: the app registration allows the callback URI under both origins, the new one first", async () => {
    const { recording } = await duringMove(() => run(rawConfig({ connections: [connection("contoso")] })));
    expect(reveal(find(recording, types.redirectUris).inputs)).toMatchObject({
      type: "Web",
      redirectUris: [
        `${newOrigin}/callback/conn-contoso-sso-connector`,
        `${logtoEndpointValue}/callback/conn-contoso-sso-connector`,
      ],
    });
  });

  it("provided: customerAdminSteps asks for the new URI and to keep the old one; the outputs list it", async () => {
    const { outputs } = await duringMove(() => run(rawConfig({ connections: [provided()] })));
    const fabrikam = (await settle(outputs.connections.fabrikam)).value;
    const callbackUri = `${newOrigin}/callback/conn-fabrikam-sso-connector`;
    const former = `${logtoEndpointValue}/callback/conn-fabrikam-sso-connector`;
    expect(fabrikam).toMatchObject({ callbackUri, formerCallbackUris: [former] });
    expect(fabrikam.customerAdminSteps?.[0]).toContain(
      `add the Web platform redirect URI ${callbackUri} (Logto moved there; keep ${former} until`,
    );
  });
});
