/**
 * The product's program (infra/) on this machine: the Logto and Entra stand-ins on 127.0.0.1, and the stack
 * config a person would write for them (the Logto endpoint and M2M app, the Entra cloud described by the
 * stand-in's metadata host, one connection per tenant signing in with that tenant's deployer credentials).
 * Used by the engine suite, `npm run demo` and the benchmark; `openLocalStack` is the one fixture of a stack of
 * infra/ over them, with its set-up and teardown.
 */
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import { startEntraStandIn, type EntraStandIn, type TestUserSeed } from "./standins/entra";
import { startLogtoStandIn, type LogtoStandIn } from "./standins/logto";
import { createEngineSandbox, removeEngineStack, repoRoot, type EngineSandbox } from "./engine/engine";
import { ensurePluginsOnPath, type PluginsOnPath } from "./engine/plugins";
import { uniqueSuffix } from "./engine/target";

/** Customer tenants of a local run, by connection name. */
export const localTenants = {
  contoso: "6f2c4a1e-8b3d-4e5f-9a7b-1c2d3e4f5a6b",
  fabrikam: "0a9b8c7d-6e5f-4a3b-8c2d-1e0f2a3b4c5d",
} as const;

/** A person who signs in through Entra in a local run: one per tenant, in the connection's email domain. */
export interface LocalUser {
  tenantId: string;
  email: string;
  password: string;
  displayName: string;
}

/** One test user per local tenant, `<first name>@<connection name>.example` (the default domain of localConnection). */
export function localUsers(): LocalUser[] {
  const people = [
    { tenantId: localTenants.contoso, email: "adele@contoso.example", displayName: "Adele Vance" },
    { tenantId: localTenants.fabrikam, email: "bianca@fabrikam.example", displayName: "Bianca Pisani" },
  ];
  // Made per run: a stand-in's test password, never a real one, but not a constant either.
  return people.map((person) => ({ ...person, password: `Pw-${randomBytes(9).toString("base64url")}` }));
}

export interface LocalStandIns {
  logto: LogtoStandIn;
  entra: EntraStandIn;
  close(): Promise<void>;
}

export interface LocalStandInOptions {
  /** The Entra tenants the stand-in serves (default: `localTenants`). */
  tenantIds?: string[];
  issuerFetchTimeoutMs?: number;
  users?: LocalUser[];
}

export async function startLocalStandIns(options: LocalStandInOptions = {}): Promise<LocalStandIns> {
  const users: Record<string, TestUserSeed[]> = {};
  for (const user of options.users ?? []) {
    (users[user.tenantId] ??= []).push({
      userPrincipalName: user.email,
      password: user.password,
      displayName: user.displayName,
      mail: user.email,
    });
  }
  const entra = await startEntraStandIn({ tenants: options.tenantIds ?? Object.values(localTenants), users });
  try {
    const logto = await startLogtoStandIn({
      trustedCaPem: entra.caPem,
      ...(options.issuerFetchTimeoutMs !== undefined ? { issuerFetchTimeoutMs: options.issuerFetchTimeoutMs } : {}),
    });
    return { logto, entra, close: async () => void (await Promise.all([logto.close(), entra.close()])) };
  } catch (error) {
    await entra.close();
    throw error;
  }
}

/** One connection of a local stack, as it goes into `logto-entra-sso:connections`. */
export type LocalConnection = { name: string; tenantId: string; domains: string[] } & { [key: string]: unknown };

export function localConnection(
  name: string,
  tenantId: string,
  overrides: Partial<LocalConnection> = {},
): LocalConnection {
  return { name, tenantId, domains: [`${name}.example`], extraScopes: ["User.Read"], ...overrides };
}

/** A stack's config for a local run, in the two forms a person writes it. */
export interface LocalStackConfig {
  /** Settings as they stand in Pulumi.<stack>.yaml, objects and lists structured. */
  settings: { [key: string]: unknown };
  /** `pulumi config set --secret --path <key> <value>` for each: set with `setAllConfig(secrets, true)`. */
  pathSecrets: ConfigMap;
}

/**
 * Each managed connection without credentials signs in with its tenant's deployer (the stand-in's
 * ARM_CLIENT_ID/SECRET for that tenant), so a connection list written by a test stays free of secrets.
 */
export function localStackConfig(
  standIns: LocalStandIns,
  options: {
    connections: LocalConnection[];
    sampleApp?: { [key: string]: unknown };
    sampleAppSecretKey?: string;
    settings?: { [key: string]: unknown };
  },
): LocalStackConfig {
  const pathSecrets: ConfigMap = { "logto:m2mAppSecret": { value: standIns.logto.m2mAppSecret, secret: true } };
  const connections = options.connections.map((connection, index) => {
    if (connection.mode === "provided" || connection.credentials !== undefined) return connection;
    const deployer = standIns.entra.deployer(connection.tenantId);
    pathSecrets[`logto-entra-sso:connections[${index}].credentials.clientSecret`] = {
      value: deployer.clientSecret,
      secret: true,
    };
    return { ...connection, credentials: { clientId: deployer.clientId } };
  });
  if (options.sampleAppSecretKey !== undefined) {
    pathSecrets["logto-entra-sso:sampleApp.secretKey"] = { value: options.sampleAppSecretKey, secret: true };
  }
  return {
    settings: {
      "logto:endpoint": standIns.logto.url,
      "logto:m2mAppId": standIns.logto.m2mAppId,
      "logto-entra-sso:connections": connections,
      "logto-entra-sso:entra": { metadataHost: standIns.entra.metadataHost, loginEndpoint: standIns.entra.url },
      "logto-entra-sso:sampleApp": options.sampleApp ?? { enabled: false },
      ...options.settings,
    },
    pathSecrets,
  };
}

/** Writes the config into the stack's settings file: structured values as YAML objects, secrets encrypted. */
export async function applyLocalStackConfig(stack: Stack, config: LocalStackConfig): Promise<void> {
  // `pulumi config set-all --json` (the format of `pulumi config --json`) writes `objectValue` as a YAML structure.
  const asJson = Object.fromEntries(
    Object.entries(config.settings).map(([key, value]) => [
      key,
      typeof value === "string" ? { value } : { value: JSON.stringify(value), objectValue: value },
    ]),
  );
  await stack.setAllConfigJson(JSON.stringify(asJson));
  await stack.setAllConfig(config.pathSecrets, true);
}

/** What the engine's plugins need to reach the stand-ins: the run's CA (Go reads SSL_CERT_FILE), loopback direct. */
export function localEngineEnv(standIns: LocalStandIns): Record<string, string> {
  return { SSL_CERT_FILE: standIns.entra.caFile, NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" };
}

/** Every secret of a local run, for leak checks. */
export function localSecrets(standIns: LocalStandIns, tenantIds: readonly string[]): { [what: string]: string[] } {
  return {
    "M2M secret": [standIns.logto.m2mAppSecret],
    "deployer secret": tenantIds.map((tenantId) => standIns.entra.deployer(tenantId).clientSecret),
  };
}

/** A stack of the product's program (infra/) over the local stand-ins, in its own engine sandbox. */
export interface LocalStack {
  standIns: LocalStandIns;
  engine: EngineSandbox;
  plugins: PluginsOnPath;
  /** Destroys and removes the stack (what is gone already is no failure), its sandbox, then the stand-ins. */
  close(): Promise<void>;
}

/**
 * The plugins on PATH, the stand-ins started, and an empty stack `<name>-<unique suffix>` of infra/ whose
 * engine reaches them (`localEngineEnv`, plus `env`). The caller writes the stack's config
 * (`applyLocalStackConfig`) and calls `close()` at its end, whatever happened.
 */
export async function openLocalStack(
  name: string,
  options: { standIns?: LocalStandInOptions; env?: Record<string, string> } = {},
): Promise<LocalStack> {
  const plugins = await ensurePluginsOnPath();
  const standIns = await startLocalStandIns(options.standIns);
  try {
    const engine = await createEngineSandbox(`${name}-${uniqueSuffix()}`, repoRoot, {
      ...localEngineEnv(standIns),
      ...options.env,
    });
    return {
      standIns,
      engine,
      plugins,
      async close() {
        await removeEngineStack(engine);
        await standIns.close();
      },
    };
  } catch (error) {
    await standIns.close();
    throw error;
  }
}
