import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ssoConnectorProvider as provider } from "../../providers/logto/ssoConnector/provider";
import { SsoConnectorInputs, SsoConnectorOutputs } from "../../providers/logto/ssoConnector/schema";
import {
  ProviderHarness,
  calls,
  connectorInputs,
  failureOf,
  noticesDuring,
  startProviderHarness,
  writeCalls,
} from "./harness";

let h: ProviderHarness;
const entraSecret = "entra-client-secret-value-1";

function inputs(overrides: Partial<SsoConnectorInputs> = {}): SsoConnectorInputs {
  return connectorInputs(h, {
    config: {
      clientId: "aaaaaaaa-0000-0000-0000-000000000001",
      clientSecret: entraSecret,
      issuer: h.issuer,
      scope: "User.Read",
      trustUnverifiedEmail: false,
    },
    domains: ["contoso.com", "fabrikam.example"],
    branding: { displayName: "Contoso SSO" },
    ...overrides,
  });
}

async function create(overrides: Partial<SsoConnectorInputs> = {}) {
  const result = await provider.create(inputs(overrides));
  return { id: result.id, outs: result.outs as SsoConnectorOutputs };
}

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("check", () => {
  it("accepts valid inputs and fills defaults, which the state does not keep", async () => {
    const result = await provider.check!(
      {} as SsoConnectorInputs,
      {
        connectorName: "contoso",
        config: { clientId: "id", clientSecret: "s", issuer: h.issuer },
      } as SsoConnectorInputs,
    );
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({ providerName: "AzureAdOidc", domains: [] });
    // Every byte of the state is written again around every step of an up: a setting at its default stays out.
    for (const key of ["branding", "syncProfile", "enableTokenStorage", "adoptExisting", "clientOwnership"]) {
      expect(result.inputs, key).not.toHaveProperty(key);
    }
    expect(result.inputs!.config).toEqual({ clientId: "id", clientSecret: "s", issuer: h.issuer });
  });

  it("names each bad field and its fix", async () => {
    const result = await provider.check!(
      {} as SsoConnectorInputs,
      inputs({
        providerName: "AzureAD" as SsoConnectorInputs["providerName"],
        connectorName: " ",
        config: { clientId: "", clientSecret: "x", issuer: "https://login.microsoftonline.com/t/v2.0/" },
        domains: ["Contoso.com", "gmail.com", "not a domain", "x.example", "x.example"],
        enableTokenStorage: true,
      }),
    );
    const reasons = (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^providerName: .*"AzureAD".*AzureAdOidc/),
        expect.stringMatching(/^connectorName: .*empty/),
        expect.stringMatching(/^config\.clientId: .*missing/),
        expect.stringMatching(/^config\.issuer: .*trailing slash/),
        expect.stringMatching(/^domains: domains\[0\] is "Contoso.com".*lowercase.*"contoso.com"/),
        expect.stringMatching(/^domains: domains\[1\] is "gmail.com".*public/),
        expect.stringMatching(/^domains: domains\[2\] is "not a domain"/),
        expect.stringMatching(/^domains: domains\[4\] repeats domains\[3\]/),
        expect.stringMatching(/^config\.scope: .*offline_access/),
      ]),
    );
    expect(reasons.join("\n")).not.toContain("x-secret");
  });

  it("refuses trusting unverified email with a multi-tenant Entra issuer (organizations, common)", async () => {
    for (const audience of ["organizations", "common"]) {
      const issuer = `https://login.microsoftonline.com/${audience}/v2.0`;
      const result = await provider.check!(
        {} as SsoConnectorInputs,
        inputs({ config: { clientId: "id", clientSecret: "s", issuer, trustUnverifiedEmail: true } }),
      );
      expect((result.failures ?? []).map((f) => `${f.property}: ${f.reason}`)).toEqual([
        expect.stringMatching(
          /^config\.trustUnverifiedEmail: .*multi-tenant issuer .*any Entra tenant's administrator .*remove trustUnverifiedEmail/,
        ),
      ]);
    }
    const singleTenant = await provider.check!(
      {} as SsoConnectorInputs,
      inputs({ config: { clientId: "id", clientSecret: "s", issuer: h.issuer, trustUnverifiedEmail: true } }),
    );
    expect(singleTenant.failures).toEqual([]);
  });

  it("lets unknown preview values through", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const result = await provider.check!(
      {} as SsoConnectorInputs,
      inputs({
        config: { clientId: unknown, clientSecret: unknown, issuer: h.issuer },
      }),
    );
    expect(result.failures).toEqual([]);
  });
});

describe("create", () => {
  it("creates the connector with the complete config and reports the callback URI", async () => {
    const { id, outs } = await create();
    const row = h.logto.state.ssoConnectors.get(id);
    expect(row).toMatchObject({
      providerName: "AzureAdOidc",
      connectorName: "contoso",
      domains: ["contoso.com", "fabrikam.example"],
      branding: { displayName: "Contoso SSO" },
      config: { clientSecret: entraSecret, issuer: h.issuer, scope: "User.Read", trustUnverifiedEmail: false },
    });
    expect(outs.connectorId).toBe(id);
    expect(outs.callbackUri).toBe(`${h.logto.url}/callback/${id}`);
    expect(outs.config.clientSecret).toBe(entraSecret);
  });

  it("fails on a duplicate name with the fix, and adopts it when asked", async () => {
    const first = await create();
    const error = await failureOf(() => create());
    expect(error.message).toMatch(
      /creating SSO connector "contoso" failed: HTTP 409 single_sign_on\.duplicate_connector_name/,
    );
    expect(error.message).toContain("adoptExisting");
    expect(h.logto.state.ssoConnectors.size).toBe(1);

    const adopted = await create({ adoptExisting: true, domains: ["contoso.com"] });
    expect(adopted.id).toBe(first.id);
    expect(h.logto.state.ssoConnectors.get(first.id)?.domains).toEqual(["contoso.com"]);
    expect(h.logto.state.ssoConnectors.size).toBe(1);
  });

  it("reports an unreachable issuer in one line, without the secret", async () => {
    const error = await failureOf(() =>
      create({ config: { clientId: "c", clientSecret: entraSecret, issuer: "http://127.0.0.1:9/nowhere/v2.0" } }),
    );
    expect(error.message).toMatch(/HTTP 400 connector\.invalid_config/);
    expect(error.message).toContain("issuer");
    expect(error.message).not.toContain(entraSecret);
    expect(error.message).not.toContain(h.logto.m2mAppSecret);
  });

  it("reports token storage on a server without a vault", async () => {
    const error = await failureOf(() =>
      create({ enableTokenStorage: true, config: { ...inputs().config, scope: "offline_access" } }),
    );
    expect(error.message).toMatch(/422 request\.feature_not_supported.*secret vault/);
  });

  it("lists the forbidden domains Logto refused", async () => {
    // The stand-in refuses what check() would have caught; this is the server-side path.
    const error = await failureOf(() => create({ domains: ["gmail.com"] }));
    expect(error.message).toMatch(/single_sign_on\.forbidden_domains.*offending values: gmail\.com/);
  });

  it("makes no duplicate when the create response is lost", async () => {
    h.logto.faults.add({ method: "POST", path: "/api/sso-connectors", drop: "afterCommit" });
    const { id } = await create();
    expect(h.logto.state.ssoConnectors.size).toBe(1);
    expect(h.logto.state.ssoConnectors.has(id)).toBe(true);
    expect(writeCalls(h.logto).filter((c) => c === "POST /api/sso-connectors")).toHaveLength(1);
  });

  it("sends the create again when the connection was refused before Logto saw it", async () => {
    h.logto.faults.add({ method: "POST", path: "/api/sso-connectors", drop: "before" });
    const { id } = await create();
    expect([...h.logto.state.ssoConnectors.keys()]).toEqual([id]);
  });
});

describe("diff", () => {
  it("is clean right after create although Logto normalised values", async () => {
    const declared = inputs({ domains: ["contoso.com"], config: { ...inputs().config, scope: "User.Read openid" } });
    const { id, outs } = await create(declared);
    // What refresh would store: read back from the server.
    const read = await provider.read!(id, outs);
    const result = await provider.diff!(id, read.props as SsoConnectorOutputs, declared);
    expect(result.changes).toBe(false);
  });

  it("keeps no default in the outputs, and a state written with every default (before 2026-12-08) gives no update", async () => {
    const stored = inputs({ branding: {} });
    const { id, outs } = await create({ branding: {} });
    for (const key of ["branding", "syncProfile", "enableTokenStorage", "adoptExisting", "allowUserRelink"]) {
      expect(outs, key).not.toHaveProperty(key);
    }
    expect(outs.config).not.toHaveProperty("trustUnverifiedEmail");
    expect(outs.adopted).toBe(false);
    // That version stored every default in the inputs (check) and the outputs (create, read, update).
    const olderOutputs = { ...stored, adopted: false, connectorId: id, callbackUri: outs.callbackUri };
    const checked = (await provider.check!(stored, stored)).inputs!;
    expect((await provider.diff!(id, olderOutputs, checked)).changes).toBe(false);
    expect((await provider.diff!(id, outs, stored)).changes).toBe(false);
    // Made from inputs as check now stores them, the outputs hold no undefined (the engine refuses one) either.
    const declared = inputs({ connectorName: "compact", domains: ["compact.example"] });
    const compact = await provider.create((await provider.check!({} as SsoConnectorInputs, declared)).inputs!);
    expect(compact.outs).toStrictEqual(JSON.parse(JSON.stringify(compact.outs)));
    expect(compact.outs).not.toHaveProperty("adoptExisting");
    // A setting away from its default is kept, and its change is seen either way.
    const synced = (await provider.check!(stored, { ...stored, syncProfile: true })).inputs!;
    expect(synced).toMatchObject({ syncProfile: true });
    expect((await provider.diff!(id, olderOutputs, synced)).changes).toBe(true);
    expect((await provider.diff!(id, outs, synced)).changes).toBe(true);
  });

  it("sees changed domains, secret, scopes and branding; replaces only on providerName", async () => {
    const { id, outs } = await create();
    expect((await provider.diff!(id, outs, inputs({ domains: ["contoso.com"] }))).changes).toBe(true);
    expect(
      (await provider.diff!(id, outs, inputs({ config: { ...inputs().config, clientSecret: "new" } }))).changes,
    ).toBe(true);
    expect(
      (await provider.diff!(id, outs, inputs({ config: { ...inputs().config, scope: "Mail.Read" } }))).changes,
    ).toBe(true);
    expect((await provider.diff!(id, outs, inputs({ branding: {} }))).changes).toBe(true);
    const replace = await provider.diff!(id, outs, inputs({ providerName: "OIDC" }));
    expect(replace.replaces).toEqual(["providerName"]);
    const reorder = await provider.diff!(id, outs, inputs({ domains: ["fabrikam.example", "contoso.com"] }));
    expect(reorder.changes).toBe(false);
  });
});

describe("read", () => {
  it("returns the live object, so hand-made drift shows up in diff", async () => {
    const { id, outs } = await create();
    const row = h.logto.state.ssoConnectors.get(id)!;
    row.domains = ["contoso.com", "hand-added.example"];
    row.config = { ...row.config, clientSecret: "changed-in-console" };
    const read = await provider.read!(id, outs);
    const live = read.props as SsoConnectorOutputs;
    expect(live.domains).toEqual(["contoso.com", "hand-added.example"]);
    expect(live.config.clientSecret).toBe("changed-in-console");
    expect((await provider.diff!(id, live, inputs())).changes).toBe(true);
  });

  it("returns no id for a connector deleted by hand", async () => {
    const { id, outs } = await create();
    h.logto.state.ssoConnectors.delete(id);
    const read = await provider.read!(id, outs);
    expect(read.id).toBeUndefined();
  });
});

describe("update", () => {
  it("sends only changed fields, config always complete", async () => {
    const { id, outs } = await create();
    h.logto.requests.length = 0;
    const news = inputs({ domains: ["contoso.com"] });
    await provider.update!(id, outs, news);
    const patch = h.logto.requests.find((r) => r.method === "PATCH");
    expect(patch?.body).toEqual({ domains: ["contoso.com"] });

    const rotated = inputs({ config: { ...inputs().config, clientSecret: "rotated-secret" } });
    const after = await provider.update!(
      id,
      { ...outs, domains: ["contoso.com"] },
      { ...rotated, domains: ["contoso.com"] },
    );
    const configPatch = h.logto.requests.filter((r) => r.method === "PATCH")[1];
    expect(configPatch?.body).toEqual({
      config: {
        clientId: inputs().config.clientId,
        clientSecret: "rotated-secret",
        issuer: h.issuer,
        scope: "User.Read",
        trustUnverifiedEmail: false,
      },
    });
    expect(h.logto.state.ssoConnectors.get(id)?.config.clientSecret).toBe("rotated-secret");
    expect(after.outs?.config.clientSecret).toBe("rotated-secret");
  });

  it("makes no call when nothing changed", async () => {
    const { id, outs } = await create();
    h.logto.requests.length = 0;
    await provider.update!(id, outs, inputs());
    expect(writeCalls(h.logto)).toEqual([]);
  });

  it("records a setting set back to its default (absent from the inputs), so the next diff is clean", async () => {
    const { id, outs } = await create({ adoptExisting: true, deleteAdoptedOnDestroy: true, allowUserRelink: true });
    const defaults = (await provider.check!(outs, inputs())).inputs!;
    expect(defaults).not.toHaveProperty("adoptExisting");
    expect((await provider.diff!(id, outs, defaults)).changes).toBe(true);
    h.logto.requests.length = 0;
    const after = (await provider.update!(id, outs, defaults)).outs!;
    expect(writeCalls(h.logto)).toEqual([]);
    expect(after).toMatchObject({ adopted: false, adoptExisting: false, deleteAdoptedOnDestroy: false });
    expect(after).toMatchObject({ allowUserRelink: false });
    expect((await provider.diff!(id, after, defaults)).changes).toBe(false);
  });
});

describe("delete", () => {
  it("deletes, and treats an already deleted connector as done", async () => {
    const { id, outs } = await create();
    await provider.delete!(id, outs);
    expect(h.logto.state.ssoConnectors.size).toBe(0);
    await provider.delete!(id, outs);
    expect(calls(h.logto).filter((c) => c.startsWith("DELETE"))).toHaveLength(2);
  });
});

describe("item 7: a Logto that masks the client secret on GET", () => {
  for (const mode of ["masked", "empty"] as const) {
    it(`(${mode}) shows no drift: read keeps the declared secret, diff is clean, no PATCH follows`, async () => {
      h.logto.settings.connectorSecretOnRead = mode;
      const { id, outs } = await create();
      const read = await provider.read!(id, outs);
      const live = read.props as SsoConnectorOutputs;
      expect(live.config.clientSecret).toBe(entraSecret);
      expect((await provider.diff!(id, live, inputs())).changes).toBe(false);
      // Another field changes: the PATCH answer is masked too, and the state keeps the declared secret.
      const updated = await provider.update!(id, live, inputs({ domains: ["contoso.com"] }));
      expect(updated.outs?.config.clientSecret).toBe(entraSecret);
      h.logto.requests.length = 0;
      const again = await provider.read!(id, updated.outs);
      expect(
        (await provider.diff!(id, again.props as SsoConnectorOutputs, inputs({ domains: ["contoso.com"] }))).changes,
      ).toBe(false);
      expect(writeCalls(h.logto)).toEqual([]);
    });
  }
});

describe("item 3: an email domain goes to one connector per tenant", () => {
  it("create refuses a domain another connector lists, naming that connector, and sends nothing", async () => {
    const other = await create({ connectorName: "dev-contoso", domains: ["contoso.com"] });
    h.logto.requests.length = 0;
    const error = await failureOf(() =>
      create({ connectorName: "test-contoso", domains: ["new.example", "contoso.com"] }),
    );
    expect(error.message).toBe(
      `Logto: creating SSO connector "test-contoso" failed: domains[1] "contoso.com" is already routed to SSO connector "dev-contoso" (id ${other.id}); ` +
        "Logto sends each email domain to one connector per tenant: remove it from one of them (see docs/troubleshooting.md#domain-already-routed-to-another-connector).",
    );
    expect(writeCalls(h.logto)).toEqual([]);
    expect(h.logto.state.ssoConnectors.size).toBe(1);
  });

  it("update refuses it too, and adoption does not count the adopted connector itself", async () => {
    const other = await create({ connectorName: "dev-contoso", domains: ["contoso.com"] });
    const own = await create({ connectorName: "test-contoso", domains: ["new.example"] });
    h.logto.requests.length = 0;
    const error = await failureOf(() =>
      provider.update!(
        own.id,
        own.outs,
        inputs({ connectorName: "test-contoso", domains: ["new.example", "contoso.com"] }),
      ),
    );
    expect(error.message).toContain(`"contoso.com" is already routed to SSO connector "dev-contoso" (id ${other.id})`);
    expect(writeCalls(h.logto)).toEqual([]);

    const adopted = await create({
      connectorName: "dev-contoso",
      domains: ["contoso.com", "more.example"],
      adoptExisting: true,
    });
    expect(adopted.id).toBe(other.id);
    expect(h.logto.state.ssoConnectors.get(other.id)?.domains).toEqual(["contoso.com", "more.example"]);
  });

  it("concurrent creates share one tenant-wide list (Logto loads every issuer to answer it)", async () => {
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        create({ connectorName: `tenant-${index}`, domains: [`tenant-${index}.example`] }),
      ),
    );
    expect(new Set(made.map((connector) => connector.id)).size).toBe(12);
    expect(calls(h.logto).filter((c) => c === "GET /api/sso-connectors")).toEqual(["GET /api/sso-connectors"]);
  });

  it("creates spread over a long up list once: one list per provider process (operation)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      for (let index = 0; index < 3; index++) {
        await create({ connectorName: `tenant-${index}`, domains: [`tenant-${index}.example`] });
        vi.setSystemTime(Date.now() + 60_000);
      }
    } finally {
      vi.useRealTimers();
    }
    expect(calls(h.logto).filter((c) => c === "GET /api/sso-connectors")).toEqual(["GET /api/sso-connectors"]);
    expect(h.logto.state.ssoConnectors.size).toBe(3);
  });

  it("a connector another actor makes after the list: Logto refuses its name, the next operation adopts it", async () => {
    await create({ connectorName: "first", domains: ["first.example"] });
    const byHand = { ...h.logto.state.connectorByName("first")!, id: "made-by-hand", connectorName: "contoso" };
    h.logto.state.ssoConnectors.set(byHand.id, { ...byHand, domains: ["contoso.com"] });
    const error = await failureOf(() => create({ adoptExisting: true }));
    expect(error.message).toMatch(/HTTP 409 single_sign_on\.duplicate_connector_name.*adoptExisting/);
    expect(h.logto.state.ssoConnectors.size).toBe(2);
    await h.configure({}); // a new provider process
    expect((await create({ adoptExisting: true })).id).toBe("made-by-hand");
  });

  it("a shared list follows this process's own writes: a replacement may take over the domains at once", async () => {
    const first = await create({ connectorName: "contoso-old", domains: ["contoso.com"] });
    await provider.delete!(first.id, first.outs);
    const replacement = await create({ connectorName: "contoso-new", domains: ["contoso.com"] });
    expect(h.logto.state.ssoConnectors.get(replacement.id)?.domains).toEqual(["contoso.com"]);
    // And a connector it made meanwhile counts in the domain check.
    const error = await failureOf(() => create({ connectorName: "contoso-dup", domains: ["contoso.com"] }));
    expect(error.message).toContain(`is already routed to SSO connector "contoso-new"`);
  });

  it("needs no list request for a connector without domains", async () => {
    await create({ domains: [] });
    expect(calls(h.logto).filter((c) => c === "GET /api/sso-connectors")).toEqual([]);
  });
});

describe("item 8: adopted connectors are kept on destroy", () => {
  it("delete keeps a connector the stack adopted, and says so", async () => {
    const existing = await create();
    const adopted = await create({ adoptExisting: true });
    expect(adopted.outs.adopted).toBe(true);
    h.logto.requests.length = 0;
    const notices = await noticesDuring(() => provider.delete!(adopted.id, adopted.outs));
    expect(h.logto.state.ssoConnectors.has(existing.id)).toBe(true);
    expect(writeCalls(h.logto)).toEqual([]);
    expect(notices).toEqual([
      expect.stringMatching(/SSO connector "contoso" .* was adopted .* kept in Logto.*deleteAdoptedOnDestroy/),
    ]);
  });

  it("deletes it when deleteAdoptedOnDestroy is set", async () => {
    await create();
    const adopted = await create({ adoptExisting: true, deleteAdoptedOnDestroy: true });
    await provider.delete!(adopted.id, adopted.outs);
    expect(h.logto.state.ssoConnectors.size).toBe(0);
  });

  it("deletes one it created although adoptExisting was on (there was nothing to adopt)", async () => {
    const made = await create({ adoptExisting: true });
    expect(made.outs.adopted).toBe(false);
    await provider.delete!(made.id, made.outs);
    expect(h.logto.state.ssoConnectors.size).toBe(0);
  });
});
