/**
 * The fault matrix, Graph side: faults on the Microsoft Graph stand-in at create, update and delete of the
 * Entra objects, under the real engine running the product's program (infra/) with the azuread plugin (ours
 * or the real one, local/engine/provider-plugins.sh). Each cell: the operation succeeds (the plugin retried) or
 * fails naming no secret, and the next `up` (or `destroy`) leaves the tenant as the state says, with no
 * duplicate and no orphan; the one cell where the azuread provider itself leaves an orphan is marked upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateResources, type EngineSandbox } from "../../local/engine/engine";
import { ensurePluginsOnPath } from "../../local/engine/plugins";
import {
  applyLocalStackConfig,
  localConnection,
  localSecrets,
  localStackConfig,
  localTenants,
  openLocalStack,
  standInsOf,
  type LocalStack,
  type LocalStandIns,
} from "../../local/stack";
import type { FaultSpec } from "../../local/standins/shared/faults";
import { realLogtoFromEnv } from "../../local/engine/target";
import { printCells, type Cell } from "./table";

const tenantId = localTenants.contoso;
const stepTimeout = 5 * 60_000;
const cells: Cell[] = [];
let local: LocalStack;
let standIns: LocalStandIns;
let engine: EngineSandbox;
let secrets: string[];
/** Graph scopes on the registration with extraScopes ["User.Read"], the config each cell starts from. */
let baseScopeCount = 0;

function directory() {
  return standIns.entra.tenant(tenantId);
}

/** The stack's Entra objects as the tenant holds them. */
function entraObjects() {
  const apps = [...directory().applications.values()].filter((app) => app.displayName?.endsWith("(Logto SSO)"));
  const appIds = new Set(apps.map((app) => app.appId));
  const principals = [...directory().servicePrincipals.values()].filter((sp) => appIds.has(sp.appId));
  const principalIds = new Set(principals.map((sp) => sp.id));
  const grants = [...directory().oauth2PermissionGrants.values()].filter((grant) => principalIds.has(grant.clientId));
  return { apps, principals, grants, passwords: apps.flatMap((app) => app.passwordCredentials ?? []) };
}

/** The state's Entra objects, by the object ids it records (an id may be a path: /applications/{id}). */
async function stateIds(): Promise<{ apps: string[]; principals: string[] }> {
  const resources = await stateResources(engine.stack);
  const of = (type: string) =>
    resources
      .filter((r) => r.type.startsWith("azuread:") && r.type.endsWith(`:${type}`))
      .flatMap((r) =>
        [r.outputs?.objectId, r.id?.split("/").pop()].filter((id): id is string => typeof id === "string" && id !== ""),
      );
  return { apps: of("ApplicationRegistration"), principals: of("ServicePrincipal") };
}

async function configure(extraScopes: string[]): Promise<void> {
  await applyLocalStackConfig(
    engine.stack,
    localStackConfig(standIns, { connections: [localConnection("contoso", tenantId, { extraScopes })] }),
  );
}

/** Runs `operation` with `faults` armed; "succeeded" or "failed: …" (the error, checked to name no secret). */
async function withFaults(faults: FaultSpec[], operation: () => Promise<unknown>): Promise<string> {
  for (const fault of faults) standIns.entra.faults.add(fault);
  try {
    await operation();
    return "succeeded";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    for (const secret of secrets) expect(message, "no secret in the error").not.toContain(secret);
    // The engine's own line for the failed step: "    error: <what the plugin said>".
    const lines = message.split("\n");
    const line =
      lines.find((text) => /^\s+error: /.test(text) && !/update failed|destroy failed/.test(text)) ?? lines[0];
    return `failed: ${line.trim()}`;
  } finally {
    expect(standIns.entra.faults.pending, "every fault met its request").toEqual([]);
    standIns.entra.faults.clear();
  }
}

/** Duplicates and orphans of the tenant against the state, after the converging run. */
async function tally(expectExisting: boolean): Promise<{ duplicates: number; orphans: number; converged: boolean }> {
  const live = entraObjects();
  const ids = await stateIds();
  const liveAppIds = live.apps.map((app) => app.id);
  const orphans =
    liveAppIds.filter((id) => !ids.apps.includes(id)).length +
    live.principals.filter((sp) => !ids.principals.includes(sp.id)).length;
  const duplicates =
    Math.max(0, live.apps.length - 1) + Math.max(0, live.principals.length - 1) + Math.max(0, live.grants.length - 1);
  const expected = expectExisting ? 1 : 0;
  const converged =
    live.apps.length === expected &&
    live.principals.length === expected &&
    live.grants.length === expected &&
    orphans === 0;
  return { duplicates, orphans, converged };
}

function record(
  fault: string,
  kind: string,
  operation: string,
  outcome: string,
  result: { duplicates: number; orphans: number; converged: boolean },
) {
  cells.push({ fault, kind, operation, outcome, ...result });
}

/** Tallies the tenant after the converging run, records one cell per [fault, resource] and expects it clean. */
async function expectClean(
  expectExisting: boolean,
  operation: string,
  outcome: string,
  faults: [fault: string, kind: string][],
): Promise<void> {
  const result = await tally(expectExisting);
  for (const [fault, kind] of faults) record(fault, kind, operation, outcome, result);
  expect(result).toEqual({ duplicates: 0, orphans: 0, converged: true });
}

const appPath = /^\/v1\.0\/applications$/;
const appByIdPath = /^\/v1\.0\/applications\/[^/]+$/;
const principalByIdPath = /^\/v1\.0\/servicePrincipals\/[^/]+$/;

// Faults are injected into the stand-ins; with LOGTO_E2E_* set the suite says so and skips.
const againstRealLogto = realLogtoFromEnv(process.env) !== undefined;

beforeAll(async () => {
  if (againstRealLogto) return;
  const plugins = await ensurePluginsOnPath();
  // Our azuread double waits as the real one does (5 reads 5 s apart after a delete); scaled down here. The
  // real plugin ignores the setting and takes its time.
  const scale: Record<string, string> = plugins.real.includes("azuread") ? {} : { AZUREAD_DOUBLE_TIME_SCALE: "0.02" };
  local = await openLocalStack("faults", {
    standIns: { tenantIds: [tenantId], issuerFetchTimeoutMs: 1000 },
    env: scale,
  });
  ({ engine } = local);
  standIns = standInsOf(local.world);
  secrets = Object.values(localSecrets(standIns, [tenantId])).flat();
  await configure(["User.Read"]);
}, stepTimeout);

afterAll(async () => {
  if (!againstRealLogto) printCells("Graph fault matrix (real engine, azuread plugin)", cells);
  await local?.close();
}, stepTimeout);

describe
  .skipIf(againstRealLogto)
  .sequential(
    "fault matrix: Graph, under the real engine (injects faults into the stand-ins: skipped against a real Logto)",
    () => {
      it(
        "create: a 429 storm with Retry-After and a 5xx burst are retried, nothing made twice",
        async () => {
          const outcome = await withFaults(
            [
              { method: "POST", path: appPath, status: 429, retryAfterSeconds: 1, times: 2 },
              { method: "POST", path: "/v1.0/servicePrincipals", status: 503, times: 2 },
            ],
            () => engine.up(),
          );
          expect(outcome).toBe("succeeded");
          await expectClean(true, "create", outcome, [
            ["429 storm with Retry-After", "ApplicationRegistration"],
            ["5xx burst", "ServicePrincipal"],
          ]);
          baseScopeCount = entraObjects().apps[0].requiredResourceAccess[0].resourceAccess.length;
        },
        stepTimeout,
      );

      it(
        "update: 429 and 5xx on the registration's PATCH are retried",
        async () => {
          await configure(["User.Read", "Mail.Read"]);
          const outcome = await withFaults(
            [
              { method: "PATCH", path: appByIdPath, status: 429, retryAfterSeconds: 1, times: 1 },
              { method: "PATCH", path: appByIdPath, status: 502, times: 2 },
            ],
            () => engine.up(),
          );
          expect(outcome).toBe("succeeded");
          await expectClean(true, "update", outcome, [
            ["429 storm with Retry-After", "ApplicationApiAccess"],
            ["5xx burst", "ApplicationApiAccess"],
          ]);
          expect(entraObjects().apps[0].requiredResourceAccess[0].resourceAccess).toHaveLength(baseScopeCount + 1);
        },
        stepTimeout,
      );

      it(
        "update: a connection reset and an expired token fail the run; the next up converges",
        async () => {
          for (const [fault, spec] of [
            ["connection reset", { method: "PATCH", path: appByIdPath, drop: "before" }],
            [
              "token expiry mid-run",
              {
                method: "PATCH",
                path: appByIdPath,
                status: 401,
                body: {
                  error: {
                    code: "InvalidAuthenticationToken",
                    message: "Lifetime validation failed, the token is expired.",
                  },
                },
              },
            ],
          ] as const) {
            const scopes = fault === "connection reset" ? ["User.Read"] : ["User.Read", "Calendars.Read"];
            await configure(scopes);
            const outcome = await withFaults([spec], () => engine.up());
            await engine.up();
            await expectClean(true, "update", outcome, [[fault, "ApplicationApiAccess"]]);
            expect(entraObjects().apps[0].requiredResourceAccess[0].resourceAccess).toHaveLength(
              baseScopeCount + scopes.length - 1,
            );
          }
        },
        stepTimeout,
      );

      it(
        "delete: 429 and 5xx on DELETE are retried; a reset fails destroy, and the next destroy finishes",
        async () => {
          const outcome = await withFaults(
            [
              { method: "DELETE", path: appByIdPath, status: 429, retryAfterSeconds: 1, times: 1 },
              { method: "DELETE", path: principalByIdPath, status: 503, times: 2 },
            ],
            () => engine.destroy(),
          );
          expect(outcome).toBe("succeeded");
          await expectClean(false, "delete", outcome, [
            ["429 storm with Retry-After", "ApplicationRegistration"],
            ["5xx burst", "ServicePrincipal"],
          ]);

          await engine.up();
          const reset = await withFaults([{ method: "DELETE", path: principalByIdPath, drop: "before" }], () =>
            engine.destroy(),
          );
          await engine.destroy();
          await expectClean(false, "delete", reset, [["connection reset", "ServicePrincipal"]]);
        },
        stepTimeout,
      );

      it(
        "create: a reset before the grant fails the run; the next up converges",
        async () => {
          const outcome = await withFaults(
            [{ method: "POST", path: "/v1.0/oauth2PermissionGrants", drop: "before" }],
            () => engine.up(),
          );
          await engine.up();
          await expectClean(true, "create", outcome, [
            ["connection reset", "ServicePrincipalDelegatedPermissionGrant"],
          ]);
          await engine.destroy();
        },
        stepTimeout,
      );

      it(
        "create: a lost answer to POST /applications leaves one orphan registration, as the azuread provider does upstream",
        async () => {
          const outcome = await withFaults([{ method: "POST", path: appPath, drop: "afterCommit" }], () => engine.up());
          expect(outcome).toMatch(/^failed: /);
          await engine.up();
          const result = await tally(true);
          // go-azure-sdk does not send a POST again after a lost answer, and terraform-provider-azuread records no
          // id for a create that returned an error: the next run makes a second registration and the first is
          // left in the tenant. Nothing of ours is involved; the cell keeps the behaviour visible.
          record("committed, response lost (upstream: orphan)", "ApplicationRegistration", "create", outcome, result);
          expect(result.orphans).toBe(1);
          expect(result.duplicates).toBe(1);
          // Tidy the orphan so the rest of the run starts clean.
          const ids = await stateIds();
          for (const app of entraObjects().apps)
            if (!ids.apps.includes(app.id)) directory().applications.delete(app.id);
          await engine.destroy();
          expect(await tally(false)).toEqual({ duplicates: 0, orphans: 0, converged: true });
        },
        stepTimeout,
      );
    },
  );
