/**
 * Which Logto the engine tests run against: the in-process stand-in (default), or a developer's own Logto
 * when LOGTO_E2E_ENDPOINT, LOGTO_E2E_M2M_APP_ID, LOGTO_E2E_M2M_APP_SECRET and LOGTO_E2E_ISSUER are all set.
 * Against a real Logto every object gets a unique name, so a shared dev tenant is safe to use.
 */
import { randomBytes } from "node:crypto";
import { startEntraStandIn } from "../standins/entra";
import { startLogtoStandIn, type LogtoStandIn } from "../standins/logto";
import { ManagementApiAccess, Tenant, tenantOf } from "./tenant";

export const realLogtoVariables = {
  endpoint: "LOGTO_E2E_ENDPOINT",
  m2mAppId: "LOGTO_E2E_M2M_APP_ID",
  m2mAppSecret: "LOGTO_E2E_M2M_APP_SECRET",
  issuer: "LOGTO_E2E_ISSUER",
} as const;

export interface LogtoTarget extends ManagementApiAccess {
  /** Present when running over the stand-in: its request log, state and fault hooks. */
  standIn?: LogtoStandIn;
  /** An OIDC issuer the Logto server can fetch the discovery document from. */
  issuer: string;
  /** Over the stand-in: the CA another Logto stand-in must trust to fetch that issuer's discovery document. */
  issuerCaPem?: string;
  tenant: Tenant;
  /** What this run calls its objects: unique per run. */
  names: { suffix: string; connectorName: string; appName: string; domain: string };
  close(): Promise<void>;
}

/** Lower-case and short: valid in stack names, connector and app names, and DNS labels. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

function namesFor(suffix: string): LogtoTarget["names"] {
  return {
    suffix,
    connectorName: `engine-test-${suffix}`,
    appName: `engine-test-${suffix}`,
    domain: `${suffix}.engine-test.example`,
  };
}

/** The real Logto named by the environment, undefined when none is; a partial setting is an error. */
export function realLogtoFromEnv(env: NodeJS.ProcessEnv): (ManagementApiAccess & { issuer: string }) | undefined {
  const values = Object.fromEntries(
    Object.entries(realLogtoVariables).map(([field, name]) => [field, env[name] ?? ""]),
  ) as Record<keyof typeof realLogtoVariables, string>;
  const missing = Object.entries(realLogtoVariables)
    .filter(([field]) => values[field as keyof typeof realLogtoVariables] === "")
    .map(([, name]) => name);
  if (missing.length === Object.keys(realLogtoVariables).length) return undefined;
  if (missing.length > 0) {
    throw new Error(
      `Engine tests against a real Logto need ${Object.values(realLogtoVariables).join(", ")}; missing: ${missing.join(", ")}. ` +
        "Set all of them (LOGTO_E2E_ISSUER: an OIDC issuer your Logto can reach), or none to use the stand-in.",
    );
  }
  return values;
}

export async function openLogtoTarget(env: NodeJS.ProcessEnv = process.env): Promise<LogtoTarget> {
  const names = namesFor(uniqueSuffix());
  const real = realLogtoFromEnv(env);
  if (real) {
    return { ...real, endpoint: new URL(real.endpoint).origin, tenant: tenantOf(real), names, close: async () => {} };
  }
  // Short issuer discovery timeout: a failing discovery should fail a test quickly, not in Logto's 3 s.
  const entraTenantId = "8f0c1c2e-7d4a-4a52-9a55-2d1f3b6c9e01";
  const entra = await startEntraStandIn({ tenants: [entraTenantId] });
  const standIn = await startLogtoStandIn({ issuerFetchTimeoutMs: 500, trustedCaPem: entra.caPem });
  const access = { endpoint: standIn.url, m2mAppId: standIn.m2mAppId, m2mAppSecret: standIn.m2mAppSecret };
  return {
    ...access,
    standIn,
    issuer: entra.issuerFor(entraTenantId),
    issuerCaPem: entra.caPem,
    tenant: tenantOf(access),
    names,
    async close() {
      await Promise.all([standIn.close(), entra.close()]);
    },
  };
}
