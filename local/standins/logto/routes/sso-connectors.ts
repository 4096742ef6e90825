import { array, boolean, guardBody, object, optional, record, string, transform } from "../guard";
import { ApiError, notExistsWithId } from "../http";
import { newConnectorId } from "../ids";
import { paginate } from "../pagination";
import { singleSignOnDomainBlackList } from "../public-email-domains";
import { newestFirst, tenantId, type LogtoState, type SsoConnectorRow } from "../state";
import type { Route, RouteContext } from "./context";
import {
  assertIssuerReachable,
  connectorRowJson,
  connectorWithProviderDetails,
  parseConnectorConfig,
  providerDetail,
  ssoConnectorProviders,
} from "./sso-connector-config";

// Logto's own list, not the provider's: the stand-in must catch a wrong list in the provider.
const publicEmailDomains = new Set(singleSignOnDomainBlackList);

// Domains are lowercased before anything else looks at them (25c reports "A.example" as "a.example").
const domainsSchema = transform(array(string()), (domains) => domains.map((domain) => domain.toLowerCase()));
const brandingSchema = object({
  displayName: optional(string()),
  logo: optional(string()),
  darkLogo: optional(string()),
});
const connectorNameSchema = string({ min: 1, max: 128 });

// Key order decides the order of reported issues (15b: providerName before connectorName).
const createSchema = object({
  config: optional(record()),
  domains: optional(domainsSchema),
  branding: optional(brandingSchema),
  syncProfile: optional(boolean()),
  enableTokenStorage: optional(boolean()),
  providerName: string({ min: 1, max: 128 }),
  connectorName: connectorNameSchema,
});

const patchSchema = object({
  config: optional(record()),
  domains: optional(domainsSchema),
  branding: optional(brandingSchema),
  syncProfile: optional(boolean()),
  connectorName: optional(connectorNameSchema),
  enableTokenStorage: optional(boolean()),
});

function checkDomains(domains: string[]): void {
  const forbidden = [...new Set(domains.filter((domain) => publicEmailDomains.has(domain)))];
  if (forbidden.length > 0) {
    throw new ApiError(422, {
      code: "single_sign_on.forbidden_domains",
      data: { data: forbidden },
      message: "Public email domains are not allowed.",
    });
  }
  const duplicated = [...new Set(domains.filter((domain, index) => domains.indexOf(domain) !== index))];
  if (duplicated.length > 0) {
    throw new ApiError(422, {
      code: "single_sign_on.duplicated_domains",
      data: { data: duplicated },
      message: "There are duplicate domains.",
    });
  }
}

function checkNameFree(state: LogtoState, connectorName: string, ownId?: string): void {
  const holder = state.connectorByName(connectorName);
  if (holder && holder.id !== ownId) {
    throw new ApiError(409, {
      code: "single_sign_on.duplicate_connector_name",
      message: "Connector name already exists. Please choose a different name.",
    });
  }
}

/** Token storage keeps IdP tokens in Logto's secret vault, which needs a key on the server (25b). */
function checkTokenStorage(enableTokenStorage: boolean | undefined, context: RouteContext): void {
  if (enableTokenStorage && !context.settings.secretVaultConfigured) {
    throw new ApiError(422, {
      code: "request.feature_not_supported",
      message: "This feature is not supported in the current environment.",
    });
  }
}

function existingConnector(context: RouteContext): SsoConnectorRow {
  const [id] = context.params;
  const row = context.state.ssoConnectors.get(id);
  if (!row) throw notExistsWithId("sso_connectors", id);
  return row;
}

async function createConnector(context: RouteContext) {
  const body = guardBody(createSchema, context.body);
  if (!providerDetail(body.providerName)) {
    throw new ApiError(422, {
      code: "connector.not_found",
      message: `Cannot find any available connector for type: ${body.providerName}.`,
    });
  }
  if (body.domains) checkDomains(body.domains);
  const config = body.config && parseConnectorConfig(body.providerName, body.config);
  checkNameFree(context.state, body.connectorName);
  checkTokenStorage(body.enableTokenStorage, context);
  if (config) await assertIssuerReachable(config, context);
  // Again: another request may have taken the name while discovery ran (Logto has a unique index).
  checkNameFree(context.state, body.connectorName);

  const row: SsoConnectorRow = {
    tenantId,
    id: newConnectorId(),
    providerName: body.providerName,
    connectorName: body.connectorName,
    config: config ? { ...config } : {},
    domains: body.domains ?? [],
    branding: body.branding ?? {},
    syncProfile: body.syncProfile ?? false,
    enableTokenStorage: body.enableTokenStorage ?? false,
    createdAt: Date.now(),
  };
  context.state.ssoConnectors.set(row.id, row);
  return { status: 200, body: connectorRowJson(row) };
}

async function listConnectors(context: RouteContext) {
  const page = paginate(
    newestFirst(context.state.ssoConnectors.values()),
    context.query,
    context.origin,
    context.pathname,
  );
  const body = await Promise.all(page.rows.map((row) => connectorWithProviderDetails(row, context)));
  return { status: 200, body, headers: page.headers };
}

/** PATCH replaces `config`, `domains` and `branding` whole; a `config` is validated and re-discovered (26-*). */
async function patchConnector(context: RouteContext) {
  const body = guardBody(patchSchema, context.body);
  const original = existingConnector(context);
  if (body.domains) checkDomains(body.domains);
  if (body.connectorName !== undefined) checkNameFree(context.state, body.connectorName, original.id);
  const config = body.config && parseConnectorConfig(original.providerName, body.config);
  checkTokenStorage(body.enableTokenStorage, context);
  if (config) await assertIssuerReachable(config, context);

  // The connector may have been deleted, or the name taken, while discovery ran.
  const row = existingConnector(context);
  if (body.connectorName !== undefined) checkNameFree(context.state, body.connectorName, row.id);
  if (config) row.config = { ...config };
  if (body.domains) row.domains = body.domains;
  if (body.branding) row.branding = body.branding;
  if (body.syncProfile !== undefined) row.syncProfile = body.syncProfile;
  if (body.connectorName !== undefined) row.connectorName = body.connectorName;
  if (body.enableTokenStorage !== undefined) row.enableTokenStorage = body.enableTokenStorage;
  return { status: 200, body: await connectorWithProviderDetails(row, context) };
}

export const ssoConnectorRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/api\/sso-connector-providers$/,
    handle: () => ({ status: 200, body: ssoConnectorProviders }),
  },
  { method: "GET", pattern: /^\/api\/sso-connectors$/, handle: listConnectors },
  { method: "POST", pattern: /^\/api\/sso-connectors$/, handle: createConnector },
  {
    method: "GET",
    pattern: /^\/api\/sso-connectors\/([^/]+)$/,
    handle: async (context) => ({
      status: 200,
      body: await connectorWithProviderDetails(existingConnector(context), context),
    }),
  },
  { method: "PATCH", pattern: /^\/api\/sso-connectors\/([^/]+)$/, handle: patchConnector },
  {
    method: "DELETE",
    pattern: /^\/api\/sso-connectors\/([^/]+)$/,
    handle: (context) => {
      // Every user's link to it goes too (user_sso_identities: `on delete cascade`).
      context.state.deleteConnector(existingConnector(context).id);
      return { status: 204 };
    },
  },
];
