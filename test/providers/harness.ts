import type * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import type { ApplicationInputs } from "../../providers/logto/application/schema";
import type { SsoConnectorInputs } from "../../providers/logto/ssoConnector/schema";
import { resetManagementApiRegistry } from "../../providers/logto/registry";
import { configureFromStack } from "../../providers/logto/support";
import { LogtoStandIn, startLogtoStandIn } from "../../local/standins/logto";
import { startEntraStandIn, type EntraStandIn } from "../../local/standins/entra";

export interface ProviderHarness {
  logto: LogtoStandIn;
  entra: EntraStandIn;
  issuer: string;
  /** Stack config as the engine hands it to `configure`. */
  config: Record<string, string>;
  /** Clears stand-in state and re-configures the provider registry. */
  reset(overrides?: Record<string, string>): Promise<void>;
  /** Re-configures the provider registry only (a changed stack config); the stand-in keeps its state. */
  configure(overrides: Record<string, string>): Promise<void>;
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
      await harness.configure(overrides);
    },
    async configure(overrides) {
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
    throw new Error(`threw a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error("expected the call to fail, it succeeded");
}

/** A connector as the program declares it, against this harness's Logto and issuer. */
export function connectorInputs(h: ProviderHarness, overrides: Partial<SsoConnectorInputs> = {}): SsoConnectorInputs {
  return {
    providerName: "AzureAdOidc",
    connectorName: "contoso",
    config: { clientId: "client", clientSecret: "entra-secret-value", issuer: h.issuer },
    domains: ["contoso.com"],
    branding: {},
    syncProfile: false,
    enableTokenStorage: false,
    adoptExisting: false,
    deleteAdoptedOnDestroy: false,
    endpoint: h.logto.url,
    allowUserRelink: false,
    clientOwnership: "external",
    // What check records: the stand-in's issuer is {its url}/oidc.
    publicOrigin: h.logto.url,
    formerPublicOrigins: [],
    ...overrides,
  };
}

/** A Traditional web application as the program declares it. */
export function applicationInputs(h: ProviderHarness, overrides: Partial<ApplicationInputs> = {}): ApplicationInputs {
  return {
    name: "sample-web",
    description: "",
    redirectUris: ["https://app.example.com/callback"],
    postLogoutRedirectUris: ["https://app.example.com/"],
    corsAllowedOrigins: [],
    adoptExisting: false,
    deleteAdoptedOnDestroy: false,
    endpoint: h.logto.url,
    ...overrides,
  };
}

/** What the providers tell the person running Pulumi (their `notice` lines) while `action` runs. */
export async function noticesDuring(action: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  try {
    await action();
  } finally {
    spy.mockRestore();
  }
  return lines;
}
