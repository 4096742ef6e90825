/**
 * The world of the day-2 journal: the Entra and Logto stand-ins with six Entra tenants and the people in them,
 * the stack's connection list as a platform team edits it in Pulumi.<stack>.yaml, what customers'
 * administrators do in their own tenants when the stack's outputs tell them to, and a person signing in to a
 * Logto app (over HTTP, local/browser/http-sign-in.ts) at whatever address the team's apps use. The stack and
 * its world are `openLocalStack`'s (local/stack.ts): the stand-ins, or a real Logto named by LOGTO_E2E_*.
 */
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";

import {
  createTraditionalApp,
  deleteTemplateNamed,
  logtoManagementApi,
  registerEntraApp,
  type EntraApp,
} from "../../../local/browser/chain";
import { httpSignInThrough } from "../../../local/browser/experience-sign-in";
import type { HttpSignInOutcome, RelyingParty } from "../../../local/browser/http-sign-in";
import type { EngineSandbox } from "../../../local/engine/engine";
import type { EntraStandIn } from "../../../local/standins/entra";
import { consentInTenant } from "../../../local/standins/entra/testing";
import type { LogtoStandIn } from "../../../local/standins/logto";
import { FaultInjector } from "../../../local/standins/shared/faults";
import { uniqueSuffix } from "../../../local/engine/target";
import {
  applyLocalStackConfig,
  localStackConfig,
  openLocalStack,
  type LocalTargets,
  type LocalWorld,
} from "../../../local/stack";
import { startLogtoFront } from "./logtoFront";

type LogtoAccess = LocalTargets["logto"];

export const tenants = {
  contoso: "6f2c4a1e-8b3d-4e5f-9a7b-1c2d3e4f5a6b",
  fabrikam: "0a9b8c7d-6e5f-4a3b-8c2d-1e0f2a3b4c5d",
  northwind: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
  tailspin: "7b1e2d3c-4f5a-4b6c-9d7e-8f9a0b1c2d3e",
  /** The tenant tailspin's connection is first made in by mistake (a pasted id of the team's own tenant). */
  wrong: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
  /** An Entra tenant no connection lists, whose admin consents to any multi-tenant app it is shown. */
  outsider: "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f",
} as const;

export interface Person {
  key: string;
  tenantId: string;
  /** What the person types on Logto's single sign-on page. */
  email: string;
  /** The account they sign in to Entra with, when it is not `email`. */
  entraLogin?: string;
  password: string;
  displayName: string;
  /** Entra's `mail` attribute, which its `email` claim carries. */
  mail: string;
}

const person = (key: string, tenantId: string, email: string, displayName: string, extra: Partial<Person> = {}) => ({
  key,
  tenantId,
  email,
  // A stand-in's test password, made per run.
  password: `Pw-${key}-${Math.random().toString(36).slice(2, 10)}`,
  displayName,
  mail: email,
  ...extra,
});

export const people = {
  adele: person("adele", tenants.contoso, "adele@contoso.example", "Adele Vance"),
  bianca: person("bianca", tenants.fabrikam, "bianca@fabrikam.example", "Bianca Pisani"),
  /** Of Fabrikam's second email domain, which its connection lists only from the domain-change row on. */
  bruno: person("bruno", tenants.fabrikam, "bruno@fabrikam-eu.example", "Bruno Keller"),
  /** Of Fabrikam, first signs in after its organization's default roles changed. */
  carla: person("carla", tenants.fabrikam, "carla@fabrikam.example", "Carla Mendes"),
  nora: person("nora", tenants.northwind, "nora@northwind.example", "Nora Lind"),
  tess: person("tess", tenants.tailspin, "tess@tailspin.example", "Tess Okafor"),
  /**
   * An outsider: his own account in his own tenant, whose `mail` his admin set to Bianca's address; he types an
   * address of a domain the multi-tenant connection lists to be sent to it.
   */
  oscar: person("oscar", tenants.outsider, "oscar@contoso.example", "Oscar Outsider", {
    entraLogin: "oscar@outsider.example",
    mail: "bianca@fabrikam.example",
  }),
} satisfies Record<string, Person>;

export type PersonKey = keyof typeof people;

/** A connection's `organization` (docs/configuration.md), as the journal uses it. */
export interface ConnectionOrganization {
  name: string;
  defaultRoles: string[];
  provisionEmailDomains?: boolean;
}

/**
 * The journal's `organizationTemplate` (README "B2B"): `member` and `admin` with their scopes. A real Logto is
 * shared and its template tenant-wide, so there every name carries `suffix` (the run's own).
 */
export function journalTemplate(suffix: string) {
  const scope = { manageMembers: `manage:members${suffix}`, readReports: `read:reports${suffix}` };
  const role = { admin: `admin${suffix}`, member: `member${suffix}` };
  return {
    suffix,
    role,
    scopeNames: Object.values(scope),
    settings: {
      scopes: [{ name: scope.manageMembers }, { name: scope.readReports }],
      roles: [
        { name: role.admin, scopes: [scope.manageMembers, scope.readReports] },
        { name: role.member, scopes: [scope.readReports] },
      ],
    },
  };
}

export type JournalTemplate = ReturnType<typeof journalTemplate>;

/** One entry of `logto-entra-sso:connections`, secrets apart (they are set with `--secret --path`). */
export interface Connection {
  name: string;
  tenantId: string;
  domains: string[];
  mode?: "managed" | "provided";
  formerNames?: string[];
  signInAudience?: "AzureADMyOrg" | "AzureADMultipleOrgs";
  trustUnverifiedEmail?: boolean;
  extraScopes?: string[];
  /** Provided: the customer's app. */
  clientId?: string;
  /** Provided: its secret, set by path as a secret. */
  clientSecret?: string;
  organization?: ConnectionOrganization;
  /** Opt-ins a refusal named (see the journal's `change`). */
  [optIn: string]: unknown;
}

/** The Logto tenant of the journal: the stand-in, or a real Logto reached through fronts (logtoFront.ts). */
export interface JournalLogto extends LogtoAccess {
  /** Over the stand-in: its state and hooks; absent over a real Logto. */
  standIn?: LogtoStandIn;
  /** Faults at the address the stack uses (the stand-in's own, or the real Logto's front). */
  faults: FaultInjector;
  /** Another address of the same tenant: the stand-in serves it whole; a real Logto is reached through a front. */
  addAddress(): Promise<string>;
}

export interface World {
  /** Logto users people signed in as: a real Logto's are deleted when the journal ends. */
  signedInUsers: Set<string>;
  /**
   * Organizations the stack made, which it keeps in Logto when it is destroyed (deleteOrganizationOnRemoval is
   * off, as by default), and the template's role and scope names: a real Logto's are deleted when it ends.
   */
  made: { organizations: Set<string>; template: JournalTemplate };
  entra: EntraStandIn;
  logto: JournalLogto;
  /** The Logto origin the team's apps (and so their users) use now. */
  appLogtoUrl: string;
  /** The relying party people sign in to: an app of the tenant, not the stack's. */
  app: RelyingParty;
  /** Deletes what the journal made in Logto and closes its fronts (after the stack is gone). */
  close(): Promise<void>;
}

/** The journal's stack (infra/ in its engine sandbox) in its world. */
export interface JournalStack {
  world: World;
  engine: EngineSandbox;
  /** Destroys and removes the stack, then closes the world. */
  close(): Promise<void>;
}

const appRedirectUri = "http://127.0.0.1:9/journal/callback";
/** The app asks for the organizations and their roles in the ID token, as the sample app does. */
const appScope = "openid profile email urn:logto:scope:organizations urn:logto:scope:organization_roles";

async function journalApp(logto: LogtoAccess, publicOrigin: string): Promise<RelyingParty> {
  const api = await logtoManagementApi(logto);
  const made = await createTraditionalApp(api, `Day-2 journal app ${Date.now().toString(36)}`, [
    "http://127.0.0.1:9/journal",
  ]);
  return {
    logtoUrl: publicOrigin,
    clientId: made.id,
    clientSecret: made.secret,
    redirectUri: appRedirectUri,
    scope: appScope,
  };
}

/**
 * The journal's stack over the stand-ins, or, with LOGTO_E2E_* set (local/engine/target.ts), over that real
 * Logto with the Entra stand-in (which it must trust: ENTRA_STANDIN_CA_DIR, local/README.md): `openLocalStack`
 * with the journal's tenants and people, `env` for its engine.
 */
export async function openJournalStack(env: Record<string, string>): Promise<JournalStack> {
  const local = await openLocalStack("journal", {
    standIns: { tenantIds: Object.values(tenants), users: Object.values(people), issuerFetchTimeoutMs: 1000 },
    env,
  });
  try {
    const { standIn } = local.world.logto;
    const world = standIn
      ? await standInWorld(local.world, standIn)
      : await realWorld(local.world, journalTemplate(`-${uniqueSuffix()}`));
    return {
      world,
      engine: local.engine,
      async close() {
        await local.close();
        await world.close();
      },
    };
  } catch (error) {
    await local.close();
    throw error;
  }
}

async function standInWorld(local: LocalWorld, standIn: LogtoStandIn): Promise<World> {
  const app = await journalApp(standIn, standIn.url);
  const logto: JournalLogto = {
    url: standIn.url,
    m2mAppId: standIn.m2mAppId,
    m2mAppSecret: standIn.m2mAppSecret,
    standIn,
    faults: standIn.faults,
    addAddress: () => standIn.addAddress(),
  };
  // The stand-ins close with the local world.
  return {
    signedInUsers: new Set(),
    made: { organizations: new Set(), template: journalTemplate("") },
    entra: local.entra,
    logto,
    appLogtoUrl: standIn.url,
    app,
    close: async () => {},
  };
}

/**
 * A real Logto: the stack reaches it through a front (so faults can be injected and a second address exists),
 * people sign in at its own address (its issuer's origin), where the team's apps are.
 */
async function realWorld(local: LocalWorld, template: JournalTemplate): Promise<World> {
  const { entra } = local;
  const upstream = new URL(local.logto.url).origin;
  const faults = new FaultInjector();
  const fronts = [await startLogtoFront(upstream, faults)];
  const credentials = { m2mAppId: local.logto.m2mAppId, m2mAppSecret: local.logto.m2mAppSecret };
  const app = await journalApp({ url: upstream, ...credentials }, upstream);
  const logto: JournalLogto = {
    url: fronts[0].url,
    ...credentials,
    faults,
    async addAddress() {
      const front = await startLogtoFront(upstream, faults);
      fronts.push(front);
      return front.url;
    },
  };
  const world: World = {
    signedInUsers: new Set(),
    made: { organizations: new Set(), template },
    entra,
    logto,
    appLogtoUrl: upstream,
    app,
    async close() {
      const api = await logtoManagementApi({ url: upstream, ...credentials });
      await api("DELETE", `/api/applications/${app.clientId}`);
      for (const userId of world.signedInUsers) await api("DELETE", `/api/users/${userId}`);
      for (const organizationId of world.made.organizations)
        await api("DELETE", `/api/organizations/${organizationId}`);
      // The destroy deleted the template's roles and scopes it made; any a failed destroy left go here.
      await deleteTemplateNamed(api, [...Object.values(template.role), ...template.scopeNames]);
      // The Entra stand-in closes with the local world.
      await Promise.all(fronts.map((front) => front.close()));
    },
  };
  return world;
}

/** A person signs in to the team's app, in a new browser session, at the address the apps use now. */
export async function signInAs(world: World, someone: Person): Promise<HttpSignInOutcome> {
  const outcome = await httpSignInThrough(world.logto)(
    { ...world.app, logtoUrl: world.appLogtoUrl },
    {
      email: someone.email,
      password: someone.password,
      ...(someone.entraLogin ? { entraLogin: someone.entraLogin } : {}),
    },
    world.entra.caPem,
  );
  if (outcome.userId) world.signedInUsers.add(outcome.userId);
  return outcome;
}

/** Writes the connection list (and the Logto endpoint) as a person edits Pulumi.<stack>.yaml and sets secrets. */
export async function applyConnections(
  stack: Stack,
  world: World,
  connections: readonly Connection[],
  logtoEndpoint: string,
): Promise<void> {
  const plain = connections.map(({ clientSecret: _secret, ...rest }) => ({
    extraScopes: ["User.Read"],
    ...rest,
  }));
  const config = localStackConfig(world, {
    connections: plain,
    settings: {
      "logto:endpoint": logtoEndpoint,
      "logto-entra-sso:organizationTemplate": world.made.template.settings,
    },
  });
  const providedSecrets: ConfigMap = Object.fromEntries(
    connections.flatMap((connection, index) =>
      connection.mode === "provided" && connection.clientSecret !== undefined
        ? [[`logto-entra-sso:connections[${index}].clientSecret`, { value: connection.clientSecret, secret: true }]]
        : [],
    ),
  );
  await applyLocalStackConfig(stack, {
    settings: config.settings,
    pathSecrets: { ...config.pathSecrets, ...providedSecrets },
  });
}

/** The Graph scopes a connection with `extraScopes: [User.Read]` needs consented. */
export const consentedScopes = "openid profile email User.Read";

/** A customer's administrator registers their own app for the platform team (mode provided) and consents. */
export async function customerRegistersApp(
  world: World,
  tenantId: string,
  displayName: string,
  signInAudience: "AzureADMyOrg" | "AzureADMultipleOrgs" = "AzureADMyOrg",
): Promise<EntraApp> {
  const app = await registerEntraApp(world.entra, tenantId, displayName);
  const answer = await app.graph("PATCH", `/v1.0/applications/${app.objectId}`, { signInAudience });
  if (answer.status !== 204) throw new Error(`set signInAudience: ${answer.status} ${answer.text}`);
  grantConsent(world, tenantId, app.appId);
  return app;
}

/** Admin consent for `consentedScopes` on an app in a tenant (replacing a narrower grant). */
export function grantConsent(world: World, tenantId: string, appId: string): void {
  const tenant = world.entra.tenant(tenantId);
  const principal = tenant.servicePrincipalByAppId(appId);
  if (!principal) {
    consentInTenant(world.entra, tenantId, appId, consentedScopes);
    return;
  }
  for (const grant of tenant.oauth2PermissionGrants.values())
    if (grant.clientId === principal.id) grant.scope = consentedScopes;
}

/**
 * What a customer's administrator does with `customerAdminSteps`: the Web redirect URI added to their app
 * (the ones already there kept). Returns whether anything was added.
 */
export async function customerAddsRedirectUri(world: World, tenantId: string, appId: string, uri: string) {
  const tenant = world.entra.tenant(tenantId);
  const app = tenant.applicationByAppId(appId);
  if (!app) return false;
  if (app.web.redirectUris.includes(uri)) return false;
  app.web.redirectUris = [...app.web.redirectUris, uri];
  return true;
}

/** The app registrations the stack made in a tenant (display name "… (Logto SSO)"). */
export function stackAppsIn(world: World, tenantId: string): string[] {
  return [...world.entra.tenant(tenantId).applications.values()]
    .filter((app) => app.displayName?.endsWith("(Logto SSO)"))
    .map((app) => app.appId);
}
