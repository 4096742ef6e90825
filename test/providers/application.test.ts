import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applicationProvider as provider } from "../../providers/logto/application/provider";
import { ApplicationInputs, ApplicationOutputs } from "../../providers/logto/application/schema";
import {
  ProviderHarness,
  applicationInputs,
  failureOf,
  noticesDuring,
  startProviderHarness,
  writeCalls,
} from "./harness";

let h: ProviderHarness;

function inputs(overrides: Partial<ApplicationInputs> = {}): ApplicationInputs {
  return applicationInputs(h, { description: "Flask sample", ...overrides });
}

async function create(overrides: Partial<ApplicationInputs> = {}) {
  const result = await provider.create(inputs(overrides));
  return { id: result.id, outs: result.outs as ApplicationOutputs };
}

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("check", () => {
  it("refuses relative URIs, CORS origins with paths and an empty redirect list", async () => {
    const result = await provider.check!(
      {} as ApplicationInputs,
      inputs({
        name: "x".repeat(300),
        redirectUris: [],
        postLogoutRedirectUris: ["/signed-out"],
        corsAllowedOrigins: ["https://app.example.com/path"],
      }),
    );
    const reasons = (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: .*300 characters.*256/),
        expect.stringMatching(/^redirectUris: redirectUris is empty/),
        expect.stringMatching(
          /^postLogoutRedirectUris: postLogoutRedirectUris\[0\] is "\/signed-out": it must be an absolute URL/,
        ),
        expect.stringMatching(/^corsAllowedOrigins: .*without a path/),
      ]),
    );
  });
});

describe("create", () => {
  it("item 1: creates a Traditional app with one POST; its secret is another resource's business", async () => {
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
    expect(writeCalls(h.logto)).toEqual(["POST /api/applications"]);
    expect(outs).toMatchObject({ applicationId: id, adopted: false, endpoint: h.logto.url });
    expect(Object.keys(outs)).not.toEqual(expect.arrayContaining(["appSecret"]));
    expect(Object.keys(outs).filter((key) => /secret/i.test(key))).toEqual([]);
  });

  it("makes no duplicate app when the response is lost", async () => {
    h.logto.faults.add({ method: "POST", path: "/api/applications", drop: "afterCommit" });
    const { id } = await create();
    expect([...h.logto.state.applications.keys()]).toEqual([id]);
  });

  it("refuses to adopt by name when two Traditional apps have the name, naming both", async () => {
    const first = await create();
    const second = await create();
    h.logto.requests.length = 0;
    const error = await failureOf(() => create({ adoptExisting: true }));
    expect(error.message).toMatch(
      /adopting application "sample-web" failed: 2 Traditional applications have this name/,
    );
    expect(error.message).toContain(first.id);
    expect(error.message).toContain(second.id);
    expect(writeCalls(h.logto)).toEqual([]);
  });

  it("adopts an existing app by name, leaving its secrets alone", async () => {
    const first = await create();
    const secretsBefore = structuredClone(h.logto.state.appSecrets.get(first.id));
    const adopted = await create({ adoptExisting: true, description: "adopted" });
    expect(adopted.id).toBe(first.id);
    expect(adopted.outs.adopted).toBe(true);
    expect(h.logto.state.applications.size).toBe(1);
    expect(h.logto.state.appSecrets.get(first.id)).toEqual(secretsBefore);
    expect(h.logto.state.applications.get(first.id)?.description).toBe("adopted");
  });
});

describe("update", () => {
  it("sends both URI lists whenever one changes, and keeps console-set custom metadata", async () => {
    const { id, outs } = await create();
    const row = h.logto.state.applications.get(id)!;
    row.customClientMetadata = { ...row.customClientMetadata, idTokenTtl: 600 };
    h.logto.requests.length = 0;
    const news = inputs({
      redirectUris: ["https://app.example.com/callback", "https://b.example.com/callback"],
      corsAllowedOrigins: ["https://app.example.com"],
    });
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
});

describe("item 5: updates keep what the console set in oidcClientMetadata", () => {
  const consoleSet = {
    backchannelLogoutUri: "https://app.example.com/backchannel",
    logoUri: "https://app.example.com/logo.png",
  };

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
    expect(
      (
        await provider.diff!(
          id,
          read.props as ApplicationOutputs,
          inputs({ corsAllowedOrigins: ["https://app.example.com"] }),
        )
      ).changes,
    ).toBe(false);
  });
});

describe("item 8: adopted applications are kept on destroy", () => {
  it("delete keeps an application the stack adopted, and says so; deleteAdoptedOnDestroy deletes it", async () => {
    const existing = await create();
    const adopted = await create({ adoptExisting: true });
    const lines = await noticesDuring(() => provider.delete!(adopted.id, adopted.outs));
    expect(h.logto.state.applications.has(existing.id)).toBe(true);
    expect(lines).toEqual([
      expect.stringMatching(/application "sample-web" .* was adopted .* kept in Logto.*deleteAdoptedOnDestroy/),
    ]);

    const again = await create({ adoptExisting: true, deleteAdoptedOnDestroy: true });
    await provider.delete!(again.id, again.outs);
    expect(h.logto.state.applications.size).toBe(0);
  });

  it("deletes one it created although adoptExisting was on", async () => {
    const made = await create({ adoptExisting: true });
    expect(made.outs.adopted).toBe(false);
    await provider.delete!(made.id, made.outs);
    expect(h.logto.state.applications.size).toBe(0);
  });
});
