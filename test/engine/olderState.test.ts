/**
 * A stack whose state was written by the packed providers (commit 00eccba and before) still refreshes and
 * destroys under the engine. The state is made by today's program, then every Logto resource's
 * `__provider` (inputs and outputs) is set back to the loader 00eccba wrote for its kind
 * (test/providers/fixtures) and imported, as a state of that version would stand.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineSandbox, repoRoot, stateResources } from "../../local/engine/engine";
import {
  LocalStack,
  LocalWorld,
  applyLocalStackConfig,
  localConnection,
  localDomain,
  localStackConfig,
  localTenants,
  openLocalStack,
} from "../../local/stack";

const olderLoaders = JSON.parse(
  brotliDecompressSync(
    readFileSync(path.join(repoRoot, "test/providers/fixtures/packed-providers-00eccba.json.br")),
  ).toString("utf8"),
) as Record<string, string>;

/** How many resources hold a packed provider (a loader of 30 KB and more) in their outputs. */
function packedProviders(resources: { outputs?: Record<string, unknown> }[]): number {
  return resources.filter((r) => {
    const stored = r.outputs?.__provider;
    return typeof stored === "string" && stored.length > 30_000;
  }).length;
}

let local: LocalStack | undefined;
let world: LocalWorld;
let engine: EngineSandbox;

/** The stack's objects in Logto (connectors `<stack>-*`, applications naming the stack), by the Management API. */
async function stackObjects(): Promise<{ connectors: string[]; applications: string[] }> {
  const [connectors, applications] = await Promise.all([
    world.logto.tenant.connectors(),
    world.logto.tenant.applications(),
  ]);
  return {
    connectors: connectors.filter((row) => row.connectorName.startsWith(`${engine.stackName}-`)).map((row) => row.id),
    applications: applications.filter((row) => row.name.includes(engine.stackName)).map((row) => row.id),
  };
}

beforeAll(async () => {
  local = await openLocalStack("older", { standIns: { issuerFetchTimeoutMs: 1000 } });
  // Logto is read through its Management API: the stand-in, or a real Logto (LOGTO_E2E_*).
  world = local.world;
  engine = local.engine;
  const config = localStackConfig(world, {
    connections: [
      localConnection("contoso", localTenants.contoso, {
        mode: "provided",
        clientId: randomUUID(),
        domains: [localDomain("contoso", world.domainSuffix)],
      }),
    ],
  });
  config.pathSecrets["logto-entra-sso:connections[0].clientSecret"] = {
    value: randomBytes(24).toString("base64url"),
    secret: true,
  };
  await applyLocalStackConfig(engine.stack, config);
}, 30 * 60_000);

afterAll(async () => {
  await local?.close();
}, 10 * 60_000);

describe.sequential("engine: a state written with the packed providers", () => {
  it(
    "refreshes and destroys, running the packed code it holds",
    async () => {
      const before = await stackObjects();
      await engine.up();
      expect((await stackObjects()).connectors).toHaveLength(1);

      const exported = await engine.stack.exportStack();
      const deployment = exported.deployment as {
        resources: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[];
      };
      let rewritten = 0;
      for (const resource of deployment.resources) {
        const kind = /^pulumi-nodejs:dynamic\/(logto:\w+)$/.exec(resource.type)?.[1];
        if (!kind) continue;
        expect(olderLoaders[kind], kind).toBeDefined();
        for (const props of [resource.inputs, resource.outputs]) {
          if (props && "__provider" in props) props.__provider = olderLoaders[kind];
        }
        // That version kept the guard's record in its outputs too (today's keep a digest of it).
        if (kind === "logto:UserLinkGuard")
          resource.outputs = { ...resource.outputs, connections: resource.inputs?.connections };
        rewritten++;
      }
      expect(rewritten).toBeGreaterThanOrEqual(4);
      await engine.stack.importStack(exported);
      const imported = await stateResources(engine.stack);
      expect(packedProviders(imported)).toBe(rewritten);

      // The reads ran the packed code (the engine keeps the outputs' provider) and found nothing changed.
      const refreshed = await engine.refresh();
      expect(refreshed.result.summary.result).toBe("succeeded");
      expect(refreshed.changes.filter((step) => step.op !== "refresh" || step.diffs.length > 0)).toEqual([]);
      const afterRefresh = await stateResources(engine.stack);
      expect(packedProviders(afterRefresh)).toBe(rewritten);
      // Today's program over it: the new reference goes into the inputs, and nothing is planned.
      const previewed = await engine.preview();
      expect(previewed.changes).toEqual([]);
      const destroyed = await engine.destroy();
      expect(destroyed.result.summary.result).toBe("succeeded");
      expect(await stackObjects()).toEqual(before);
      // The stand-in's tenant is this run's alone: nothing at all is left in it.
      if (world.logto.standIn) {
        expect(await world.logto.tenant.snapshot()).toMatchObject({ connectorIds: [], applicationIds: [] });
      }
    },
    20 * 60_000,
  );
});
