/**
 * A state written before the providers were referenced (commit 00eccba and earlier) stores each resource's
 * provider packed in its `__provider`: a self-contained module that unpacks the old provider code and needs
 * only Node's zlib and axios. The engine loads it as it loads any stored provider, so such a state still
 * refreshes (read) and destroys (delete) with the code it was written with. The fixture holds the five
 * loaders that commit wrote, compressed once more (the state's text, byte for byte, once decompressed).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { brotliDecompressSync } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applicationProvider } from "../../providers/logto/application/provider";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector/provider";
import { ProviderHarness, applicationInputs, connectorInputs, stackConfig, startProviderHarness } from "./harness";

// The engine's launcher loads a stored provider with require-from-string (a dependency of @pulumi/pulumi).
const requireFromString: (code: string) => { handler: () => unknown } = createRequire(
  require.resolve("@pulumi/pulumi/package.json"),
)("require-from-string");

const olderLoaders = JSON.parse(
  brotliDecompressSync(readFileSync(path.join(__dirname, "fixtures/packed-providers-00eccba.json.br"))).toString(
    "utf8",
  ),
) as Record<string, string>;

function olderProvider(kind: string): pulumi.dynamic.ResourceProvider {
  return requireFromString(olderLoaders[kind]).handler() as pulumi.dynamic.ResourceProvider;
}

/** An older provider as the engine's dynamic-provider host hands it out: deserialised, then configured. */
async function configuredOlderProvider(kind: string): Promise<pulumi.dynamic.ResourceProvider> {
  const provider = olderProvider(kind);
  await provider.configure?.({ config: stackConfig(h.config) });
  return provider;
}

let h: ProviderHarness;
beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("a state written with the packed providers", () => {
  it("holds a self-contained provider for every kind", () => {
    expect(Object.keys(olderLoaders).sort()).toEqual([
      "logto:Application",
      "logto:ApplicationSecret",
      "logto:SignInExperienceSso",
      "logto:SsoConnector",
      "logto:UserLinkGuard",
    ]);
    for (const [kind, text] of Object.entries(olderLoaders)) {
      expect(text, kind).not.toContain("logto-entra-sso-provider");
      expect(Object.keys(olderProvider(kind)), kind).toEqual(expect.arrayContaining(["create", "read", "delete"]));
    }
  });

  it("refreshes and destroys a connector and an application with the code it was written with", async () => {
    const connector = await ssoConnectorProvider.create(connectorInputs(h, { connectorName: "written-before" }));
    const app = await applicationProvider.create(applicationInputs(h, { name: "written-before" }));

    // Today's providers ran first in this process (create above), as they do in an `up` that also deletes an
    // older resource: the older code must not be handed today's client.
    const olderConnector = await configuredOlderProvider("logto:SsoConnector");
    const olderApplication = await configuredOlderProvider("logto:Application");
    const read = await olderConnector.read!(connector.id, connector.outs);
    expect(read.id).toBe(connector.id);
    expect(read.props).toMatchObject({ connectorName: "written-before" });
    expect((await olderApplication.read!(app.id, app.outs)).id).toBe(app.id);

    await olderConnector.delete!(connector.id, connector.outs);
    await olderApplication.delete!(app.id, app.outs);
    expect(h.logto.state.ssoConnectors.has(connector.id)).toBe(false);
    expect(h.logto.state.applications.has(app.id)).toBe(false);
  });
});
