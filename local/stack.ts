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
import { realLogtoFromEnv, startEntraForRealLogto, uniqueSuffix } from "./engine/target";
import { tenantOf, type Tenant } from "./engine/tenant";

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
  /** The account they sign in to Entra with, when it is not `email`. */
  entraLogin?: string;
  /** Entra's `mail` attribute (its `email` claim), when it is not `email`. */
  mail?: string;
}

/**
 * One test user per local tenant, `<first name>@<domain of the connection>`: `<connection name>.example` (the
 * default of localConnection), or `<connection name>-<domainSuffix>.example` where a shared real Logto needs
 * domains no other connector lists.
 */
export function localUsers(domainSuffix?: string): LocalUser[] {
  const domain = (name: string) => localDomain(name, domainSuffix);
  const people = [
    { tenantId: localTenants.contoso, email: `adele@${domain("contoso")}`, displayName: "Adele Vance" },
    { tenantId: localTenants.fabrikam, email: `bianca@${domain("fabrikam")}`, displayName: "Bianca Pisani" },
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

function entraOptions(options: LocalStandInOptions): { tenants: string[]; users: Record<string, TestUserSeed[]> } {
  const users: Record<string, TestUserSeed[]> = {};
  for (const user of options.users ?? []) {
    (users[user.tenantId] ??= []).push({
      userPrincipalName: user.entraLogin ?? user.email,
      password: user.password,
      displayName: user.displayName,
      mail: user.mail ?? user.email,
    });
  }
  return { tenants: options.tenantIds ?? Object.values(localTenants), users };
}

export async function startLocalStandIns(options: LocalStandInOptions = {}): Promise<LocalStandIns> {
  const entra = await startEntraStandIn(entraOptions(options));
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

/** A Logto as a local run reaches it: the stand-in, or a real Logto (LOGTO_E2E_*, local/engine/target.ts). */
export interface LocalLogto {
  url: string;
  m2mAppId: string;
  m2mAppSecret: string;
  /** The tenant as a person sees it in the console, through the Management API: the same for either Logto. */
  tenant: Tenant;
  /** The stand-in itself (its state, request log, faults), when it is one. */
  standIn?: LogtoStandIn;
}

/** The world a local run deploys into: the Entra stand-in, and the Logto stand-in or a real Logto. */
export interface LocalWorld {
  logto: LocalLogto;
  entra: EntraStandIn;
  /** With a real Logto, which others may share: a suffix that makes this run's email domains its own. */
  domainSuffix?: string;
  close(): Promise<void>;
}

/**
 * The Logto stand-in, or the real Logto that LOGTO_E2E_ENDPOINT, _M2M_APP_ID and _M2M_APP_SECRET name (with
 * the Entra stand-in signing with the kept CA that Logto trusts, ENTRA_STANDIN_CA_DIR); the Entra stand-in
 * either way.
 */
export async function openLocalWorld(
  options: LocalStandInOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalWorld> {
  const real = realLogtoFromEnv(env);
  if (!real) {
    const standIns = await startLocalStandIns(options);
    const { logto, entra } = standIns;
    const access = { url: logto.url, m2mAppId: logto.m2mAppId, m2mAppSecret: logto.m2mAppSecret };
    return {
      logto: { ...access, tenant: tenantOf({ ...access, endpoint: logto.url }), standIn: logto },
      entra,
      close: () => standIns.close(),
    };
  }
  const entra = await startEntraForRealLogto(entraOptions(options), env);
  const access = { url: real.endpoint, m2mAppId: real.m2mAppId, m2mAppSecret: real.m2mAppSecret };
  return {
    logto: { ...access, tenant: tenantOf(real) },
    entra,
    domainSuffix: uniqueSuffix(),
    close: () => entra.close(),
  };
}

/** What a local stack's config and engine need of its world: Logto's address and M2M app, the Entra stand-in. */
export interface LocalTargets {
  logto: { url: string; m2mAppId: string; m2mAppSecret: string };
  entra: EntraStandIn;
}

/** One connection of a local stack, as it goes into `logto-entra-sso:connections`. */
export type LocalConnection = { name: string; tenantId: string; domains: string[] } & { [key: string]: unknown };

/** A connection's email domain in a local run: `<name>.example`, or `<name>-<suffix>.example`. */
export function localDomain(name: string, suffix?: string): string {
  return suffix ? `${name}-${suffix}.example` : `${name}.example`;
}

export function localConnection(
  name: string,
  tenantId: string,
  overrides: Partial<LocalConnection> = {},
): LocalConnection {
  return { name, tenantId, domains: [localDomain(name)], extraScopes: ["User.Read"], ...overrides };
}

/**
 * A small organization template (`logto-entra-sso:organizationTemplate`, as in the README's B2B section):
 * `member` reads reports, `admin` also manages members.
 */
export const localOrganizationTemplate = {
  scopes: [{ name: "manage:members" }, { name: "read:reports" }],
  roles: [
    { name: "admin", scopes: ["manage:members", "read:reports"] },
    { name: "member", scopes: ["read:reports"] },
  ],
};

/**
 * A connection's `organization` of a local run: its users join `name` as `member` on their first sign-in. The run
 * destroys its stack, and the organization goes with it (kept by default, it would stay in a real Logto).
 */
export function localOrganization(name: string): {
  name: string;
  defaultRoles: string[];
  deleteOrganizationOnRemoval: boolean;
} {
  return { name, defaultRoles: ["member"], deleteOrganizationOnRemoval: true };
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
  standIns: LocalTargets,
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
export function localEngineEnv(standIns: LocalTargets): Record<string, string> {
  return { SSL_CERT_FILE: standIns.entra.caFile, NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" };
}

/** Every secret of a local run, for leak checks. */
export function localSecrets(standIns: LocalTargets, tenantIds: readonly string[]): { [what: string]: string[] } {
  return {
    "M2M secret": [standIns.logto.m2mAppSecret],
    "deployer secret": tenantIds.map((tenantId) => standIns.entra.deployer(tenantId).clientSecret),
  };
}

/**
 * The stand-ins of a world, for suites that read the Logto stand-in's own state, request log or faults: a
 * clear error when the world's Logto is a real one.
 */
export function standInsOf(world: LocalWorld): LocalStandIns {
  const { standIn } = world.logto;
  if (!standIn) {
    throw new Error(
      "this suite reads the Logto stand-in's state and request log, which a real Logto does not have: " +
        "unset LOGTO_E2E_ENDPOINT to run it over the stand-in",
    );
  }
  return { logto: standIn, entra: world.entra, close: () => world.close() };
}

/** A stack of the product's program (infra/) over the local world, in its own engine sandbox. */
export interface LocalStack {
  world: LocalWorld;
  engine: EngineSandbox;
  plugins: PluginsOnPath;
  /** Destroys and removes the stack (what is gone already is no failure), its sandbox, then the world. */
  close(): Promise<void>;
}

/**
 * The plugins on PATH, the world opened (`openLocalWorld`: the stand-ins, or a real Logto named by
 * LOGTO_E2E_*), and an empty stack `<name>-<unique suffix>` of infra/ whose engine reaches them
 * (`localEngineEnv`, plus `env`). The caller writes the stack's config (`applyLocalStackConfig`) and calls
 * `close()` at its end, whatever happened.
 */
export async function openLocalStack(
  name: string,
  options: { standIns?: LocalStandInOptions; env?: Record<string, string>; processEnv?: NodeJS.ProcessEnv } = {},
): Promise<LocalStack> {
  const plugins = await ensurePluginsOnPath();
  const world = await openLocalWorld(options.standIns, options.processEnv);
  try {
    const engine = await createEngineSandbox(`${name}-${uniqueSuffix()}`, repoRoot, {
      ...localEngineEnv(world),
      ...options.env,
    });
    return {
      world,
      engine,
      plugins,
      async close() {
        await removeEngineStack(engine);
        await world.close();
      },
    };
  } catch (error) {
    await world.close();
    throw error;
  }
}
