/**
 * Day-2 changes that would cut users off their Logto accounts, as the program declares them under mocks: the
 * guard that records what each connection's users are keyed on (declared before anything of theirs), the
 * opt-in, the app registration kept in Entra when the stack lets go of it, and a corrected tenant id making the
 * Entra side anew in the new tenant.
 */
import { describe, expect, it } from "vitest";
import { validateStackConfig, type RawStackConfig } from "../../infra/config";
import { connection, now, rawConfig, tenantIds } from "./fixtures";
import { ProgramRun, find, ofType, reveal, runProgram, types } from "./harness";

const customerClientId = "5d8e2f3a-9b1c-4c7d-8e6f-0a1b2c3d4e5f";

function run(raw: RawStackConfig): Promise<ProgramRun> {
  return runProgram(raw, now);
}

/** Every resource that lives in the connection's Entra tenant (its azuread provider's). */
const entraTypes = [
  types.azureadProvider,
  types.registration,
  types.apiAccess,
  types.servicePrincipal,
  types.grant,
  types.password,
];

/** What stays in Entra for sign-in through the app registration when the stack lets go of it. */
const keptTypes = [types.registration, types.apiAccess, types.servicePrincipal, types.grant, types.redirectUris];

const provided = (name: string, overrides: { [key: string]: unknown } = {}) =>
  connection(name, {
    mode: "provided",
    clientId: customerClientId,
    clientSecret: "customer-secret-marker",
    ...overrides,
  });

describe("the user-link guard", () => {
  it("is declared before every connection: each azuread provider and connector depends on it", async () => {
    const { recording } = await run(rawConfig({ connections: [connection("contoso"), provided("fabrikam")] }));
    const guard = find(recording, types.userLinkGuard, "user-link-guard");
    expect(guard.dependencies).toEqual([]);
    expect(find(recording, types.azureadProvider, "contoso-azuread").dependencies).toContain(guard.urn);
    for (const connector of ofType(recording, types.connector)) {
      expect(connector.dependencies, connector.name).toContain(guard.urn);
    }
  });

  it("records what each connection's users are keyed on: issuer, app registration, and the settings they come from", async () => {
    const { recording } = await run(
      rawConfig({
        connections: [
          connection("contoso", {
            formerNames: ["contoso-old"],
            signInAudience: "AzureADMultipleOrgs",
            keepAppRegistration: true,
          }),
          provided("fabrikam", { allowUserRelink: true }),
        ],
      }),
    );
    expect((reveal(find(recording, types.userLinkGuard).inputs) as { connections: unknown }).connections).toEqual([
      {
        name: "contoso",
        formerNames: ["contoso-old"],
        field: "logto-entra-sso:connections[0]",
        connectorName: "dev-contoso",
        domains: ["contoso.com"],
        issuer: "https://login.microsoftonline.com/organizations/v2.0",
        appRegistration: "managed",
        keySettings: { tenantId: tenantIds.contoso, signInAudience: "AzureADMultipleOrgs", mode: "managed" },
        keepsAppRegistration: true,
        allowUserRelink: false,
      },
      {
        name: "fabrikam",
        formerNames: [],
        field: "logto-entra-sso:connections[1]",
        connectorName: "dev-fabrikam",
        domains: ["fabrikam.com"],
        issuer: `https://login.microsoftonline.com/${tenantIds.fabrikam}/v2.0`,
        appRegistration: `provided:${customerClientId}`,
        keySettings: {
          tenantId: tenantIds.fabrikam,
          signInAudience: "AzureADMyOrg",
          mode: "provided",
          clientId: customerClientId,
        },
        keepsAppRegistration: false,
        allowUserRelink: true,
      },
    ]);
  });

  it("is not declared without connections", async () => {
    const { recording } = await run(rawConfig({ connections: [] }));
    expect(ofType(recording, types.userLinkGuard)).toEqual([]);
  });
});

describe("allowUserRelink", () => {
  it("reaches the connector, and the config says what it costs while it is on", async () => {
    const raw = rawConfig({ connections: [connection("contoso", { allowUserRelink: true }), provided("fabrikam")] });
    const { recording } = await run(raw);
    expect(reveal(find(recording, types.connector, "contoso-sso-connector").inputs)).toMatchObject({
      allowUserRelink: true,
    });
    expect(reveal(find(recording, types.connector, "fabrikam-sso-connector").inputs)).toMatchObject({
      allowUserRelink: false,
    });
    const { notices } = validateStackConfig(raw, { stack: "dev", now });
    expect(notices).toContainEqual(
      expect.stringMatching(
        /^logto-entra-sso:connections\[0\]\.allowUserRelink is on: .*loses the link to their Logto account .*Remove it after the pulumi up that needed it\.$/,
      ),
    );
  });

  it("is a boolean", () => {
    expect(() =>
      validateStackConfig(rawConfig({ connections: [connection("contoso", { allowUserRelink: "yes" })] }), {
        stack: "dev",
        now,
      }),
    ).toThrow(/connections\[0\]\.allowUserRelink is "yes": use true or false/);
  });
});

describe("keepAppRegistration", () => {
  it("off (the default): the stack deletes what it made in Entra, and the connector records that", async () => {
    const { recording } = await run(rawConfig());
    for (const resource of recording.resources.filter((r) => r.custom)) {
      expect(resource.retainOnDelete, `${resource.type} ${resource.name}`).toBe(false);
    }
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({ clientOwnership: "stack" });
  });

  it("on: the app registration, its access, principal, consent and redirect URI stay in Entra; the secret does not", async () => {
    const { recording } = await run(rawConfig({ connections: [connection("contoso", { keepAppRegistration: true })] }));
    for (const type of keptTypes) expect(find(recording, type).retainOnDelete, type).toBe(true);
    expect(find(recording, types.password).retainOnDelete).toBe(false);
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({ clientOwnership: "stack-kept" });
  });

  it("a provided connection's client is external, and keepAppRegistration is refused there (it has nothing to keep)", async () => {
    const { recording } = await run(rawConfig({ connections: [provided("fabrikam")] }));
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({ clientOwnership: "external" });
    expect(() =>
      validateStackConfig(rawConfig({ connections: [provided("fabrikam", { keepAppRegistration: true })] }), {
        stack: "dev",
        now,
      }),
    ).toThrow(/connections\[0\]\.keepAppRegistration is true: it applies only to mode: managed/);
  });
});

describe("a corrected tenant id", () => {
  it("replaces the azuread provider and everything made in the tenant: each carries the tenant id as its replacement trigger", async () => {
    const { recording } = await run(rawConfig());
    for (const type of entraTypes) expect(find(recording, type).replacementTrigger, type).toBe(tenantIds.contoso);
    // The redirect URI follows the app registration it is on (its applicationId is ForceNew).
    expect(find(recording, types.redirectUris).replacementTrigger).toBeUndefined();
    // Logto objects are not in the tenant: the connector is updated in place.
    expect(find(recording, types.connector).replacementTrigger).toBeUndefined();
  });
});
