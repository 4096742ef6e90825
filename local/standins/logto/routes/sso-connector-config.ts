import providerList from "../data/sso-connector-providers.json";
import { discoverIssuer, type DiscoveryOptions } from "../discovery";
import { boolean, object, optional, string, type GuardIssue } from "../guard";
import { ApiError } from "../http";
import { jsonbOrdered } from "../json";
import type { SsoConnectorRow } from "../state";
import type { RouteContext } from "./context";

export interface ProviderDetail {
  providerName: string;
  providerType: string;
  logo: string;
  logoDark: string;
  description: string;
  name: string;
}

/** GET /api/sso-connector-providers as recorded (01-*). */
export const ssoConnectorProviders: readonly ProviderDetail[] = providerList;

export function providerDetail(providerName: string): ProviderDetail | undefined {
  return ssoConnectorProviders.find((provider) => provider.providerName === providerName);
}

// Logto validates these providers' config with its basic OIDC guard; the stand-in models only those.
const oidcConfigProviders = ["OIDC", "AzureAdOidc", "Okta"];

const oidcConfigSchema = object({
  clientId: string(),
  clientSecret: string(),
  issuer: string(),
  scope: optional(string()),
  trustUnverifiedEmail: optional(boolean()),
});

export interface OidcConnectorConfig {
  clientId: string;
  clientSecret: string;
  issuer: string;
  scope?: string;
  trustUnverifiedEmail: boolean;
}

const invalidConfig = (data?: unknown): ApiError =>
  new ApiError(400, {
    code: "connector.invalid_config",
    ...(data === undefined ? {} : { data }),
    message: "The connector's config is invalid.",
  });

/** The config as Logto stores it: known keys only, `trustUnverifiedEmail` defaulting to false; undefined if invalid. */
function parseOidcConfig(config: Record<string, unknown>): OidcConnectorConfig | undefined {
  const issues: GuardIssue[] = [];
  const parsed = oidcConfigSchema.parse(config, [], issues);
  if (!parsed.ok) return undefined;
  return { ...parsed.value, trustUnverifiedEmail: parsed.value.trustUnverifiedEmail ?? false };
}

/** Validates a `config` sent on POST/PATCH: 400 `connector.invalid_config` when incomplete (07e, 26c). */
export function parseConnectorConfig(providerName: string, config: Record<string, unknown>): OidcConnectorConfig {
  if (!oidcConfigProviders.includes(providerName)) {
    throw new ApiError(501, {
      code: "standin.unsupported_provider_config",
      message: `The stand-in validates connector config for ${oidcConfigProviders.join(", ")} only; create ${providerName} connectors without \`config\`.`,
    });
  }
  const parsed = parseOidcConfig(config);
  if (!parsed) throw invalidConfig();
  return parsed;
}

const discoveryOptions = ({ settings, signal }: RouteContext): DiscoveryOptions => ({
  timeoutMs: settings.issuerFetchTimeoutMs,
  signal,
  trustedCa: settings.trustedCa,
});

/** Saving a config makes Logto fetch the issuer's discovery document; failing that is a 400 (06-*, 08c). */
export async function assertIssuerReachable(config: OidcConnectorConfig, context: RouteContext): Promise<void> {
  const discovery = await discoverIssuer(config.issuer, discoveryOptions(context));
  if (!discovery.ok) throw invalidConfig(discovery.failure);
}

/** Logto always asks for `openid profile email` and adds the configured scopes after them (07g, 27). */
export function scopeWithDefaults(scope = ""): string {
  return [...new Set(["openid", "profile", "email", ...scope.split(/[ +]/).filter(Boolean)])].join(" ");
}

/** The connector's effective IdP config, fetched at read time; undefined when the issuer is unreachable (09b-2). */
async function providerConfigOf(
  row: SsoConnectorRow,
  context: RouteContext,
): Promise<Record<string, unknown> | undefined> {
  if (!oidcConfigProviders.includes(row.providerName)) return undefined;
  const config = parseOidcConfig(row.config);
  if (!config) return undefined;
  const discovery = await discoverIssuer(config.issuer, discoveryOptions(context));
  if (!discovery.ok) return undefined;
  return { ...config, ...discovery.endpoints, scope: scopeWithDefaults(config.scope) };
}

/** The raw row, as POST answers it (07-*). */
export function connectorRowJson(row: SsoConnectorRow): Record<string, unknown> {
  return {
    tenantId: row.tenantId,
    id: row.id,
    providerName: row.providerName,
    connectorName: row.connectorName,
    config: jsonbOrdered(row.config),
    domains: row.domains,
    branding: jsonbOrdered(row.branding),
    syncProfile: row.syncProfile,
    enableTokenStorage: row.enableTokenStorage,
    createdAt: row.createdAt,
  };
}

/** What a read shows instead of the stored client secret; undefined: the secret itself (as recorded). */
function shownClientSecret(mode: RouteContext["settings"]["connectorSecretOnRead"]): string | undefined {
  if (mode === "masked") return "********";
  if (mode === "empty") return "";
  return undefined;
}

/** The row plus provider details, as GET and PATCH answer it (09-*). */
export async function connectorWithProviderDetails(
  row: SsoConnectorRow,
  context: RouteContext,
): Promise<Record<string, unknown>> {
  const provider = providerDetail(row.providerName);
  const json = connectorRowJson(row);
  const shownSecret = shownClientSecret(context.settings.connectorSecretOnRead);
  if (shownSecret !== undefined && typeof row.config.clientSecret === "string") {
    json.config = { ...(json.config as Record<string, unknown>), clientSecret: shownSecret };
  }
  const providerConfig = await providerConfigOf(row, context);
  return {
    ...json,
    name: provider?.name,
    providerType: provider?.providerType,
    providerLogo: provider?.logo,
    providerLogoDark: provider?.logoDark,
    providerConfig:
      providerConfig && shownSecret !== undefined ? { ...providerConfig, clientSecret: shownSecret } : providerConfig,
  };
}
