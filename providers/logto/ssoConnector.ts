import * as pulumi from "@pulumi/pulumi";
import { ManagementClient, configuredSettings, isNotFound, managementClient, troubleshootingLink } from "./client";
import { callbackUriFor, formerOriginsAfter } from "./publicOrigin";
import {
  Adoptable,
  AdoptionOutputs,
  MovingObject,
  OnEndpoint,
  configureFromStack,
  configuredEndpoint,
  containsUnknown,
  keptBecauseAdopted,
  Recorded,
  recordedAfterUpdate,
  recordedIn,
  adoptableDiff,
  announceAdoption,
  notice,
  sameStringSet,
  soleMatch,
} from "./support";
import { domainProblems, issuerProblems, scopeTokens, trustedEmailProblems } from "./validation";
import { ReferencedDynamicResource } from "./referencedResource";
import { relinkConsequence } from "./userLinkGuard";

/** Enterprise SSO providers with an OIDC client config (clientId, clientSecret, issuer). */
export const oidcSsoProviderNames = ["AzureAdOidc", "OIDC", "Okta"] as const;
export type OidcSsoProviderName = (typeof oidcSsoProviderNames)[number];

/** Scopes Logto always requests for OIDC connectors, whatever the config says. */
const scopesLogtoAlwaysAdds: readonly string[] = ["openid", "profile", "email"];

export interface SsoConnectorConfig {
  clientId: string;
  clientSecret: string;
  issuer: string;
  /** Extra scopes, space separated, as Logto stores them. */
  scope?: string;
  trustUnverifiedEmail?: boolean;
}

export interface SsoConnectorBranding {
  displayName?: string;
  logo?: string;
  darkLogo?: string;
}

/**
 * Who made the IdP client (the Entra app registration) the connector signs in with: this stack, which deletes it
 * when it stops managing it; this stack, which keeps it then (retainOnDelete); or someone else.
 */
export const clientOwnerships = ["stack", "stack-kept", "external"] as const;
export type ClientOwnership = (typeof clientOwnerships)[number];

/** How the connector's users stay linked to their Logto accounts: recorded, never sent to Logto. */
export interface UserLinkSettings {
  /**
   * Accept a change that cuts every user's link to their account: a new connector, issuer or client id (Entra's
   * subject is pairwise per app registration).
   */
  allowUserRelink: boolean;
  clientOwnership: ClientOwnership;
}

/** Where browsers see the Logto a connector lives in, recorded by `check` (providers/logto/publicOrigin.ts). */
export interface OnPublicOrigin {
  /** Logto's public origin, from its discovery issuer: callback URIs are built from it. */
  publicOrigin: string;
  /**
   * Origins Logto answered at before, whose callback URIs stay registered during a move (until listed in
   * logto:retiredOrigins).
   */
  formerPublicOrigins: string[];
}

/** What the program declares, with defaults filled. */
export interface SsoConnectorDeclared extends Adoptable, OnEndpoint, UserLinkSettings {
  providerName: OidcSsoProviderName;
  connectorName: string;
  config: SsoConnectorConfig;
  domains: string[];
  branding: SsoConnectorBranding;
  syncProfile: boolean;
  enableTokenStorage: boolean;
}

/** The declared fields and the origins `check` recorded. */
export interface SsoConnectorInputs extends SsoConnectorDeclared, OnPublicOrigin {}

/** State from before the origins were recorded has none; the next check fills them in. */
export interface SsoConnectorOutputs extends SsoConnectorDeclared, Partial<OnPublicOrigin>, AdoptionOutputs {
  connectorId: string;
  /** Redirect URI to register at the IdP: `{Logto public origin}/callback/{connectorId}`. */
  callbackUri: string;
}

/** A connector row as the Management API returns it (POST answers the raw row; GET/PATCH add more). */
interface SsoConnectorRow {
  id: string;
  providerName: string;
  connectorName: string;
  config: Partial<SsoConnectorConfig> & Record<string, unknown>;
  domains: string[];
  branding: SsoConnectorBranding;
  syncProfile: boolean;
  enableTokenStorage?: boolean;
}

type ConnectorBody = Omit<
  SsoConnectorDeclared,
  keyof Adoptable | keyof OnEndpoint | keyof UserLinkSettings | "providerName"
> & {
  providerName?: string;
};

function label(inputs: Pick<SsoConnectorInputs, "connectorName">): string {
  return `SSO connector "${inputs.connectorName}"`;
}

function requestBody(inputs: SsoConnectorDeclared): ConnectorBody {
  const scope = scopeTokens(inputs.config.scope).join(" ");
  return {
    connectorName: inputs.connectorName,
    config: {
      clientId: inputs.config.clientId,
      clientSecret: inputs.config.clientSecret,
      issuer: inputs.config.issuer,
      ...(scope ? { scope } : {}),
      trustUnverifiedEmail: inputs.config.trustUnverifiedEmail ?? false,
    },
    domains: inputs.domains,
    branding: inputs.branding,
    syncProfile: inputs.syncProfile,
    enableTokenStorage: inputs.enableTokenStorage,
  };
}

/**
 * A client secret a read does not show: absent, empty or made of mask characters. Logto 1.42 returns it in
 * plain text; newer releases may not, and that is no drift.
 */
function hiddenSecret(value: unknown): boolean {
  return typeof value !== "string" || /^[*•]*$/.test(value);
}

/**
 * Live object to state. Keeps only what the user declares, so server-added fields never show as drift.
 * `knownSecret` (the declared or recorded one) stands in for a secret the answer does not show.
 */
function outputsFromRow(
  row: SsoConnectorRow,
  recorded: Recorded & UserLinkSettings & Partial<OnPublicOrigin>,
  knownSecret: string,
): SsoConnectorOutputs {
  const branding: SsoConnectorBranding = {};
  for (const key of ["displayName", "logo", "darkLogo"] as const) {
    const value = row.branding?.[key];
    if (typeof value === "string") branding[key] = value;
  }
  const config: SsoConnectorConfig = {
    clientId: String(row.config.clientId ?? ""),
    clientSecret: hiddenSecret(row.config.clientSecret) ? knownSecret : String(row.config.clientSecret),
    issuer: String(row.config.issuer ?? ""),
    trustUnverifiedEmail: row.config.trustUnverifiedEmail === true,
  };
  if (typeof row.config.scope === "string" && row.config.scope !== "") config.scope = row.config.scope;
  return {
    providerName: row.providerName as OidcSsoProviderName,
    connectorName: row.connectorName,
    config,
    domains: row.domains ?? [],
    branding,
    syncProfile: row.syncProfile === true,
    enableTokenStorage: row.enableTokenStorage === true,
    adoptExisting: recorded.adoptExisting,
    deleteAdoptedOnDestroy: recorded.deleteAdoptedOnDestroy,
    endpoint: recorded.endpoint,
    ...originsOf(recorded),
    adopted: recorded.adopted,
    allowUserRelink: recorded.allowUserRelink,
    clientOwnership: recorded.clientOwnership,
    connectorId: row.id,
    callbackUri: callbackUriFor(recorded.publicOrigin ?? recorded.endpoint, row.id),
  };
}

/** The recorded origins; state from before they were recorded has none (the next check fills them in). */
function originsOf(recorded: Partial<OnPublicOrigin>): Partial<OnPublicOrigin> {
  return recorded.publicOrigin === undefined
    ? {}
    : { publicOrigin: recorded.publicOrigin, formerPublicOrigins: recorded.formerPublicOrigins ?? [] };
}

/**
 * The origins `check` records: the public origin as recorded while the endpoint stays (no request on a routine
 * preview), else from the discovery document at the configured endpoint; the one before is kept as a former
 * origin, unless the stack is leaving that Logto (logto:moveFromEndpoint) or the origin is retired.
 */
async function checkedOrigins(olds: Partial<SsoConnectorInputs>, endpoint: string): Promise<OnPublicOrigin> {
  const settings = configuredSettings();
  const publicOrigin =
    olds.endpoint === endpoint && olds.publicOrigin !== undefined
      ? olds.publicOrigin
      : await managementClient().publicOrigin();
  const leaving = olds.endpoint !== undefined && olds.endpoint === settings.moveFromEndpoint;
  // State from before the origins were recorded: its callback URIs were built from the endpoint.
  const previous = leaving ? {} : { ...olds, publicOrigin: olds.publicOrigin ?? olds.endpoint };
  return { publicOrigin, formerPublicOrigins: formerOriginsAfter(previous, publicOrigin, settings.retiredOrigins) };
}

function originsChanged(olds: Partial<OnPublicOrigin>, news: OnPublicOrigin): boolean {
  return (
    olds.publicOrigin !== news.publicOrigin || !sameStringSet(olds.formerPublicOrigins ?? [], news.formerPublicOrigins)
  );
}

/** A connector at another endpoint: the same tenant holds it under its id, with the same provider. */
function movingConnector(id: string, olds: Partial<SsoConnectorInputs>): MovingObject {
  return {
    what: `${label({ connectorName: olds.connectorName ?? id })} (id ${id})`,
    cost: "Logto deletes every user's link to the old connector with it (user_sso_identities, on delete cascade), so its users' next sign-in links them again only by a verified email (or with trustUnverifiedEmail), else makes new, empty accounts; and the new connector has a new id, so a new callback URI (managed connections get it registered; provided ones need the customer's administrator to add it).",
    async heldBy(client) {
      try {
        const { data } = await client.send<SsoConnectorRow>({
          method: "GET",
          path: `/api/sso-connectors/${id}`,
          action: `looking up SSO connector ${id} at ${client.endpoint}`,
        });
        return data.providerName === olds.providerName;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
  };
}

const connectorsPath = "/api/sso-connectors";

async function listConnectors(client: ManagementClient, action: string): Promise<SsoConnectorRow[]> {
  return (await client.send<SsoConnectorRow[]>({ method: "GET", path: connectorsPath, action })).data;
}

/**
 * How long one tenant-wide list serves the creates of one provider process (one engine operation): Logto
 * loads every connector's issuer discovery document to answer the list, so 50 creates each listing cost it
 * 50 × 50 fetches; they run together, so one list serves them all. Connectors this process creates meanwhile
 * are added to it, and the ones it deletes or changes are taken out or changed, so a replacement (delete,
 * then create) sees the tenant as it is; only another actor's change in those seconds is missed, as it
 * would be between a list and a create anyway.
 */
const sharedListMs = 10_000;

function connectorsForCreate(client: ManagementClient, action: string): Promise<SsoConnectorRow[]> {
  return client.sharedGet<SsoConnectorRow[]>(connectorsPath, action, sharedListMs);
}

/** Keeps the shared list true to this process's own write: `row` made or changed, or `deletedId` gone. */
async function trackInSharedList(
  client: ManagementClient,
  change: { row: SsoConnectorRow } | { deletedId: string },
): Promise<void> {
  const rows = await client.sharedAnswer<SsoConnectorRow[]>(connectorsPath)?.catch(() => undefined);
  if (!rows) return;
  const id = "row" in change ? change.row.id : change.deletedId;
  const at = rows.findIndex((row) => row.id === id);
  if (at >= 0) rows.splice(at, 1);
  if ("row" in change) rows.push(change.row);
}

/**
 * Logto routes an email domain to one connector, but accepts the same domain on two and then routes
 * ambiguously: refuse a domain another connector of the tenant lists (issue 11, item 3).
 */
function assertDomainsFree(
  connectors: readonly SsoConnectorRow[],
  inputs: SsoConnectorInputs,
  ownId: string | undefined,
  action: string,
): void {
  const problems = inputs.domains.flatMap((domain, index) => {
    const holder = connectors.find(
      (row) => row.id !== ownId && (row.domains ?? []).some((taken) => taken.toLowerCase() === domain.toLowerCase()),
    );
    return holder
      ? [`domains[${index}] "${domain}" is already routed to SSO connector "${holder.connectorName}" (id ${holder.id})`]
      : [];
  });
  if (problems.length > 0) {
    throw new Error(
      `Logto: ${action} failed: ${problems.join("; ")}; Logto sends each email domain to one connector per tenant: remove it from one of them (${troubleshootingLink("Domain already routed to another connector")}).`,
    );
  }
}

/** Declared scope compared as a set, without the scopes Logto adds anyway. */
function canonicalScope(scope: string | undefined): string[] {
  return scopeTokens(scope).filter((token) => !scopesLogtoAlwaysAdds.includes(token));
}

function configChanged(olds: SsoConnectorConfig, news: SsoConnectorConfig): boolean {
  return (
    olds.clientId !== news.clientId ||
    olds.clientSecret !== news.clientSecret ||
    olds.issuer !== news.issuer ||
    (olds.trustUnverifiedEmail ?? false) !== (news.trustUnverifiedEmail ?? false) ||
    !sameStringSet(canonicalScope(olds.scope), canonicalScope(news.scope))
  );
}

function brandingChanged(olds: SsoConnectorBranding, news: SsoConnectorBranding): boolean {
  return (["displayName", "logo", "darkLogo"] as const).some((key) => (olds?.[key] ?? "") !== (news?.[key] ?? ""));
}

/** Which top-level fields differ, ignoring what Logto normalises (case of domains, default flags, order). */
export function changedFields(olds: SsoConnectorDeclared, news: SsoConnectorDeclared): Array<keyof ConnectorBody> {
  const changed: Array<keyof ConnectorBody> = [];
  if (olds.connectorName !== news.connectorName) changed.push("connectorName");
  if (configChanged(olds.config, news.config)) changed.push("config");
  const lower = (list: string[] | undefined) => (list ?? []).map((d) => d.toLowerCase());
  if (!sameStringSet(lower(olds.domains), lower(news.domains))) changed.push("domains");
  if (brandingChanged(olds.branding, news.branding)) changed.push("branding");
  if ((olds.syncProfile ?? false) !== (news.syncProfile ?? false)) changed.push("syncProfile");
  if ((olds.enableTokenStorage ?? false) !== (news.enableTokenStorage ?? false)) changed.push("enableTokenStorage");
  return changed;
}

function checkFailures(news: SsoConnectorDeclared): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, reasons: string[]) =>
    reasons.forEach((reason) => failures.push({ property, reason }));
  const known = (value: unknown) => !containsUnknown(value);
  if (known(news.providerName) && !oidcSsoProviderNames.includes(news.providerName)) {
    fail("providerName", [
      `providerName is "${news.providerName}": use one of ${oidcSsoProviderNames.join(", ")} (AzureAdOidc is Microsoft Entra ID over OIDC; AzureAD is Logto's SAML flavour, which this provider does not manage).`,
    ]);
  }
  if (known(news.connectorName) && (typeof news.connectorName !== "string" || news.connectorName.trim() === "")) {
    fail("connectorName", ["connectorName is empty: give the connector a name that is unique in the Logto tenant."]);
  }
  const config = news.config ?? ({} as SsoConnectorConfig);
  for (const key of ["clientId", "clientSecret", "issuer"] as const) {
    if (known(config[key]) && (typeof config[key] !== "string" || config[key] === "")) {
      fail(`config.${key}`, [`config.${key} is missing: Logto needs clientId, clientSecret and issuer together.`]);
    }
  }
  if (known(config.issuer) && typeof config.issuer === "string" && config.issuer !== "") {
    fail("config.issuer", issuerProblems("config.issuer", config.issuer));
    if (known(config.trustUnverifiedEmail)) {
      fail(
        "config.trustUnverifiedEmail",
        trustedEmailProblems("config.trustUnverifiedEmail", config.issuer, config.trustUnverifiedEmail === true),
      );
    }
  }
  if (known(news.domains)) fail("domains", domainProblems("domains", news.domains ?? []));
  if (known(news.enableTokenStorage) && known(config.scope) && news.enableTokenStorage) {
    if (!scopeTokens(config.scope).includes("offline_access")) {
      fail("config.scope", [
        "enableTokenStorage is on but config.scope lacks offline_access: without it the IdP issues no refresh token to store; add offline_access.",
      ]);
    }
  }
  return failures;
}

/** The user-link settings a state records; a state from before they were recorded says nothing about its client. */
function userLinkSettingsIn(props: Partial<UserLinkSettings> | undefined): UserLinkSettings {
  return {
    allowUserRelink: props?.allowUserRelink === true,
    clientOwnership: props?.clientOwnership ?? "external",
  };
}

/**
 * Changes from `olds` (the inputs the connector was last given) to `news` that cut the users' links: a
 * replacement, a new issuer, a new client id (known, or unknown at preview because the app registration is
 * being made anew). Empty for a create.
 */
function rekeyingChanges(olds: Partial<SsoConnectorInputs>, news: SsoConnectorDeclared): string[] {
  if (!olds.config) return [];
  const changes: string[] = [];
  if (
    olds.providerName !== undefined &&
    !containsUnknown(news.providerName) &&
    olds.providerName !== news.providerName
  ) {
    changes.push(
      `providerName changes from ${olds.providerName} to ${news.providerName}, which needs a new connector (Logto deletes the users' SSO identities with the old one)`,
    );
  }
  if (!containsUnknown(news.config.issuer) && olds.config.issuer !== news.config.issuer) {
    changes.push(`config.issuer changes from ${olds.config.issuer} to ${news.config.issuer}`);
  }
  if (containsUnknown(news.config.clientId)) {
    changes.push(
      `config.clientId changes from ${olds.config.clientId} to the client id of an app registration made in this change`,
    );
  } else if (olds.config.clientId !== news.config.clientId) {
    changes.push(
      `config.clientId changes from ${olds.config.clientId} to ${news.config.clientId}, another app registration`,
    );
  }
  return changes;
}

/**
 * A client this stack made, about to leave the stack: refused when the stack would delete the app registration
 * (or the client secret) the connector goes on using.
 */
function handOverFailures(olds: Partial<SsoConnectorInputs>, news: SsoConnectorDeclared): string[] {
  const sameClient = olds.config !== undefined && news.config.clientId === olds.config.clientId;
  if (!sameClient || news.clientOwnership !== "external") return [];
  if (olds.clientOwnership === "stack") {
    return [
      `${label(news)}: config.clientId stays ${news.config.clientId}, the app registration this stack made, but the stack stops managing it in this change and so would delete it: sign-in through the connector would fail (AADSTS700016) for every user. Keep it: set keepAppRegistration: true on the connection while it is still managed and run pulumi up, then switch.`,
    ];
  }
  if (olds.clientOwnership === "stack-kept" && news.config.clientSecret === olds.config?.clientSecret) {
    return [
      `${label(news)}: config.clientSecret is still the client secret this stack made for app registration ${news.config.clientId}, which this change deletes (the registration itself is kept): have the app's owner create a new client secret and set that one.`,
    ];
  }
  return [];
}

/** The user-link review of a change: refused changes as check failures, accepted ones as notices. */
function userLinkFailures(
  olds: Partial<SsoConnectorInputs>,
  news: SsoConnectorDeclared,
): pulumi.dynamic.CheckFailure[] {
  const refused = handOverFailures(olds, news);
  const changes = rekeyingChanges(olds, news);
  if (changes.length > 0) {
    const what = `${label(news)}: ${changes.join("; ")}. Then ${relinkConsequence}.`;
    if (news.allowUserRelink) notice(`${what} Applied because allowUserRelink is on.`);
    else
      refused.push(
        `${what} If that is what you want, set allowUserRelink: true on its connection for this one pulumi up; otherwise put the setting back.`,
      );
  }
  // No property: the engine would print the whole config value next to the reason.
  return refused.map((reason) => ({ property: "", reason }));
}

/** Fills defaults so that state always has every field; leaves unknown (preview) values alone. */
function withDefaults(news: Partial<SsoConnectorInputs>): SsoConnectorDeclared {
  return {
    ...news,
    providerName: news.providerName ?? "AzureAdOidc",
    connectorName: news.connectorName ?? "",
    config: news.config ?? ({} as SsoConnectorConfig),
    domains: news.domains ?? [],
    branding: news.branding ?? {},
    syncProfile: news.syncProfile ?? false,
    enableTokenStorage: news.enableTokenStorage ?? false,
    adoptExisting: news.adoptExisting ?? false,
    deleteAdoptedOnDestroy: news.deleteAdoptedOnDestroy ?? false,
    endpoint: configuredEndpoint(),
    allowUserRelink: news.allowUserRelink ?? false,
    clientOwnership: news.clientOwnership ?? "external",
  };
}

export const ssoConnectorProvider: pulumi.dynamic.ResourceProvider<SsoConnectorInputs, SsoConnectorOutputs> = {
  configure: configureFromStack,

  async check(olds, news) {
    const inputs = withDefaults(news);
    const failures = [...checkFailures(inputs), ...userLinkFailures(olds ?? {}, inputs)];
    // The declared values are wrong: say so without asking Logto for its origin.
    if (failures.length > 0) return { failures };
    return { inputs: { ...inputs, ...(await checkedOrigins(olds ?? {}, inputs.endpoint)) }, failures };
  },

  async diff(id, olds, news) {
    const replaces = olds.providerName !== news.providerName ? ["providerName"] : [];
    return adoptableDiff(
      olds,
      news,
      {
        replaces,
        // Who owns the client decides what a later change may do: recorded by an update that sends nothing.
        changed:
          containsUnknown(news) ||
          changedFields(olds, news).length > 0 ||
          (olds.clientOwnership ?? "external") !== news.clientOwnership ||
          originsChanged(olds, news),
      },
      movingConnector(id, olds),
    );
  },

  async create(inputs) {
    const client = managementClient();
    const body = requestBody(inputs);
    const secret = [inputs.config.clientSecret];
    const action = `creating ${label(inputs)}`;
    // One list serves both the adoption lookup and the domain check.
    const needsList = inputs.adoptExisting || inputs.domains.length > 0;
    const connectors = needsList
      ? await connectorsForCreate(client, `looking up SSO connectors for ${label(inputs)}`)
      : [];
    // Logto keeps connector names unique; should two ever match, neither is taken.
    const sameName = soleMatch(
      connectors.filter((row) => row.connectorName === inputs.connectorName),
      "SSO connectors",
      `looking up ${label(inputs)}`,
    );
    const existing = inputs.adoptExisting ? sameName : undefined;
    // A connector of the same name is adopted, or gets Logto's 409 (which names adoptExisting): not a domain clash.
    assertDomainsFree(connectors, inputs, sameName?.id, existing ? `adopting ${label(inputs)}` : action);
    const recorded = (adopted: boolean): Recorded & UserLinkSettings => ({ ...inputs, adopted });
    if (existing) {
      if (existing.providerName !== inputs.providerName) {
        throw new Error(
          `Logto: adopting ${label(inputs)} failed: it exists with providerName ${existing.providerName}, not ${inputs.providerName}. Rename one of them or delete the existing connector.`,
        );
      }
      const patched = await client.send<SsoConnectorRow>({
        method: "PATCH",
        path: `/api/sso-connectors/${existing.id}`,
        body,
        action: `adopting ${label(inputs)}`,
        sensitiveValues: secret,
      });
      await trackInSharedList(client, { row: patched.data });
      return { id: existing.id, outs: outputsFromRow(patched.data, recorded(true), inputs.config.clientSecret) };
    }
    const created = await client.createOnce<SsoConnectorRow>(
      {
        method: "POST",
        path: connectorsPath,
        body: { ...body, providerName: inputs.providerName },
        action,
        sensitiveValues: secret,
      },
      async () => {
        // Only our own lost create counts: the name and the client id must both match.
        const found = (await listConnectors(client, `looking up ${label(inputs)}`)).find(
          (row) => row.connectorName === inputs.connectorName,
        );
        return found && found.config.clientId === inputs.config.clientId ? found : undefined;
      },
    );
    await trackInSharedList(client, { row: created });
    return { id: created.id, outs: outputsFromRow(created, recorded(false), inputs.config.clientSecret) };
  },

  async read(id, props) {
    const recorded = { ...recordedIn(props), ...userLinkSettingsIn(props), ...originsOf(props ?? {}) };
    try {
      const { data } = await managementClient(recorded.endpoint).send<SsoConnectorRow>({
        method: "GET",
        path: `/api/sso-connectors/${id}`,
        action: `reading SSO connector ${id}`,
      });
      const outs = outputsFromRow(data, recorded, props?.config?.clientSecret ?? "");
      const { connectorId: _id, callbackUri: _uri, adopted: _adopted, ...inputs } = outs;
      // ReadResult types `inputs` as outputs; the engine takes them as the refreshed inputs.
      return { id, props: outs, inputs: inputs as SsoConnectorOutputs };
    } catch (error) {
      if (isNotFound(error)) return {};
      throw error;
    }
  },

  async update(id, olds, news) {
    const client = managementClient();
    const body = requestBody(news);
    const changed = changedFields(olds, news);
    const recorded = { ...recordedAfterUpdate(olds, news), ...userLinkSettingsIn(news), ...originsOf(news) };
    const action = `updating ${label(news)} (${changed.join(", ")})`;
    if (changed.length === 0) {
      const callbackUri = callbackUriFor(news.publicOrigin, id);
      return { outs: { ...olds, ...news, ...recorded, connectorId: id, callbackUri } };
    }
    if (changed.includes("domains")) {
      assertDomainsFree(await listConnectors(client, `looking up SSO connectors for ${label(news)}`), news, id, action);
    }
    // Logto replaces config, domains and branding whole, and re-validates the issuer whenever config is
    // sent: send each changed field complete, and leave unchanged ones out.
    const patch: Partial<ConnectorBody> = {};
    for (const field of changed) Object.assign(patch, { [field]: body[field] });
    const { data } = await client.send<SsoConnectorRow>({
      method: "PATCH",
      path: `/api/sso-connectors/${id}`,
      body: patch,
      action,
      sensitiveValues: [news.config.clientSecret, olds.config?.clientSecret],
    });
    await trackInSharedList(client, { row: data });
    return { outs: outputsFromRow(data, recorded, news.config.clientSecret) };
  },

  async delete(id, props) {
    if (keptBecauseAdopted(`${label(props)} (id ${id})`, props)) return;
    const client = managementClient(props.endpoint);
    await client.deleteIfPresent(`/api/sso-connectors/${id}`, `deleting ${label(props)}`);
    await trackInSharedList(client, { deletedId: id });
  },
};

export interface SsoConnectorConfigArgs {
  clientId: pulumi.Input<string>;
  clientSecret: pulumi.Input<string>;
  issuer: pulumi.Input<string>;
  /** Extra scopes, space separated (openid, profile and email are always requested by Logto). */
  scope?: pulumi.Input<string>;
  /** Mark IdP e-mail addresses as verified although the IdP sends no `email_verified`. Default false. */
  trustUnverifiedEmail?: pulumi.Input<boolean>;
}

export interface SsoConnectorArgs {
  providerName?: pulumi.Input<OidcSsoProviderName>;
  connectorName: pulumi.Input<string>;
  config: SsoConnectorConfigArgs;
  domains?: pulumi.Input<pulumi.Input<string>[]>;
  branding?: pulumi.Input<SsoConnectorBranding>;
  syncProfile?: pulumi.Input<boolean>;
  enableTokenStorage?: pulumi.Input<boolean>;
  /** Take over a connector that already has this name instead of failing on Logto's 409. */
  adoptExisting?: pulumi.Input<boolean>;
  /** Delete an adopted connector on destroy too. Default false: it was not this stack's to delete. */
  deleteAdoptedOnDestroy?: pulumi.Input<boolean>;
  /**
   * Accept a change that cuts every user's link to their Logto account (a replacement, a new issuer or client
   * id); refused otherwise. Default false.
   */
  allowUserRelink?: pulumi.Input<boolean>;
  /** Who made the IdP client the connector signs in with. Default `external`. */
  clientOwnership?: pulumi.Input<ClientOwnership>;
}

/** A Logto enterprise SSO connector managed through the Management API. */
export class SsoConnector extends ReferencedDynamicResource {
  // `declare`: the base constructor fills these in; an ES2022 class field would reset them to undefined.
  declare public readonly connectorId: pulumi.Output<string>;
  declare public readonly connectorName: pulumi.Output<string>;
  declare public readonly callbackUri: pulumi.Output<string>;
  declare public readonly domains: pulumi.Output<string[]>;
  declare public readonly endpoint: pulumi.Output<string>;
  declare public readonly publicOrigin: pulumi.Output<string>;
  declare public readonly formerPublicOrigins: pulumi.Output<string[]>;
  declare public readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: SsoConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      ssoConnectorProvider,
      name,
      {
        providerName: args.providerName ?? "AzureAdOidc",
        connectorName: args.connectorName,
        config: {
          clientId: args.config.clientId,
          // Secret whatever the caller passed: the engine then keeps the stored copy encrypted too.
          clientSecret: pulumi.secret(args.config.clientSecret),
          issuer: args.config.issuer,
          scope: args.config.scope,
          trustUnverifiedEmail: args.config.trustUnverifiedEmail ?? false,
        },
        domains: args.domains ?? [],
        branding: args.branding ?? {},
        syncProfile: args.syncProfile ?? false,
        enableTokenStorage: args.enableTokenStorage ?? false,
        adoptExisting: args.adoptExisting ?? false,
        deleteAdoptedOnDestroy: args.deleteAdoptedOnDestroy ?? false,
        allowUserRelink: args.allowUserRelink ?? false,
        clientOwnership: args.clientOwnership ?? "external",
        // Filled by check from logto:endpoint and the discovery document there.
        endpoint: undefined,
        publicOrigin: undefined,
        formerPublicOrigins: undefined,
        adopted: undefined,
        connectorId: undefined,
        callbackUri: undefined,
      },
      // The whole config (client secret included) is secret by this declaration, not by the engine's copy
      // of the input's secretness.
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["config"] }),
      "logto",
      "SsoConnector",
    );
    announceAdoption(`SSO connector ${name}`, args);
  }
}
