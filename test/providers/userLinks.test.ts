/**
 * What the providers refuse because it would cut users off their Logto accounts (Logto finds a returning SSO
 * user by issuer and subject; Entra's subject is pairwise per app registration; a deleted connector takes its
 * users' identities with it), and what they let through: the user-link guard over the stack's connections, and
 * the connector's own check against the inputs it was last given.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ssoConnectorProvider as connector } from "../../providers/logto/ssoConnector/provider";
import { SsoConnectorInputs, SsoConnectorOutputs } from "../../providers/logto/ssoConnector/schema";
import { reviewUserLinks } from "../../providers/logto/userLinkGuard/check";
import { userLinkGuardProvider as guard } from "../../providers/logto/userLinkGuard/provider";
import { GuardedConnection, UserLinkGuardRecord } from "../../providers/logto/userLinkGuard/schema";
import { ProviderHarness, connectorInputs, noticesDuring, startProviderHarness, writeCalls } from "./harness";

const tenantA = "6f2c4a1e-8b3d-4e5f-9a7b-1c2d3e4f5a6b";
const tenantB = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f2a3b4c5d";
const customerApp = "7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8";
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function managed(overrides: Partial<GuardedConnection> = {}): GuardedConnection {
  const tenantId = overrides.keySettings?.tenantId ?? tenantA;
  return {
    name: "contoso",
    formerNames: [],
    field: "logto-entra-sso:connections[0]",
    connectorName: "prod-contoso",
    domains: ["contoso.com"],
    issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
    appRegistration: "managed",
    keySettings: { tenantId, signInAudience: "AzureADMyOrg", mode: "managed" },
    keepsAppRegistration: false,
    allowUserRelink: false,
    ...overrides,
  };
}

function provided(clientId: string, overrides: Partial<GuardedConnection> = {}): GuardedConnection {
  return managed({
    appRegistration: `provided:${clientId}`,
    keySettings: { tenantId: tenantA, signInAudience: "AzureADMyOrg", mode: "provided", clientId },
    ...overrides,
  });
}

let h: ProviderHarness;
beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

async function guardCheck(olds: GuardedConnection[], news: GuardedConnection[]) {
  const result = await guard.check!({ connections: olds }, { connections: news });
  return (result.failures ?? []).map((failure) => failure.reason);
}

describe("the user-link guard", () => {
  it("lets a first deployment and routine changes through (domains, scopes, a rename with formerNames)", async () => {
    expect(await guardCheck([], [managed()])).toEqual([]);
    expect(await guardCheck([managed()], [managed({ domains: ["contoso.com", "contoso.de"] })])).toEqual([]);
    const renamed = managed({ name: "contoso-eu", formerNames: ["contoso"], connectorName: "prod-contoso-eu" });
    expect(await guardCheck([managed()], [renamed])).toEqual([]);
    // Removing one connection and adding an unrelated one.
    const other = managed({ name: "northwind", connectorName: "prod-northwind", domains: ["northwind.com"] });
    expect(await guardCheck([managed()], [other])).toEqual([]);
  });

  it("refuses a corrected tenant id, naming the setting, what it costs the users and the opt-in", async () => {
    const moved = managed({
      issuer: `https://login.microsoftonline.com/${tenantB}/v2.0`,
      keySettings: { tenantId: tenantB, signInAudience: "AzureADMyOrg", mode: "managed" },
    });
    const [reason, ...rest] = await guardCheck([managed()], [moved]);
    expect(rest).toEqual([]);
    expect(reason).toContain(
      `logto-entra-sso:connections[0] (contoso): tenantId changes from "${tenantA}" to "${tenantB}"`,
    );
    expect(reason).toContain(`the issuer changes from https://login.microsoftonline.com/${tenantA}/v2.0 to`);
    expect(reason).toContain("loses the link to their Logto account");
    expect(reason).toContain("only by a verified email address, else makes a new, empty account");
    expect(reason).toContain("pulumi config set --path 'connections[0].allowUserRelink' true");
  });

  it("refuses single ↔ multi-tenant (the issuer becomes organizations)", async () => {
    const multi = managed({
      issuer: "https://login.microsoftonline.com/organizations/v2.0",
      keySettings: { tenantId: tenantA, signInAudience: "AzureADMultipleOrgs", mode: "managed" },
    });
    expect(await guardCheck([managed()], [multi])).toEqual([
      expect.stringContaining('signInAudience changes from "AzureADMyOrg" to "AzureADMultipleOrgs"'),
    ]);
    expect(await guardCheck([multi], [managed()])).toHaveLength(1);
  });

  it("refuses another customer app registration and provided → managed (a new one)", async () => {
    const [newApp] = await guardCheck([provided(customerApp)], [provided("11111111-2222-4333-8444-555555555555")]);
    expect(newApp).toContain(`clientId changes from "${customerApp}" to "11111111-2222-4333-8444-555555555555"`);
    expect(newApp).toContain("another app registration");
    const [toManaged] = await guardCheck([provided(customerApp)], [managed()]);
    expect(toManaged).toContain('mode changes from "provided" to "managed"');
    expect(toManaged).toContain("one this stack makes");
  });

  describe("managed → provided: Logto tells whether the customer's client id is the stack's own app registration", () => {
    const stackApp = "aaaaaaaa-0000-4000-8000-00000000000a";
    beforeEach(async () => {
      // The connector as the stack made it: signing in with the stack's app registration.
      await connector.create(
        connectorInputs(h, {
          connectorName: "prod-contoso",
          config: { clientId: stackApp, clientSecret: "stack-made-secret", issuer: h.issuer },
          domains: ["contoso.com"],
        }),
      );
    });

    it("the stack's own registration is refused while the stack would delete it, whatever the opt-in", async () => {
      const [reason, ...rest] = await guardCheck([managed()], [provided(stackApp, { allowUserRelink: true })]);
      expect(rest).toEqual([]);
      expect(reason).toContain(
        `logto-entra-sso:connections[0] (contoso): mode changes to provided with clientId ${stackApp}, the app registration this stack made, but the stack deletes what it made when it stops managing it`,
      );
      expect(reason).toContain("pulumi config set --path 'connections[0].keepAppRegistration' true");
    });

    it("and goes through once the stack keeps it (keepAppRegistration recorded by an earlier up)", async () => {
      expect(await guardCheck([managed({ keepsAppRegistration: true })], [provided(stackApp)])).toEqual([]);
    });

    it("another registration is a re-key, naming both client ids; applied with the opt-in", async () => {
      const [reason] = await guardCheck([managed({ keepsAppRegistration: true })], [provided(customerApp)]);
      expect(reason).toContain(
        `mode changes from "managed" to "provided" with clientId "${customerApp}", another app registration than the one the connector signs in with now (${stackApp})`,
      );
      expect(reason).toContain("loses the link");
      expect(await guardCheck([managed()], [provided(customerApp, { allowUserRelink: true })])).toEqual([]);
    });
  });

  it("applies a re-keying change the connection opted in to, and says what it costs", async () => {
    const moved = managed({
      allowUserRelink: true,
      issuer: `https://login.microsoftonline.com/${tenantB}/v2.0`,
      keySettings: { tenantId: tenantB, signInAudience: "AzureADMyOrg", mode: "managed" },
    });
    let reasons: string[] = [];
    const notices = await noticesDuring(async () => {
      reasons = await guardCheck([managed()], [moved]);
    });
    expect(reasons).toEqual([]);
    expect(notices).toEqual([
      expect.stringMatching(/^logto: .*tenantId changes .*loses the link .*Applied because allowUserRelink is on\.$/),
    ]);
  });

  it("refuses a rename without formerNames, even with the opt-in (Logto would refuse the new connector), with the fix", async () => {
    const renamed = managed({ name: "contoso-eu", connectorName: "prod-contoso-eu", allowUserRelink: true });
    const [reason, ...rest] = await guardCheck([managed()], [renamed]);
    expect(rest).toEqual([]);
    expect(reason).toContain(
      "logto-entra-sso:connections[0] (contoso-eu) is new and takes over the email domains contoso.com of connection contoso",
    );
    expect(reason).toContain("pulumi config set --path 'connections[0].formerNames[0]' contoso");
    expect(reason).toContain("remove contoso in one pulumi up and add contoso-eu in the next");
    // A connector name kept on purpose is the same giveaway.
    const sameConnector = managed({ name: "contoso-eu", domains: ["contoso.eu"] });
    expect(await guardCheck([managed()], [sameConnector])).toEqual([
      expect.stringContaining('takes over the connector name "prod-contoso"'),
    ]);
  });

  it("reviews each connection: one refused change does not hide another", async () => {
    const olds = [
      managed(),
      provided(customerApp, { name: "fabrikam", field: "x:connections[1]", domains: ["f.com"] }),
    ];
    const news = [
      managed({ keySettings: { tenantId: tenantB, signInAudience: "AzureADMyOrg", mode: "managed" }, issuer: "b" }),
      provided("11111111-2222-4333-8444-555555555555", {
        name: "fabrikam",
        field: "x:connections[1]",
        domains: ["f.com"],
      }),
    ];
    const review = await reviewUserLinks(olds, news, async () => undefined);
    expect(review.refused).toEqual([
      expect.stringContaining("(contoso): tenantId changes"),
      expect.stringContaining("(fabrikam): clientId changes"),
    ]);
  });

  it("says what removing a connection costs its users, at preview and up, without refusing it", async () => {
    const other = managed({ name: "northwind", connectorName: "prod-northwind", domains: ["northwind.com"] });
    let reasons: string[] = [];
    const notices = await noticesDuring(async () => {
      reasons = await guardCheck([managed(), other], [managed()]);
    });
    expect(reasons).toEqual([]);
    expect(notices).toEqual([
      expect.stringMatching(
        /^logto: connection northwind is removed: its SSO connector "prod-northwind" is deleted, and with it Logto deletes every user's link to it .*a new connector is made and every user who signed in through it loses the link/,
      ),
    ]);
    // A rename with formerNames removes nothing.
    const renamed = managed({ name: "contoso-eu", formerNames: ["contoso"], connectorName: "prod-contoso-eu" });
    expect(await noticesDuring(async () => void (await guardCheck([managed()], [renamed])))).toEqual([]);
  });

  it("records what the users are keyed on; a changed record is an update, the same one (or only the opt-in changed) none", async () => {
    const inputs = { connections: [managed({ formerNames: ["contoso-old"] })] };
    const checked = await guard.check!({ connections: [] }, inputs);
    const { field: _field, formerNames: _formerNames, allowUserRelink: _optIn, ...keyedOn } = inputs.connections[0];
    // The entry's place, former names and the opt-in serve the change being checked only: not in the state.
    expect(checked.inputs).toEqual({ connections: [keyedOn] });
    const record = checked.inputs as UserLinkGuardRecord;
    const created = await guard.create(record);
    const id = created.id;
    const outs = created.outs!;
    // The outputs hold a digest of the record, not a second copy of it.
    expect(Object.keys(outs)).toEqual(["recordDigest"]);
    expect(JSON.stringify(outs)).not.toContain("contoso");
    const next = async (connection: GuardedConnection) =>
      (await guard.diff!(id, outs, (await guard.check!(record, { connections: [connection] })).inputs!)).changes;
    expect(await next(managed())).toBe(false);
    expect(await next(managed({ domains: ["c.de"] }))).toBe(true);
    expect(await next(managed({ allowUserRelink: true }))).toBe(false);
    expect(await next(managed({ field: "logto-entra-sso:connections[3]" }))).toBe(false);
    // The engine hands the record back with its keys in another order: the same record.
    const reordered = { connections: [Object.fromEntries(Object.entries(keyedOn).reverse())] } as UserLinkGuardRecord;
    expect((await guard.diff!(id, outs, reordered)).changes).toBe(false);
    // No read: a refresh keeps the state's record as it is.
    expect(guard.read).toBeUndefined();
    // The update of a changed record records its digest.
    const changed = (await guard.check!(record, { connections: [managed({ domains: ["c.de"] })] })).inputs!;
    const updated = (await guard.update!(id, outs, changed)).outs!;
    expect((await guard.diff!(id, updated, changed)).changes).toBe(false);
  });

  it("takes a state written before 2026-12-08, with the record in its outputs too, as it is: no update", async () => {
    const connection = managed({ formerNames: ["contoso-old"] });
    // As that version stored it: the record in inputs and outputs; older still, with the entry's place and opt-in.
    const { field: _field, formerNames: _formerNames, allowUserRelink: _optIn, ...keyedOn } = connection;
    for (const older of [{ connections: [keyedOn] }, { connections: [connection] }]) {
      const checked = (await guard.check!(older, { connections: [connection] })).inputs!;
      expect((await guard.diff!("user-links", older, checked)).changes).toBe(false);
      const moved = (await guard.check!(older, { connections: [managed({ domains: ["c.de"] })] })).inputs!;
      expect((await guard.diff!("user-links", older, moved)).changes).toBe(true);
    }
  });
});

describe("the connector's check against what it was last given", () => {
  const clientId = "aaaaaaaa-0000-4000-8000-000000000001";

  function declared(overrides: Partial<SsoConnectorInputs> = {}): SsoConnectorInputs {
    return connectorInputs(h, {
      config: { clientId, clientSecret: "entra-secret-1", issuer: h.issuer, trustUnverifiedEmail: false },
      clientOwnership: "stack",
      ...overrides,
    });
  }

  async function reasons(olds: SsoConnectorInputs, news: SsoConnectorInputs): Promise<string[]> {
    const result = await connector.check!(olds, news);
    return (result.failures ?? []).map((failure) => `${failure.property}|${failure.reason}`);
  }

  it("lets routine changes through: a rotated secret, domains, scopes, a secret unknown at preview", async () => {
    const olds = declared();
    expect(await reasons(olds, declared({ config: { ...olds.config, clientSecret: "entra-secret-2" } }))).toEqual([]);
    expect(await reasons(olds, declared({ domains: ["contoso.com", "contoso.de"] }))).toEqual([]);
    expect(await reasons(olds, declared({ config: { ...olds.config, clientSecret: unknown } }))).toEqual([]);
    // A create has nothing to compare with.
    expect(await reasons({} as SsoConnectorInputs, declared())).toEqual([]);
  });

  it("refuses a new issuer, client id (known, or a new app registration's at preview) or provider, without printing the config", async () => {
    const olds = declared();
    const otherIssuer = `${h.issuer.replace(/\/v2\.0$/, "")}-other/v2.0`;
    expect(await reasons(olds, declared({ config: { ...olds.config, issuer: otherIssuer } }))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\|SSO connector "contoso": config\\.issuer changes from ${h.issuer} to ${otherIssuer}\\. Then every user .*loses the link to their Logto account.*set allowUserRelink: true on its connection`,
        ),
      ),
    ]);
    expect(await reasons(olds, declared({ config: { ...olds.config, clientId: customerApp } }))).toEqual([
      expect.stringContaining(`config.clientId changes from ${clientId} to ${customerApp}, another app registration`),
    ]);
    expect(await reasons(olds, declared({ config: { ...olds.config, clientId: unknown } }))).toEqual([
      expect.stringContaining("to the client id of an app registration made in this change"),
    ]);
    expect(await reasons(olds, declared({ providerName: "OIDC" }))).toEqual([
      expect.stringContaining("providerName changes from AzureAdOidc to OIDC, which needs a new connector"),
    ]);
  });

  it("applies them with allowUserRelink, saying what it costs", async () => {
    const olds = declared();
    let failures: string[] = [];
    const notices = await noticesDuring(async () => {
      failures = await reasons(
        olds,
        declared({ allowUserRelink: true, config: { ...olds.config, clientId: unknown } }),
      );
    });
    expect(failures).toEqual([]);
    expect(notices).toEqual([
      expect.stringMatching(/^logto: SSO connector "contoso": .*Applied because allowUserRelink is on\.$/),
    ]);
  });

  describe("the stack lets go of the app registration it made (managed → provided with the same client id)", () => {
    it("is refused while the stack would delete the registration, even with allowUserRelink", async () => {
      const news = declared({ clientOwnership: "external", allowUserRelink: true });
      expect(await reasons(declared(), news)).toEqual([
        expect.stringContaining(
          `config.clientId stays ${clientId}, the app registration this stack made, but the stack stops managing it in this change and so would delete it`,
        ),
      ]);
      expect((await reasons(declared(), news))[0]).toContain("set keepAppRegistration: true");
    });

    it("goes through once the registration is kept, with a new client secret; the old one is deleted with the stack", async () => {
      const kept = declared({ clientOwnership: "stack-kept" });
      expect(await reasons(declared(), kept)).toEqual([]);
      const handedOver = declared({
        clientOwnership: "external",
        config: { ...kept.config, clientSecret: "made-by-the-customer" },
      });
      expect(await reasons(kept, handedOver)).toEqual([]);
      expect(await reasons(kept, declared({ clientOwnership: "external" }))).toEqual([
        expect.stringContaining("config.clientSecret is still the client secret this stack made"),
      ]);
    });

    it("records who owns the client by an update that sends Logto nothing, and keeps it through a refresh", async () => {
      const created = await connector.create(declared());
      const outs = created.outs as SsoConnectorOutputs;
      const kept = declared({ clientOwnership: "stack-kept" });
      const diff = await connector.diff!(created.id, outs, kept);
      expect(diff).toMatchObject({ changes: true, replaces: [] });
      h.logto.requests.length = 0;
      const updated = await connector.update!(created.id, outs, kept);
      expect(writeCalls(h.logto)).toEqual([]);
      expect(updated.outs).toMatchObject({ clientOwnership: "stack-kept", allowUserRelink: false });
      const read = await connector.read!(created.id, updated.outs);
      expect(read.inputs).toMatchObject({ clientOwnership: "stack-kept" });
    });
  });
});
