/**
 * One benchmark cell: a stack of N managed connections of the product's program (Entra side included, the
 * sample app off) on one Logto stand-in and one Entra stand-in with N tenants, and the baseline stack of the
 * same graph, each taken through the six operations, timed, its calls counted.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { createEngineSandbox, repoRoot, stateResources, type EngineSandbox } from "../local/engine/engine";
import {
  applyLocalStackConfig,
  localConnection,
  localEngineEnv,
  localStackConfig,
  startLocalStandIns,
  type LocalStandIns,
} from "../local/stack";
import { countCalls, operations, type CallCounts, type LogtoObjects, type Operation } from "./counts";
import { graphShape, type ExportedResource } from "./shape";

export const baselineProgramDir = path.join(repoRoot, "bench/baseline");

export interface OperationSample {
  operation: Operation;
  seconds: number;
  logto?: CallCounts;
  graph?: CallCounts;
}

export interface StackRun {
  samples: OperationSample[];
  /** Bytes of the exported state after `up`. */
  stateBytes: number;
  /** Resources in the state after `up` (the stack and providers included). */
  resources: number;
}

export interface ProductRun extends StackRun {
  logtoObjects: LogtoObjects;
  /** Logto and Entra objects left after destroy that the stack had made: must be none. */
  leftAfterDestroy: string[];
}

/** Tenant ids of a run with `count` tenants: GUIDs that say which connection they belong to. */
export function benchTenantIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `00000000-0000-4000-8000-${String(index + 1).padStart(12, "0")}`);
}

export function connectionName(index: number): string {
  return `t${String(index + 1).padStart(2, "0")}`;
}

async function timed<Result>(perform: () => Promise<Result>): Promise<number> {
  const started = process.hrtime.bigint();
  await perform();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function perform(engine: EngineSandbox, operation: Operation, destroyParallel: number | undefined): Promise<unknown> {
  switch (operation) {
    case "up":
    case "up (no-op)":
      return engine.up();
    case "preview":
      return engine.preview();
    case "preview --refresh":
      return engine.preview({ refresh: true });
    case "refresh":
      return engine.refresh();
    case "destroy":
      return engine.destroy({ parallel: destroyParallel });
  }
}

function lastSequence(standIns: LocalStandIns): number {
  const last = (log: readonly { sequence: number }[]) => log.at(-1)?.sequence ?? 0;
  return Math.max(last(standIns.logto.requests), last(standIns.entra.requests));
}

/** What is left after destroy: the stand-ins serve only this run, so any object is the stack's. */
function leftovers(standIns: LocalStandIns, tenantIds: readonly string[]): string[] {
  const left: string[] = [];
  for (const connector of standIns.logto.state.ssoConnectors.values())
    left.push(`Logto connector ${connector.connectorName}`);
  for (const application of standIns.logto.state.applications.values())
    left.push(`Logto application ${application.name}`);
  for (const tenantId of tenantIds) {
    for (const application of standIns.entra.tenant(tenantId).applications.values()) {
      if (application.displayName?.endsWith("(Logto SSO)"))
        left.push(`Entra app ${application.displayName} in ${tenantId}`);
    }
  }
  return left;
}

function logtoObjects(standIns: LocalStandIns): LogtoObjects {
  const { state } = standIns.logto;
  const secrets = [...state.applications.keys()].reduce((sum, id) => sum + state.secretsOf(id).length, 0);
  return {
    addressable: state.ssoConnectors.size + state.applications.size,
    applications: state.applications.size,
    secrets,
    switches: 1,
  };
}

/**
 * managed: the stack makes each tenant's app registration (the Entra side included); provided: the customer
 * made it, the stack makes only the Logto side, so the run measures the Logto provider alone.
 */
export type BenchMode = "managed" | "provided";
export const benchModes: readonly BenchMode[] = ["managed", "provided"];

function benchStackConfig(standIns: LocalStandIns, count: number, mode: BenchMode) {
  const tenantIds = benchTenantIds(count);
  if (mode === "managed") {
    return localStackConfig(standIns, {
      connections: tenantIds.map((tenantId, index) => localConnection(connectionName(index), tenantId)),
    });
  }
  // A customer's app registration is only a client id and secret to this stack; the Logto stand-in checks
  // the issuer (the tenant's discovery document), not the client.
  const connections = tenantIds.map((tenantId, index) =>
    localConnection(connectionName(index), tenantId, { mode: "provided", clientId: randomUUID() }),
  );
  const config = localStackConfig(standIns, { connections });
  connections.forEach((_, index) => {
    config.pathSecrets[`logto-entra-sso:connections[${index}].clientSecret`] = {
      value: randomBytes(24).toString("base64url"),
      secret: true,
    };
  });
  return config;
}

/**
 * Takes a fresh stack through every operation, timing each, after `configure`; `countCalls`, called just
 * before an operation, returns what counts the calls it made; `afterUp` sees the state once `up` has made it.
 * The stack is removed however it ends.
 */
async function throughEveryOperation(
  engine: EngineSandbox,
  hooks: {
    configure: () => Promise<void>;
    countCalls?: () => () => Pick<OperationSample, "logto" | "graph">;
    afterUp?: (state: ExportedResource[]) => Promise<void>;
    destroyParallel?: number;
  },
): Promise<StackRun> {
  try {
    await hooks.configure();
    const samples: OperationSample[] = [];
    let stateBytes = 0;
    let resources = 0;
    for (const operation of operations) {
      const callsSince = hooks.countCalls?.();
      const seconds = await timed(() => perform(engine, operation, hooks.destroyParallel));
      samples.push({ operation, seconds, ...callsSince?.() });
      if (operation === "up") {
        const state = await stateResources<ExportedResource>(engine.stack);
        stateBytes = Buffer.byteLength(JSON.stringify(state));
        resources = state.length;
        await hooks.afterUp?.(state);
      }
    }
    return { samples, stateBytes, resources };
  } finally {
    await engine.stack.workspace.removeStack(engine.stackName, { force: true }).catch(() => undefined);
    await engine.dispose();
  }
}

/** The product's stack of `count` connections through every operation; writes the graph's shape to `shapeFile`. */
export async function runProduct(
  standIns: LocalStandIns,
  options: { count: number; mode: BenchMode; stackName: string; shapeFile: string; destroyParallel?: number },
): Promise<ProductRun> {
  const { count, mode, stackName, shapeFile, destroyParallel } = options;
  const engine = await createEngineSandbox(stackName, repoRoot, localEngineEnv(standIns));
  let objects: LogtoObjects = { addressable: 0, applications: 0, secrets: 0, switches: 1 };
  const run = await throughEveryOperation(engine, {
    destroyParallel,
    configure: () => applyLocalStackConfig(engine.stack, benchStackConfig(standIns, count, mode)),
    countCalls() {
      const before = lastSequence(standIns);
      return () => ({
        logto: countCalls(standIns.logto.requests, before),
        graph: countCalls(standIns.entra.requests, before),
      });
    },
    async afterUp(state) {
      objects = logtoObjects(standIns);
      await writeFile(shapeFile, JSON.stringify(graphShape(state)));
    },
  });
  return { ...run, logtoObjects: objects, leftAfterDestroy: leftovers(standIns, benchTenantIds(count)) };
}

/** The baseline stack of the graph in `shapeFile` through every operation. */
export async function runBaseline(shapeFile: string, stackName: string, destroyParallel?: number): Promise<StackRun> {
  const engine = await createEngineSandbox(stackName, baselineProgramDir);
  return throughEveryOperation(engine, {
    destroyParallel,
    configure: () => engine.stack.setConfig("bench:shapeFile", { value: shapeFile }),
  });
}

export function uniqueStackName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 6)}`;
}

export { startLocalStandIns };
