/**
 * Which Logto the engine tests run against: the in-process stand-in (default), or a developer's own Logto
 * when LOGTO_E2E_ENDPOINT, LOGTO_E2E_M2M_APP_ID and LOGTO_E2E_M2M_APP_SECRET are set. The Entra side is the
 * Entra stand-in either way; a real Logto fetches its discovery over https, so it must trust the stand-in's
 * CA: the stand-in then signs with the CA kept in ENTRA_STANDIN_CA_DIR, which that Logto was started trusting
 * (NODE_EXTRA_CA_CERTS, read once at start; local/README.md gives the order). LOGTO_E2E_ISSUER, optional,
 * names another issuer the Logto can reach instead. Against a real Logto every object gets a unique name, so
 * a shared dev tenant is safe to use.
 */
import { randomBytes } from "node:crypto";
import { startEntraStandIn, type EntraStandIn } from "../standins/entra";
import { startLogtoStandIn, type LogtoStandIn } from "../standins/logto";
import { ManagementApiAccess, Tenant, runScoped, tenantOf } from "./tenant";

export const realLogtoVariables = {
  endpoint: "LOGTO_E2E_ENDPOINT",
  m2mAppId: "LOGTO_E2E_M2M_APP_ID",
  m2mAppSecret: "LOGTO_E2E_M2M_APP_SECRET",
} as const;
/** Optional with a real Logto: an OIDC issuer it can reach, used instead of the Entra stand-in's. */
export const realLogtoIssuerVariable = "LOGTO_E2E_ISSUER";
/** The kept CA a real Logto trusts; the Entra stand-in signs with it (local/standins/entra/tls.ts). */
export const keptCaVariable = "ENTRA_STANDIN_CA_DIR";

export interface RealLogto extends ManagementApiAccess {
  issuer?: string;
}

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
export function realLogtoFromEnv(env: NodeJS.ProcessEnv): RealLogto | undefined {
  const values = Object.fromEntries(
    Object.entries(realLogtoVariables).map(([field, name]) => [field, env[name] ?? ""]),
  ) as Record<keyof typeof realLogtoVariables, string>;
  const missing = Object.entries(realLogtoVariables)
    .filter(([field]) => values[field as keyof typeof realLogtoVariables] === "")
    .map(([, name]) => name);
  if (missing.length === Object.keys(realLogtoVariables).length) return undefined;
  if (missing.length > 0) {
    throw new Error(
      `Runs against a real Logto need ${Object.values(realLogtoVariables).join(", ")}; missing: ${missing.join(", ")}. ` +
        "Set all of them, or none to use the Logto stand-in.",
    );
  }
  const issuer = env[realLogtoIssuerVariable];
  return { ...values, endpoint: new URL(values.endpoint).origin, ...(issuer ? { issuer } : {}) };
}

/**
 * The Entra stand-in a real Logto can reach: signed with the kept CA (ENTRA_STANDIN_CA_DIR), which that Logto
 * must have been started trusting. Without the variable it says what to do, in order.
 */
export async function startEntraForRealLogto(
  options: Parameters<typeof startEntraStandIn>[0],
  env: NodeJS.ProcessEnv = process.env,
): Promise<EntraStandIn> {
  const caDir = env[keptCaVariable];
  if (!caDir) {
    throw new Error(
      `A real Logto reaches the Entra stand-in over https only if it trusts the stand-in's CA: set ${keptCaVariable} ` +
        "to a directory for a kept CA, run once to create it (or see local/README.md), start Logto with " +
        "NODE_EXTRA_CA_CERTS=<system CAs + $ENTRA_STANDIN_CA_DIR/ca.pem>, then run again " +
        `(or set ${realLogtoIssuerVariable} to an issuer that Logto already trusts).`,
    );
  }
  return startEntraStandIn({ ...options, caDir });
}

export async function openLogtoTarget(env: NodeJS.ProcessEnv = process.env): Promise<LogtoTarget> {
  const names = namesFor(uniqueSuffix());
  const entraTenantId = "8f0c1c2e-7d4a-4a52-9a55-2d1f3b6c9e01";
  const real = realLogtoFromEnv(env);
  if (real?.issuer) {
    const { issuer, ...access } = real;
    return { ...access, issuer, tenant: runScoped(tenantOf(access), names.suffix), names, close: async () => {} };
  }
  if (real) {
    const entra = await startEntraForRealLogto({ tenants: [entraTenantId] }, env);
    return {
      ...real,
      issuer: entra.issuerFor(entraTenantId),
      issuerCaPem: entra.caPem,
      tenant: runScoped(tenantOf(real), names.suffix),
      names,
      close: () => entra.close(),
    };
  }
  // Short issuer discovery timeout: a failing discovery should fail a test quickly, not in Logto's 3 s.
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
