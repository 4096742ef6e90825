import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applicationProvider } from "../../providers/logto/application";
import { applicationSecretProvider } from "../../providers/logto/applicationSecret";
import {
  cachedLoaderFile,
  providerLoader,
  storedProviderText,
  unpackedProviders,
} from "../../providers/logto/packedResource";
import { readFileSync, rmSync } from "node:fs";
import { signInExperienceSsoProvider } from "../../providers/logto/signInExperience";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector";
import { SsoConnectorInputs, SsoConnectorOutputs } from "../../providers/logto/ssoConnectorSchema";
import { ProviderHarness, applicationInputs, connectorInputs, failureOf, startProviderHarness } from "./harness";

// The engine's launcher loads the serialised provider with require-from-string (a dependency of @pulumi/pulumi).
const requireFromString: (code: string) => { handler: () => unknown } = createRequire(
  require.resolve("@pulumi/pulumi/package.json"),
)("require-from-string");

/** The provider as the engine's provider process sees it: serialised, packed, then loaded from that text. */
async function roundTrip<I, O>(
  provider: pulumi.dynamic.ResourceProvider<I, O>,
): Promise<{ text: string; loaded: pulumi.dynamic.ResourceProvider<I, O> }> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider);
  const stored = providerLoader(text);
  return { text: stored, loaded: requireFromString(stored).handler() as pulumi.dynamic.ResourceProvider<I, O> };
}

/** A provider's serialised module and the loader text the engine stores for it. */
async function storedForms(provider: object): Promise<{ serialised: string; stored: string }> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider);
  return { serialised: text, stored: providerLoader(text) };
}

let h: ProviderHarness;
beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("the serialised providers", () => {
  it("carry no credential, and axios as a require", async () => {
    // Credentials are configured in this process (as the engine's configure would), and in the env.
    process.env.LOGTO_M2M_APP_SECRET = h.logto.m2mAppSecret;
    try {
      for (const provider of [
        ssoConnectorProvider,
        applicationProvider,
        applicationSecretProvider,
        signInExperienceSsoProvider,
      ]) {
        const { serialised, stored } = await storedForms(provider);
        const [text] = unpackedProviders(JSON.stringify({ __provider: stored })); // as it stands in a state file
        expect(text).toBe(serialised);
        expect(text).not.toContain(h.logto.m2mAppSecret);
        expect(text).not.toContain(h.logto.m2mAppId);
        expect(text).not.toContain(h.logto.url);
        expect(text).toMatch(/require\("axios[^"]*"\)/);
      }
    } finally {
      delete process.env.LOGTO_M2M_APP_SECRET;
    }
  });

  it("are stored packed, at most a third of their serialised size", async () => {
    for (const provider of [
      ssoConnectorProvider,
      applicationProvider,
      applicationSecretProvider,
      signInExperienceSsoProvider,
    ]) {
      const { serialised, stored } = await storedForms(provider);
      expect(stored.length).toBeLessThan(serialised.length / 3);
    }
  });

  it("are kept for the next program run, keyed by the providers' sources", async () => {
    const kind = "logto-test:SerialisationCache";
    const file = cachedLoaderFile(kind);
    rmSync(file, { force: true });
    try {
      const stored = await storedProviderText(ssoConnectorProvider, kind);
      // What the next run reads instead of serialising again (2.3 s for the four providers).
      expect(readFileSync(file, "utf8")).toBe(stored);
      const loaded = requireFromString(stored).handler() as typeof ssoConnectorProvider;
      expect(Object.keys(loaded).sort()).toEqual(Object.keys(ssoConnectorProvider).sort());
      expect(cachedLoaderFile("logto-test:OtherKind")).not.toBe(file);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it("still check, diff and create once loaded from their text", async () => {
    const connector = (await roundTrip(ssoConnectorProvider)).loaded;
    const declared = connectorInputs(h, {
      connectorName: "round-trip",
      config: { clientId: "id", clientSecret: "secret-value", issuer: h.issuer, scope: "User.Read openid" },
    });
    const checked = await connector.check!({} as SsoConnectorInputs, { ...declared, domains: ["gmail.com"] });
    expect(checked.failures?.map((f) => f.reason)).toEqual([expect.stringContaining("public email domains")]);
    const created = await connector.create(declared);
    const diff = await connector.diff!(created.id, created.outs as SsoConnectorOutputs, {
      ...declared,
      config: { ...declared.config, scope: "User.Read" },
    });
    expect(diff.changes).toBe(false);

    const application = (await roundTrip(applicationProvider)).loaded;
    const app = await application.create(applicationInputs(h, { name: "round-trip" }));
    expect(h.logto.state.applications.has(app.id)).toBe(true);

    const secret = (await roundTrip(applicationSecretProvider)).loaded;
    const made = await secret.create({
      applicationId: app.id,
      name: "pulumi-managed-1",
      removeDefaultSecret: true,
      endpoint: h.logto.url,
    });
    expect(h.logto.state.appSecrets.get(app.id)?.map((row) => row.value)).toEqual([made.outs?.value]);
  });

  it("report an unreachable Logto once loaded from their text", async () => {
    await h.reset({ "logto:endpoint": "http://127.0.0.1:9", "logto:maxAttempts": "2" });
    const connector = (await roundTrip(ssoConnectorProvider)).loaded;
    const error = await failureOf(() => connector.delete!("some-id", { connectorName: "x" } as SsoConnectorOutputs));
    expect(error.message).toMatch(/no answer from http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)\. Gave up after 2 attempt/);
  });
});
