/**
 * Issue 11, item 1: the application secret is its own resource. Rotating it is a replacement, created before
 * the old one is deleted, so the engine deletes the old secret only after every dependant (the sample app
 * container) took the new one (the order under the engine: test/engine/sharedTenant.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applicationProvider } from "../../providers/logto/application/provider";
import { applicationSecretProvider as provider } from "../../providers/logto/applicationSecret/provider";
import {
  ApplicationSecretInputs,
  ApplicationSecretOutputs,
  secretNameFor,
} from "../../providers/logto/applicationSecret/schema";
import {
  ProviderHarness,
  applicationInputs,
  failureOf,
  noticesDuring,
  startProviderHarness,
  writeCalls,
} from "./harness";

let h: ProviderHarness;
beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

async function newApplication(): Promise<string> {
  const created = await applicationProvider.create(applicationInputs(h));
  return created.id;
}

function inputs(applicationId: string, overrides: Partial<ApplicationSecretInputs> = {}): ApplicationSecretInputs {
  return { applicationId, name: secretNameFor("1"), removeDefaultSecret: true, endpoint: h.logto.url, ...overrides };
}

async function create(applicationId: string, overrides: Partial<ApplicationSecretInputs> = {}) {
  const result = await provider.create(inputs(applicationId, overrides));
  return { id: result.id, outs: result.outs as ApplicationSecretOutputs };
}

const secretNames = (applicationId: string) => (h.logto.state.appSecrets.get(applicationId) ?? []).map((s) => s.name);

describe("item 1: ApplicationSecret", () => {
  it("create removes Logto's Default secret of an app the stack made, then makes the named one", async () => {
    const appId = await newApplication();
    expect(secretNames(appId)).toEqual(["Default secret"]);
    h.logto.requests.length = 0;
    const { id, outs } = await create(appId);
    expect(writeCalls(h.logto)).toEqual([
      `DELETE /api/applications/${appId}/secrets/Default%20secret`,
      `POST /api/applications/${appId}/secrets`,
    ]);
    expect(secretNames(appId)).toEqual(["pulumi-managed-1"]);
    expect(outs.value).toBe(h.logto.state.appSecrets.get(appId)?.[0]?.value);
    expect(id).toBe(`${appId}/pulumi-managed-1`);
  });

  it("leaves the other secrets of an adopted app alone", async () => {
    const appId = await newApplication();
    await create(appId, { removeDefaultSecret: false });
    expect(secretNames(appId)).toEqual(["Default secret", "pulumi-managed-1"]);
  });

  it("a new version is a replacement, made before the old secret is deleted", async () => {
    const appId = await newApplication();
    const { id, outs } = await create(appId);
    const diff = await provider.diff!(id, outs, inputs(appId, { name: secretNameFor("2") }));
    expect(diff).toMatchObject({ changes: true, replaces: ["name"], deleteBeforeReplace: false });
    expect((await provider.diff!(id, outs, inputs(appId))).changes).toBe(false);
    expect((await provider.diff!(id, outs, inputs("another-app"))).replaces).toEqual(["applicationId"]);
  });

  it("refuses a secret of its name that it did not make, and leaves it alone", async () => {
    const appId = await newApplication();
    const theirs = { name: secretNameFor("1"), value: "made-in-the-console", createdAt: Date.now(), expiresAt: null };
    h.logto.state.appSecrets.get(appId)!.push(theirs as never);
    h.logto.requests.length = 0;
    const error = await failureOf(() => create(appId, { removeDefaultSecret: false }));
    expect(error.message).toMatch(
      /creating secret "pulumi-managed-1" of application .* a secret of this name exists already .* not made by this stack/,
    );
    expect(error.message).toContain("sampleApp.appSecretVersion");
    expect(error.message).not.toContain("made-in-the-console");
    expect(writeCalls(h.logto)).toEqual([]);
    await failureOf(() => create(appId, { removeDefaultSecret: false }));
    expect(h.logto.state.appSecrets.get(appId)?.find((row) => row.name === theirs.name)?.value).toBe(theirs.value);
  });

  it("delete leaves a secret of its name whose value is not the one it made (deleted and made again by hand)", async () => {
    const appId = await newApplication();
    const { id, outs } = await create(appId);
    const row = h.logto.state.appSecrets.get(appId)!.find((secret) => secret.name === outs.name)!;
    row.value = "someone-elses-secret-value";
    const lines = await noticesDuring(() => provider.delete!(id, outs));
    expect(secretNames(appId)).toEqual(["pulumi-managed-1"]);
    expect(lines).toEqual([
      expect.stringMatching(/secret "pulumi-managed-1" .* left in Logto: its value is not the one this stack made/),
    ]);
    expect(lines.join("\n")).not.toContain("someone-elses-secret-value");
    row.value = outs.value;
    await provider.delete!(id, outs);
    expect(secretNames(appId)).toEqual([]);
  });

  it("makes no duplicate when the create response is lost", async () => {
    const appId = await newApplication();
    h.logto.faults.add({ method: "POST", path: /\/secrets$/, drop: "afterCommit" });
    const { outs } = await create(appId);
    expect(secretNames(appId)).toEqual(["pulumi-managed-1"]);
    expect(outs.value).toBe(h.logto.state.appSecrets.get(appId)?.[0]?.value);
  });

  it("read drops a secret deleted by hand (and one of a deleted app); delete treats both as done", async () => {
    const appId = await newApplication();
    const { id, outs } = await create(appId);
    expect((await provider.read!(id, outs)).props).toMatchObject({ value: outs.value });
    h.logto.state.appSecrets.set(appId, []);
    expect((await provider.read!(id, outs)).id).toBeUndefined();
    await provider.delete!(id, outs);
    h.logto.state.applications.delete(appId);
    expect((await provider.read!(id, outs)).id).toBeUndefined();
    await provider.delete!(id, outs);
  });

  it("check names a bad secret name", async () => {
    const result = await provider.check!(
      {} as ApplicationSecretInputs,
      { applicationId: "app", name: "" } as ApplicationSecretInputs,
    );
    expect(result.failures?.map((f) => `${f.property}: ${f.reason}`)).toEqual([
      expect.stringMatching(/^name: name is empty/),
    ]);
    await failureOf(async () => provider.create(inputs("missing-app")));
  });
});
