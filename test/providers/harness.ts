import type * as pulumi from "@pulumi/pulumi";
import { resetManagementApiRegistry } from "../../providers/logto/client";
import { configureFromStack } from "../../providers/logto/support";
import { LogtoStandIn, startLogtoStandIn } from "../standins/logto";
import { startEntraStandIn, type EntraStandIn } from "../standins/entra";

export interface ProviderHarness {
  logto: LogtoStandIn;
  entra: EntraStandIn;
  issuer: string;
  /** Stack config as the engine hands it to `configure`. */
  config: Record<string, string>;
  /** Clears stand-in state and re-configures the provider registry. */
  reset(overrides?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export function stackConfig(values: Record<string, string>): pulumi.dynamic.Config {
  return {
    get: (key) => values[key],
    require: (key) => {
      const value = values[key];
      if (value === undefined) throw new Error(`Missing required configuration key: ${key}`);
      return value;
    },
  };
}

/** A Logto stand-in plus an Entra issuer, and the provider configured against them with fast retries. */
export async function startProviderHarness(): Promise<ProviderHarness> {
  const tenantId = "11111111-2222-3333-4444-555555555555";
  const entra = await startEntraStandIn({ tenants: [tenantId] });
  const logto = await startLogtoStandIn({ issuerFetchTimeoutMs: 500, trustedCaPem: entra.caPem });
  const harness: ProviderHarness = {
    logto,
    entra,
    issuer: entra.issuerFor(tenantId),
    config: {},
    async reset(overrides = {}) {
      logto.reset();
      resetManagementApiRegistry();
      harness.config = {
        "logto:endpoint": logto.url,
        "logto:m2mAppId": logto.m2mAppId,
        "logto:m2mAppSecret": logto.m2mAppSecret,
        "logto:requestTimeoutMs": "2000",
        "logto:maxAttempts": "4",
        "logto:retryBaseDelayMs": "10",
        "logto:retryBudgetMs": "5000",
        ...overrides,
      };
      await configureFromStack({ config: stackConfig(harness.config) });
    },
    async close() {
      resetManagementApiRegistry();
      await Promise.all([logto.close(), entra.close()]);
    },
  };
  await harness.reset();
  return harness;
}

/** Requests the provider sent to the stand-in, as `METHOD path` lines (token requests included). */
export function calls(logto: LogtoStandIn): string[] {
  return logto.requests.map((r) => `${r.method} ${r.path}`);
}

export function writeCalls(logto: LogtoStandIn): string[] {
  return calls(logto).filter((line) => !line.startsWith("GET ") && !line.startsWith("POST /oidc/token"));
}

/** Runs `action` and returns its error; fails the test when it does not throw. */
export async function failureOf(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error("expected the call to fail, it succeeded");
}
