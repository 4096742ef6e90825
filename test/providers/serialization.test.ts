import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applicationProvider } from "../../providers/logto/application/provider";
import { applicationSecretProvider } from "../../providers/logto/applicationSecret/provider";
import {
  installProviderPackage,
  providerPackageName,
  storedProviderReference,
} from "../../providers/logto/referencedResource";
import { signInExperienceSsoProvider } from "../../providers/logto/signInExperience/provider";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector/provider";
import { SsoConnectorInputs, SsoConnectorOutputs } from "../../providers/logto/ssoConnector/schema";
import { userLinkGuardProvider } from "../../providers/logto/userLinkGuard/provider";
import { ProviderHarness, applicationInputs, connectorInputs, failureOf, startProviderHarness } from "./harness";

// The engine's launcher loads the stored provider with require-from-string (a dependency of @pulumi/pulumi).
const requireFromString: (code: string) => { handler: () => unknown } = createRequire(
  require.resolve("@pulumi/pulumi/package.json"),
)("require-from-string");

const providers = {
  "logto:SsoConnector": ssoConnectorProvider,
  "logto:Application": applicationProvider,
  "logto:ApplicationSecret": applicationSecretProvider,
  "logto:SignInExperienceSso": signInExperienceSsoProvider,
  "logto:UserLinkGuard": userLinkGuardProvider,
};

/** The provider as the engine's provider process sees it: the stored text, then what loading it returns. */
async function roundTrip<I, O>(
  provider: pulumi.dynamic.ResourceProvider<I, O>,
): Promise<{ text: string; loaded: pulumi.dynamic.ResourceProvider<I, O> }> {
  const text = await storedProviderReference(provider as pulumi.dynamic.ResourceProvider, "logto-test:RoundTrip");
  return { text, loaded: requireFromString(text).handler() as pulumi.dynamic.ResourceProvider<I, O> };
}

/** The installed package's modules: the code a state's reference runs. */
function installedModules(): { file: string; text: string }[] {
  const dir = installProviderPackage();
  const walk = (sub: string): string[] =>
    readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(path.join(sub, entry.name)) : [path.join(sub, entry.name)],
    );
  return walk("").map((file) => ({ file, text: readFileSync(path.join(dir, file), "utf8") }));
}

let h: ProviderHarness;
beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("the serialised providers", () => {
  it("are stored as a reference to the installed package, carrying no credential and no code", async () => {
    // Credentials are configured in this process (as the engine's configure would), and in the env.
    process.env.LOGTO_M2M_APP_SECRET = h.logto.m2mAppSecret;
    try {
      for (const [kind, provider] of Object.entries(providers)) {
        const text = await storedProviderReference(provider as pulumi.dynamic.ResourceProvider, kind);
        // A few hundred bytes at most, where the serialised provider was 33 to 40 KB packed.
        expect(text.length).toBeLessThan(300);
        expect(text).toMatch(
          new RegExp(
            `^exports\\.handler = function \\(\\) \\{ return require\\("${providerPackageName}"\\)\\.\\w+; \\};\\n$`,
          ),
        );
        expect(text).not.toContain(h.logto.m2mAppSecret);
        expect(text).not.toContain(h.logto.m2mAppId);
        expect(text).not.toContain(h.logto.url);
      }
      for (const { file, text } of installedModules()) {
        expect(text, file).not.toContain(h.logto.m2mAppSecret);
        expect(text, file).not.toContain(h.logto.m2mAppId);
      }
    } finally {
      delete process.env.LOGTO_M2M_APP_SECRET;
    }
  });

  it("load the installed package's provider, with axios required from node_modules", async () => {
    for (const provider of Object.values(providers)) {
      const { loaded } = await roundTrip(provider as pulumi.dynamic.ResourceProvider);
      expect(Object.keys(loaded).sort()).toEqual(Object.keys(provider).sort());
    }
    const client = installedModules().find(({ file }) => file === "client.js");
    expect(client?.text).toMatch(/nodeRequire\("axios"\)/);
  });

  it("load axios with the first request, not with the package: a preview sends none", async () => {
    // A fresh process, as the engine's provider process is: what it loads before and after the first request.
    const script = `
      const loaded = () => Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]axios[\\\\/]/.test(file));
      const logto = require(${JSON.stringify(installProviderPackage())});
      const client = logto.managementClient();
      const beforeRequest = loaded();
      client.send({ method: "GET", path: "/api/applications", action: "listing applications" })
        .then(() => console.log(JSON.stringify({ beforeRequest, afterRequest: loaded() })));`;
    const env = {
      ...process.env,
      LOGTO_ENDPOINT: h.logto.url,
      LOGTO_M2M_APP_ID: h.logto.m2mAppId,
      LOGTO_M2M_APP_SECRET: h.logto.m2mAppSecret,
    };
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { env });
    expect(JSON.parse(stdout)).toEqual({ beforeRequest: false, afterRequest: true });
  });

  it("are written the way Pulumi's closure serialiser writes a module under node_modules", async () => {
    // What the serialiser makes of a function that returns the installed package's provider: a require of
    // the package, no code (runtime/closure/createClosure.ts, captureModuleAsync).
    const installed = createRequire(__filename)(providerPackageName) as Record<string, unknown>;
    const { text } = await pulumi.runtime.serializeFunction(() => installed.ssoConnectorProvider);
    expect(text).toContain(`require("${providerPackageName}/index.js")`);
    expect(text).not.toContain("managementClient");
  });

  it("rebuild the installed package when it was built from other sources", async () => {
    const dir = installProviderPackage();
    const manifest = path.join(dir, "package.json");
    const before = readFileSync(manifest, "utf8");
    // As after a `git pull` that changed, and moved, provider sources since `npm ci`.
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(before), sourceDigest: "older" }));
    writeFileSync(path.join(dir, "movedAway.js"), "exports.gone = true;\n");
    expect(installProviderPackage()).toBe(dir);
    expect(readFileSync(manifest, "utf8")).toBe(before);
    expect(existsSync(path.join(dir, "movedAway.js"))).toBe(false);
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
