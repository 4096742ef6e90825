/**
 * The fault matrix, Logto side: each fault at create, update and delete of each Logto resource kind, through
 * the providers as the engine's provider process runs them, against the Logto stand-in. A cell passes when
 * the operation succeeds or fails with one clear line (no stack, no secret), and the next `pulumi up` (for a
 * failed create: create again, as no state was written; for a failed update or delete: the same call again,
 * the state being unchanged) converges with no duplicate and no orphan in the stand-in's state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applicationProvider } from "../../providers/logto/application/provider";
import { type ApplicationOutputs } from "../../providers/logto/application/schema";
import { applicationSecretProvider } from "../../providers/logto/applicationSecret/provider";
import { type ApplicationSecretOutputs } from "../../providers/logto/applicationSecret/schema";
import { signInExperienceSsoProvider } from "../../providers/logto/signInExperience/provider";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector/provider";
import { type SsoConnectorOutputs } from "../../providers/logto/ssoConnector/schema";
import { applicationInputs, connectorInputs, startProviderHarness, type ProviderHarness } from "../providers/harness";
import { printCells, type Cell } from "./table";

type Operation = "create" | "update" | "delete";
type Kind = "SsoConnector" | "Application" | "ApplicationSecret" | "SignInExperienceSso";

/** A fault as the matrix names it, and how to arm it at one request (method + path). */
interface Fault {
  name: string;
  arm(h: ProviderHarness, target: { method: string; path: RegExp }): void;
  /** Where it applies (issuer discovery only where Logto fetches the issuer). */
  appliesTo?: (kind: Kind, operation: Operation) => boolean;
}

const requestTimeoutMs = 400;
const clientSecret = "entra-client-secret-for-faults-0001";

const faults: Fault[] = [
  {
    name: "429 storm with Retry-After",
    arm: (h, target) => h.logto.faults.add({ ...target, status: 429, retryAfterSeconds: 1, times: 2 }),
  },
  { name: "5xx burst", arm: (h, target) => h.logto.faults.add({ ...target, status: 503, times: 3 }) },
  { name: "connection reset", arm: (h, target) => h.logto.faults.add({ ...target, drop: "before", times: 2 }) },
  // Logto carries it out after the client gave up waiting: the outcome is unknown to the provider.
  { name: "timeout", arm: (h, target) => h.logto.faults.add({ ...target, delayMs: requestTimeoutMs * 1.5 }) },
  { name: "token expiry mid-run", arm: (h) => h.logto.revokeAllTokens() },
  { name: "committed, response lost", arm: (h, target) => h.logto.faults.add({ ...target, drop: "afterCommit" }) },
  {
    name: "issuer discovery down",
    arm: (h) => h.entra.faults.add({ path: /\/\.well-known\/openid-configuration$/, status: 503, times: Infinity }),
    appliesTo: (kind, operation) => kind === "SsoConnector" && operation !== "delete",
  },
];

/** What a cell needs: the state before, the request the fault hits, the operation, and the stand-in's truth after. */
interface Scenario {
  /** Makes what must exist before (for update and delete), returning the engine's state of it. */
  setUp(h: ProviderHarness): Promise<{ id: string; outs: Record<string, unknown> }>;
  target(state: { id: string }): { method: string; path: RegExp };
  /** The operation as the engine calls it; returns the new state (undefined when deleted). */
  run(h: ProviderHarness, state: { id: string; outs: Record<string, unknown> }): Promise<{ id: string } | undefined>;
  /** Objects of this kind the stand-in holds that the cell is about, by id. */
  live(h: ProviderHarness, state: { id: string }): string[];
  /** Whether the live object is as the operation meant it (after update). */
  asMeant?(h: ProviderHarness, id: string): boolean;
}

/** What the engine records after a create: its id and outputs. */
async function engineState(
  created: Promise<pulumi.dynamic.CreateResult>,
): Promise<{ id: string; outs: Record<string, unknown> }> {
  const { id, outs } = await created;
  return { id, outs: (outs ?? {}) as Record<string, unknown> };
}

const exact = (path: string) => new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

function connectorScenario(h: ProviderHarness, operation: Operation): Scenario {
  const declared = connectorInputs(h, {
    connectorName: "faults-contoso",
    config: { clientId: "client-1", clientSecret, issuer: h.issuer, scope: "User.Read" },
  });
  const live = (harness: ProviderHarness) =>
    [...harness.logto.state.ssoConnectors.values()]
      .filter((row) => row.connectorName === "faults-contoso")
      .map((row) => row.id);
  if (operation === "create") {
    return {
      setUp: async () => ({ id: "", outs: {} }),
      target: () => ({ method: "POST", path: exact("/api/sso-connectors") }),
      run: async () => ssoConnectorProvider.create(declared),
      live,
    };
  }
  const setUp = () => engineState(ssoConnectorProvider.create(declared));
  if (operation === "update") {
    const news = { ...declared, domains: ["contoso.com", "contoso.example"] };
    return {
      setUp,
      target: (state) => ({ method: "PATCH", path: exact(`/api/sso-connectors/${state.id}`) }),
      run: async (_h, state) => {
        await ssoConnectorProvider.update!(state.id, state.outs as unknown as SsoConnectorOutputs, news);
        return state;
      },
      live,
      asMeant: (harness, id) => harness.logto.state.ssoConnectors.get(id)?.domains.length === 2,
    };
  }
  return {
    setUp,
    target: (state) => ({ method: "DELETE", path: exact(`/api/sso-connectors/${state.id}`) }),
    run: async (_h, state) => {
      await ssoConnectorProvider.delete!(state.id, state.outs as unknown as SsoConnectorOutputs);
      return undefined;
    },
    live,
  };
}

function applicationScenario(h: ProviderHarness, operation: Operation): Scenario {
  const declared = applicationInputs(h, { name: "faults-web" });
  const live = (harness: ProviderHarness) =>
    [...harness.logto.state.applications.values()].filter((row) => row.name === "faults-web").map((row) => row.id);
  const setUp = () => engineState(applicationProvider.create(declared));
  if (operation === "create") {
    return {
      setUp: async () => ({ id: "", outs: {} }),
      target: () => ({ method: "POST", path: exact("/api/applications") }),
      run: async () => applicationProvider.create(declared),
      live,
    };
  }
  if (operation === "update") {
    const news = { ...declared, redirectUris: ["https://app.example.com/callback", "https://app.example.com/other"] };
    return {
      setUp,
      target: (state) => ({ method: "PATCH", path: exact(`/api/applications/${state.id}`) }),
      run: async (_h, state) => {
        await applicationProvider.update!(state.id, state.outs as unknown as ApplicationOutputs, news);
        return state;
      },
      live,
      asMeant: (harness, id) => harness.logto.state.applications.get(id)?.oidcClientMetadata.redirectUris.length === 2,
    };
  }
  return {
    setUp,
    target: (state) => ({ method: "DELETE", path: exact(`/api/applications/${state.id}`) }),
    run: async (_h, state) => {
      await applicationProvider.delete!(state.id, state.outs as unknown as ApplicationOutputs);
      return undefined;
    },
    live,
  };
}

function secretScenario(h: ProviderHarness, operation: Exclude<Operation, "update">): Scenario {
  let applicationId = "";
  const inputs = () => ({ applicationId, name: "pulumi-managed-1", removeDefaultSecret: true, endpoint: h.logto.url });
  const live = (harness: ProviderHarness) =>
    harness.logto.state
      .secretsOf(applicationId)
      .filter((row) => row.name === "pulumi-managed-1")
      .map((row) => row.name);
  const makeApplication = async () => {
    applicationId = (await applicationProvider.create(applicationInputs(h, { name: "faults-secret-owner" }))).id;
  };
  if (operation === "create") {
    return {
      setUp: async () => {
        await makeApplication();
        return { id: "", outs: {} };
      },
      target: () => ({ method: "POST", path: exact(`/api/applications/${applicationId}/secrets`) }),
      run: async () => applicationSecretProvider.create(inputs()),
      live,
    };
  }
  return {
    setUp: async () => {
      await makeApplication();
      return engineState(applicationSecretProvider.create(inputs()));
    },
    target: () => ({ method: "DELETE", path: new RegExp(`^/api/applications/${applicationId}/secrets/`) }),
    run: async (_h, state) => {
      await applicationSecretProvider.delete!(state.id, state.outs as unknown as ApplicationSecretOutputs);
      return undefined;
    },
    live,
  };
}

function switchScenario(h: ProviderHarness, operation: Operation): Scenario {
  const inputs = { enabled: true, endpoint: h.logto.url };
  const live = (harness: ProviderHarness) => (harness.logto.state.signInExperience.singleSignOnEnabled ? ["on"] : []);
  const target = () => ({ method: "PATCH", path: exact("/api/sign-in-exp") });
  if (operation === "create") {
    return {
      setUp: async () => ({ id: "", outs: {} }),
      target,
      run: async () => signInExperienceSsoProvider.create(inputs),
      live,
    };
  }
  const setUp = () => engineState(signInExperienceSsoProvider.create({ enabled: false, endpoint: h.logto.url }));
  if (operation === "update") {
    return {
      setUp,
      target,
      run: async (_h, state) => {
        await signInExperienceSsoProvider.update!(state.id, { enabled: false, endpoint: h.logto.url }, inputs);
        return state;
      },
      live,
      asMeant: (harness) => harness.logto.state.signInExperience.singleSignOnEnabled,
    };
  }
  return {
    setUp: () => engineState(signInExperienceSsoProvider.create(inputs)),
    target,
    run: async (_h, state) => {
      await signInExperienceSsoProvider.delete!(state.id, { enabled: true, endpoint: h.logto.url, ...state.outs });
      return undefined;
    },
    live,
  };
}

function scenario(h: ProviderHarness, kind: Kind, operation: Operation): Scenario | undefined {
  switch (kind) {
    case "SsoConnector":
      return connectorScenario(h, operation);
    case "Application":
      return applicationScenario(h, operation);
    case "ApplicationSecret":
      return operation === "update" ? undefined : secretScenario(h, operation);
    case "SignInExperienceSso":
      return switchScenario(h, operation);
  }
}

/** Waits (up to 5 s) until Logto has answered or dropped every request it received. */
async function settled(harness: ProviderHarness): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (harness.logto.requests.some((entry) => entry.answeredAt === undefined) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The error as the person running Pulumi reads it: one line, naming no secret. */
function oneClearLine(error: unknown, secrets: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  expect(message, "one line").not.toMatch(/\n/);
  expect(message.length, "a message").toBeGreaterThan(20);
  for (const secret of secrets) expect(message, "no secret in the message").not.toContain(secret);
  return message;
}

const kinds: Kind[] = ["SsoConnector", "Application", "ApplicationSecret", "SignInExperienceSso"];
const operations: Operation[] = ["create", "update", "delete"];
const cells: Cell[] = [];
let h: ProviderHarness;

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => {
  printCells("Logto fault matrix", cells);
  await h.close();
});

describe("fault matrix: Logto", () => {
  for (const kind of kinds) {
    for (const operation of operations) {
      for (const fault of faults) {
        if (fault.appliesTo && !fault.appliesTo(kind, operation)) continue;
        if (kind === "ApplicationSecret" && operation === "update") continue;
        it(`${kind} ${operation}: ${fault.name}`, async () => {
          await h.reset({ "logto:requestTimeoutMs": String(requestTimeoutMs) });
          h.entra.faults.clear();
          const cellScenario = scenario(h, kind, operation)!;
          const before = await cellScenario.setUp(h);
          fault.arm(h, cellScenario.target(before));

          let outcome: string;
          let state: { id: string } | undefined = operation === "create" ? undefined : before;
          try {
            const after = await cellScenario.run(h, before);
            state = after;
            outcome = "succeeded";
          } catch (error) {
            outcome = `failed: ${oneClearLine(error, [h.logto.m2mAppSecret, clientSecret])}`;
          }

          // The fault met its request (a cell whose fault never fired would prove nothing).
          expect(h.logto.faults.pending, "the fault was used").toEqual([]);
          // A request the client gave up on may still be carried out by Logto: wait for it, as the next run would.
          await settled(h);

          // The next `pulumi up`, the fault gone: only what is left unfinished is done again.
          h.logto.faults.clear();
          h.entra.faults.clear();
          if (outcome !== "succeeded") {
            const again = await cellScenario.run(h, before);
            state = operation === "delete" ? undefined : again;
          }

          await settled(h);
          const live = cellScenario.live(h, state ?? before);
          const expected = operation === "delete" ? 0 : 1;
          // Objects with their own id must be the one in the state; a secret or the switch is one by its name.
          const addressable = kind === "SsoConnector" || kind === "Application";
          const duplicates = Math.max(0, live.length - 1);
          const orphans =
            operation === "delete" ? live.length : addressable ? live.filter((id) => id !== state?.id).length : 0;
          cells.push({
            fault: fault.name,
            kind,
            operation,
            outcome,
            converged: live.length === expected && orphans === 0,
            duplicates,
            orphans,
          });
          expect(live, `${kind} after the next up`).toHaveLength(expected);
          if (addressable && operation !== "delete") expect(live).toEqual([state?.id]);
          if (cellScenario.asMeant && state) expect(cellScenario.asMeant(h, state.id), "the change is made").toBe(true);
        }, 30_000);
      }
    }
  }
});
