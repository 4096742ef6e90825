import type * as pulumi from "@pulumi/pulumi";
import { logtoEndpointProblems, urlProblems } from "./validation";

/** Where the Management API is and how to authenticate to it. Never stored in resource inputs or state. */
export interface ManagementApiSettings {
  /** Logto endpoint origin, e.g. https://auth.example.com (no trailing slash). */
  endpoint: string;
  m2mAppId: string;
  m2mAppSecret: string;
  /** API resource indicator the M2M token is requested for. */
  resource: string;
  /** Per-request timeout. Saving a connector waits for Logto's issuer discovery (about 3 s when it fails). */
  requestTimeoutMs: number;
  /** Attempts per request for retryable failures (429, 502-504, connection errors), first one included. */
  maxAttempts: number;
  /** First backoff delay; doubled per attempt, with full jitter. */
  retryBaseDelayMs: number;
  /** Upper bound for all attempts and backoff of one request. */
  retryBudgetMs: number;
  /**
   * The opt-in to move to another Logto on purpose: objects recorded at this origin that the configured Logto
   * does not hold are replaced (deleted there, made anew at `endpoint`) instead of refused.
   */
  moveFromEndpoint?: string;
  /** Logto origins no app sends users to any more: callback URIs under them are no longer kept registered. */
  retiredOrigins: string[];
}

/** Stack config keys (namespace `logto`) and the environment variables used when a key is absent. */
export const settingKeys = {
  endpoint: { config: "logto:endpoint", env: "LOGTO_ENDPOINT" },
  m2mAppId: { config: "logto:m2mAppId", env: "LOGTO_M2M_APP_ID" },
  m2mAppSecret: { config: "logto:m2mAppSecret", env: "LOGTO_M2M_APP_SECRET" },
  resource: { config: "logto:managementApiResource", env: "LOGTO_MANAGEMENT_API_RESOURCE" },
  tenantId: { config: "logto:tenantId", env: "LOGTO_TENANT_ID" },
  requestTimeoutMs: { config: "logto:requestTimeoutMs", env: "LOGTO_REQUEST_TIMEOUT_MS" },
  maxAttempts: { config: "logto:maxAttempts", env: "LOGTO_MAX_ATTEMPTS" },
  retryBaseDelayMs: { config: "logto:retryBaseDelayMs", env: "LOGTO_RETRY_BASE_DELAY_MS" },
  retryBudgetMs: { config: "logto:retryBudgetMs", env: "LOGTO_RETRY_BUDGET_MS" },
  moveFromEndpoint: { config: "logto:moveFromEndpoint", env: "LOGTO_MOVE_FROM_ENDPOINT" },
  retiredOrigins: { config: "logto:retiredOrigins", env: "LOGTO_RETIRED_ORIGINS" },
} as const;

type SettingName = keyof typeof settingKeys;

/** Reads one setting from stack config first, then from the environment. */
export type SettingSource = (name: SettingName) => string | undefined;

export function settingSource(config: pulumi.dynamic.Config | undefined, env: NodeJS.ProcessEnv): SettingSource {
  return (name) => {
    const fromConfig = config?.get(settingKeys[name].config);
    const value = fromConfig !== undefined && fromConfig !== "" ? fromConfig : env[settingKeys[name].env];
    return value === undefined || value === "" ? undefined : value;
  };
}

/** The Logto Cloud tenant an endpoint names (`{tenant}.logto.app`); undefined for any other host. */
export function cloudTenantOf(endpoint: string): string | undefined {
  return /^([a-z0-9]+)\.logto\.app$/.exec(new URL(endpoint).hostname.toLowerCase())?.[1];
}

/** The Management API resource indicator of a Logto Cloud tenant, or of a self-hosted Logto (`default`). */
export function managementApiResourceFor(tenantId: string | undefined): string {
  return `https://${tenantId ?? "default"}.logto.app/api`;
}

/**
 * The resource indicator of the Management API: Logto Cloud tenants (`{tenant}.logto.app`) use their own
 * tenant id, self-hosted Logto uses `default`. A Cloud tenant behind a custom domain needs logto:tenantId.
 */
export function defaultManagementApiResource(endpoint: string): string {
  return managementApiResourceFor(cloudTenantOf(endpoint));
}

function describeKey(name: SettingName): string {
  return `${settingKeys[name].config} (or env ${settingKeys[name].env})`;
}

function positiveInteger(read: SettingSource, name: SettingName, fallback: number, problems: string[]): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    problems.push(`${describeKey(name)} is "${raw}": it must be a whole number of at least 1.`);
    return fallback;
  }
  return value;
}

/** An origin (scheme, host, port), read from `raw`; a problem for anything else. */
function readOrigin(name: SettingName, raw: string, problems: string[]): string | undefined {
  const issues = urlProblems(describeKey(name), raw, { allowPath: false, allowTrailingSlash: false });
  problems.push(...issues.map((issue) => `${issue} Fix: pulumi config set ${settingKeys[name].config} <origin>.`));
  return issues.length === 0 ? new URL(raw).origin : undefined;
}

/** A comma- or space-separated list of origins. */
function readOrigins(read: SettingSource, name: SettingName, problems: string[]): string[] {
  const raw = read(name);
  if (raw === undefined) return [];
  return raw
    .split(/[\s,]+/)
    .filter((item) => item !== "")
    .flatMap((item) => readOrigin(name, item, problems) ?? []);
}

/** A setting that must be given: a problem saying how when it is not. */
function required(read: SettingSource, name: SettingName, howToSet: string, problems: string[]): string | undefined {
  const value = read(name);
  if (value === undefined) problems.push(`${describeKey(name)} is not set: ${howToSet}.`);
  return value;
}

/**
 * Resolves and validates the Management API settings. Throws one error listing every problem; the M2M
 * secret's value is never part of a message.
 */
export function resolveManagementApiSettings(read: SettingSource): ManagementApiSettings {
  const problems: string[] = [];
  const endpointRaw = required(
    read,
    "endpoint",
    "run `pulumi config set logto:endpoint https://<your-logto-host>`",
    problems,
  );
  const endpointIssues =
    endpointRaw === undefined
      ? []
      : logtoEndpointProblems(describeKey("endpoint"), endpointRaw, "Fix: pulumi config set logto:endpoint <origin>.");
  problems.push(...endpointIssues);
  const endpoint = endpointRaw !== undefined && endpointIssues.length === 0 ? new URL(endpointRaw).origin : "";
  const m2mAppId = required(
    read,
    "m2mAppId",
    "create a machine-to-machine app with the Logto Management API role and run `pulumi config set logto:m2mAppId <app id>`",
    problems,
  );
  const m2mAppSecret = required(
    read,
    "m2mAppSecret",
    "run `pulumi config set --secret logto:m2mAppSecret <secret>`",
    problems,
  );
  const tenantId = read("tenantId");
  if (tenantId !== undefined && !/^[a-z0-9]+$/.test(tenantId)) {
    problems.push(
      `${describeKey("tenantId")} is "${tenantId}": give the Logto Cloud tenant id (lowercase letters and digits, shown in the Logto Console under Tenant settings).`,
    );
  }
  const explicitResource = read("resource");
  const tenantResource = tenantId === undefined ? undefined : managementApiResourceFor(tenantId);
  if (explicitResource !== undefined && tenantResource !== undefined && explicitResource !== tenantResource) {
    problems.push(
      `${describeKey("resource")} is "${explicitResource}" but ${describeKey("tenantId")} is "${tenantId}", whose resource is ${tenantResource}: set only one of them.`,
    );
  }
  const settings: ManagementApiSettings = {
    endpoint,
    m2mAppId: m2mAppId ?? "",
    m2mAppSecret: m2mAppSecret ?? "",
    resource: explicitResource ?? tenantResource ?? (endpoint ? defaultManagementApiResource(endpoint) : ""),
    requestTimeoutMs: positiveInteger(read, "requestTimeoutMs", 20_000, problems),
    maxAttempts: positiveInteger(read, "maxAttempts", 5, problems),
    retryBaseDelayMs: positiveInteger(read, "retryBaseDelayMs", 250, problems),
    retryBudgetMs: positiveInteger(read, "retryBudgetMs", 60_000, problems),
    retiredOrigins: readOrigins(read, "retiredOrigins", problems),
  };
  const moveFrom = read("moveFromEndpoint");
  const moveFromEndpoint = moveFrom === undefined ? undefined : readOrigin("moveFromEndpoint", moveFrom, problems);
  if (moveFromEndpoint !== undefined) settings.moveFromEndpoint = moveFromEndpoint;
  if (problems.length > 0) {
    throw new Error(
      `Logto Management API settings are incomplete (see docs/configuration.md#logto-provider-settings):\n  - ${problems.join("\n  - ")}`,
    );
  }
  return settings;
}
