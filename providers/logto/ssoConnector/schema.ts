/**
 * The SSO connector's shapes: what the program declares, the wire row and body (Logto's OpenAPI), expand
 * (inputs → request body) and flatten (row → outputs). Laid out as terraform-provider-auth0's
 * internal/auth0/connection/{expand,flatten}.go.
 */
import type { ManagementClient } from "../client";
import type { Answer } from "../managementApi";
import { callbackUriFor } from "../publicOrigin";
import { Adoptable, AdoptionOutputs, OnEndpoint } from "../support";
import { scopeTokens } from "../validation";

/** Enterprise SSO providers with an OIDC client config (clientId, clientSecret, issuer). */
export const oidcSsoProviderNames = ["AzureAdOidc", "OIDC", "Okta"] as const;
export type OidcSsoProviderName = (typeof oidcSsoProviderNames)[number];

// A type, not an interface: Logto's `config` is an open record, which only a type alias is assignable to.
export type SsoConnectorConfig = {
  clientId: string;
  clientSecret: string;
  issuer: string;
  /** Extra scopes, space separated, as Logto stores them. */
  scope?: string;
  trustUnverifiedEmail?: boolean;
};

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

const settingDefaults = {
  adoptExisting: false,
  deleteAdoptedOnDestroy: false,
  allowUserRelink: false,
  clientOwnership: "external",
  branding: {},
  syncProfile: false,
  enableTokenStorage: false,
} satisfies Partial<SsoConnectorDeclared>;
type DefaultedSettings = Pick<SsoConnectorDeclared, keyof typeof settingDefaults>;

/**
 * The declared fields and the origins `check` recorded, as the state keeps them: without a setting at its default
 * (config.trustUnverifiedEmail too), absent reads as it; a state written before 2026-12-08 has them all.
 */
type Stored = Omit<SsoConnectorDeclared, keyof DefaultedSettings> & Partial<DefaultedSettings>;
export interface SsoConnectorInputs extends Stored, OnPublicOrigin {}

export interface SsoConnectorOutputs extends SsoConnectorInputs, AdoptionOutputs {
  connectorId: string;
  /** Redirect URI to register at the IdP: `{Logto public origin}/callback/{connectorId}`. */
  callbackUri: string;
}

/** A connector row as the Management API returns it (POST answers the raw row; GET/PATCH add more). */
export type SsoConnectorRow = Answer<"/api/sso-connectors", "POST">;

export type ConnectorBody = Omit<
  SsoConnectorDeclared,
  keyof Adoptable | keyof OnEndpoint | keyof UserLinkSettings | "providerName"
> & {
  providerName?: string;
};

export function label(inputs: Pick<SsoConnectorInputs, "connectorName">): string {
  return `SSO connector "${inputs.connectorName}"`;
}

/** Stored settings read back: an absent one holds its default. */
export function withSettings<Props extends Partial<DefaultedSettings>>(stored: Props): Props & DefaultedSettings {
  const present = Object.entries(stored).filter(([, value]) => value !== undefined);
  return { ...settingDefaults, ...Object.fromEntries(present) } as Props & DefaultedSettings;
}

/** Inputs or outputs as the state keeps them. */
export function withoutDefaults<Props extends Partial<DefaultedSettings> & { config: SsoConnectorConfig }>(
  props: Props,
): Props {
  const defaults: Record<string, unknown> = settingDefaults;
  const kept = Object.entries(props).filter(
    ([key, value]) => value !== undefined && JSON.stringify(value) !== JSON.stringify(defaults[key]),
  );
  const { trustUnverifiedEmail, ...config } = props.config;
  return { ...Object.fromEntries(kept), config: trustUnverifiedEmail === false ? config : props.config } as Props;
}

export function requestBody(stored: SsoConnectorInputs): ConnectorBody {
  const inputs = withSettings(stored);
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
export function outputsFromRow(
  row: SsoConnectorRow,
  recorded: Partial<DefaultedSettings> & OnEndpoint & AdoptionOutputs & OnPublicOrigin,
  knownSecret: string,
): SsoConnectorOutputs {
  const branding: SsoConnectorBranding = {};
  for (const key of ["displayName", "logo", "darkLogo"] as const) {
    const value = row.branding?.[key];
    if (typeof value === "string") branding[key] = value;
  }
  // Logto's OIDC config guard makes these strings; the document types the config as an open record.
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const config: SsoConnectorConfig = {
    clientId: text(row.config.clientId),
    clientSecret: hiddenSecret(row.config.clientSecret) ? knownSecret : text(row.config.clientSecret),
    issuer: text(row.config.issuer),
    trustUnverifiedEmail: row.config.trustUnverifiedEmail === true,
  };
  if (typeof row.config.scope === "string" && row.config.scope !== "") config.scope = row.config.scope;
  return withoutDefaults({
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
    publicOrigin: recorded.publicOrigin,
    formerPublicOrigins: recorded.formerPublicOrigins,
    adopted: recorded.adopted,
    allowUserRelink: recorded.allowUserRelink,
    clientOwnership: recorded.clientOwnership,
    connectorId: row.id,
    callbackUri: callbackUriFor(recorded.publicOrigin, row.id),
  });
}

export async function getConnector(client: ManagementClient, id: string, action: string): Promise<SsoConnectorRow> {
  return (await client.send({ method: "GET", path: "/api/sso-connectors/{id}", params: { id }, action })).data;
}
