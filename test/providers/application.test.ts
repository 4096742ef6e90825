import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ApplicationInputs,
  ApplicationOutputs,
  applicationProvider as provider,
  secretNameFor,
} from "../../providers/logto/application";
import { ProviderHarness, failureOf, startProviderHarness, writeCalls } from "./harness";

let h: ProviderHarness;

function inputs(overrides: Partial<ApplicationInputs> = {}): ApplicationInputs {
  return {
    name: "sample-web",
    description: "Flask sample",
    redirectUris: ["https://app.example.com/callback"],
    postLogoutRedirectUris: ["https://app.example.com/"],
    corsAllowedOrigins: [],
    secretVersion: "1",
    adoptExisting: false,
    ...overrides,
  };
}

async function create(overrides: Partial<ApplicationInputs> = {}) {
  const result = await provider.create(inputs(overrides));
  return { id: result.id, outs: result.outs as ApplicationOutputs };
}

function secretNames(appId: string): string[] {
  return (h.logto.state.appSecrets.get(appId) ?? []).map((s) => s.name);
}

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("check", () => {
  it("refuses relative URIs, CORS origins with paths and an empty redirect list", async () => {
    const result = await provider.check!({} as ApplicationInputs, inputs({
      name: "x".repeat(300),
      redirectUris: [],
      postLogoutRedirectUris: ["/signed-out"],
      corsAllowedOrigins: ["https://app.example.com/path"],
      secretVersion: "two words",
    }));
    const reasons = (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: .*300 characters.*256/),
        expect.stringMatching(/^redirectUris: redirectUris is empty/),
        expect.stringMatching(/^postLogoutRedirectUris: postLogoutRedirectUris\[0\] is "\/signed-out": it must be an absolute URL/),
        expect.stringMatching(/^corsAllowedOrigins: .*without a path/),
        expect.stringMatching(/^secretVersion: /),
      ]),
    );
  });
});

describe("create", () => {
  it("creates a Traditional app whose only secret is the stack-managed one", async () => {
    const { id, outs } = await create();
    const row = h.logto.state.applications.get(id);
    expect(row).toMatchObject({
      name: "sample-web",
      type: "Traditional",
      oidcClientMetadata: {
        redirectUris: ["https://app.example.com/callback"],
        postLogoutRedirectUris: ["https://app.example.com/"],
      },
    });
    expect(secretNames(id)).toEqual([secretNameFor("1")]);
    expect(outs.appSecret).toBe(h.logto.state.appSecrets.get(id)?.[0]?.value);
    expect(outs.appSecret.length).toBeGreaterThan(10);
    expect(outs.applicationId).toBe(id);
  });

  it("reports a half-finished create with the id, so nothing is orphaned", async () => {
    h.logto.faults.add({ method: "POST", path: /\/secrets$/, status: 400, body: { code: "guard.invalid_input", message: "bad" } });
    const error = (await failureOf(() => create())) as Error & { id?: string; properties?: ApplicationOutputs };
    expect(error.id).toBeDefined();
    expect(h.logto.state.applications.has(error.id!)).toBe(true);
    expect(error.properties?.appSecret).toBe("");
    // The engine then calls update with those properties: it finishes the job.
    const finished = await provider.update!(error.id!, error.properties!, inputs());
    expect(finished.outs?.appSecret).not.toBe("");
    // Finished as a create would have: Logto's "Default secret" is gone, only the managed one is left.
    expect(secretNames(error.id!)).toEqual([secretNameFor("1")]);
    expect(finished.outs?.createIncomplete).toBeUndefined();
  });

  it("makes no duplicate app or secret when responses are lost", async () => {
    h.logto.faults.add({ method: "POST", path: "/api/applications", drop: "afterCommit" });
    h.logto.faults.add({ method: "POST", path: /\/secrets$/, drop: "afterCommit" });
    const { id, outs } = await create();
    expect([...h.logto.state.applications.keys()]).toEqual([id]);
    expect(secretNames(id)).toEqual([secretNameFor("1")]);
    expect(outs.appSecret).toBe(h.logto.state.appSecrets.get(id)?.[0]?.value);
  });

  it("adopts an existing app by name, leaving its other secrets alone", async () => {
    const first = await create();
    const adopted = await create({ adoptExisting: true, secretVersion: "7", description: "adopted" });
    expect(adopted.id).toBe(first.id);
    expect(h.logto.state.applications.size).toBe(1);
    expect(secretNames(first.id).sort()).toEqual([secretNameFor("1"), secretNameFor("7")].sort());
    expect(h.logto.state.applications.get(first.id)?.description).toBe("adopted");
  });
});

describe("update and rotation", () => {
  it("rotates: the new secret is created before the old one is deleted", async () => {
    const { id, outs } = await create();
    h.logto.requests.length = 0;
    const news = inputs({ secretVersion: "2" });
    expect((await provider.diff!(id, outs, news)).changes).toBe(true);
    const result = await provider.update!(id, outs, news);
    expect(writeCalls(h.logto)).toEqual([
      `POST /api/applications/${id}/secrets`,
      `DELETE /api/applications/${id}/secrets/${secretNameFor("1")}`,
    ]);
    expect(secretNames(id)).toEqual([secretNameFor("2")]);
    expect(result.outs?.appSecret).not.toBe(outs.appSecret);
  });

  it("sends both URI lists whenever one changes, and keeps console-set custom metadata", async () => {
    const { id, outs } = await create();
    const row = h.logto.state.applications.get(id)!;
    row.customClientMetadata = { ...row.customClientMetadata, idTokenTtl: 600 };
    h.logto.requests.length = 0;
    const news = inputs({ redirectUris: ["https://app.example.com/callback", "https://b.example.com/callback"], corsAllowedOrigins: ["https://app.example.com"] });
    await provider.update!(id, outs, news);
    const patch = h.logto.requests.find((r) => r.method === "PATCH");
    expect(patch?.body).toEqual({
      oidcClientMetadata: {
        redirectUris: ["https://app.example.com/callback", "https://b.example.com/callback"],
        postLogoutRedirectUris: ["https://app.example.com/"],
      },
      customClientMetadata: { idTokenTtl: 600, corsAllowedOrigins: ["https://app.example.com"] },
    });
  });

  it("recreates the managed secret when it was deleted by hand", async () => {
    const { id, outs } = await create();
    h.logto.state.appSecrets.set(id, []);
    const read = await provider.read!(id, outs);
    const live = read.props as ApplicationOutputs;
    expect(live.appSecret).toBe("");
    expect((await provider.diff!(id, live, inputs())).changes).toBe(true);
    const result = await provider.update!(id, live, inputs());
    expect(result.outs?.appSecret).not.toBe("");
  });
});

describe("item 5: updates keep what the console set in oidcClientMetadata", () => {
  const consoleSet = { backchannelLogoutUri: "https://app.example.com/backchannel", logoUri: "https://app.example.com/logo.png" };

  it("an update of the redirect URIs keeps a back-channel logout URI and logo set in the console, in one GET", async () => {
    const { id, outs } = await create();
    const row = h.logto.state.applications.get(id)!;
    row.oidcClientMetadata = { ...row.oidcClientMetadata, ...consoleSet };
    h.logto.requests.length = 0;
    const news = inputs({ redirectUris: ["https://app.example.com/callback", "https://b.example.com/callback"] });
    await provider.update!(id, outs, news);
    expect(h.logto.state.applications.get(id)?.oidcClientMetadata).toEqual({
      redirectUris: news.redirectUris,
      postLogoutRedirectUris: news.postLogoutRedirectUris,
      ...consoleSet,
    });
    expect(h.logto.requests.filter((r) => r.method === "GET" && r.path === `/api/applications/${id}`)).toHaveLength(1);
  });

  it("adoption keeps them too", async () => {
    const { id } = await create();
    const row = h.logto.state.applications.get(id)!;
    row.oidcClientMetadata = { ...row.oidcClientMetadata, ...consoleSet };
    await create({ adoptExisting: true, postLogoutRedirectUris: ["https://app.example.com/bye"] });
    expect(h.logto.state.applications.get(id)?.oidcClientMetadata).toEqual({
      redirectUris: ["https://app.example.com/callback"],
      postLogoutRedirectUris: ["https://app.example.com/bye"],
      ...consoleSet,
    });
  });
});

describe("read and delete", () => {
  it("drops an app deleted by hand, and delete treats 404 as done", async () => {
    const { id, outs } = await create();
    h.logto.state.applications.delete(id);
    expect((await provider.read!(id, outs)).id).toBeUndefined();
    await provider.delete!(id, outs);
  });

  it("is clean after create: read back and diff show no change", async () => {
    const { id, outs } = await create({ corsAllowedOrigins: ["https://app.example.com"] });
    const read = await provider.read!(id, outs);
    expect((await provider.diff!(id, read.props as ApplicationOutputs, inputs({ corsAllowedOrigins: ["https://app.example.com"] }))).changes).toBe(false);
  });
});
