/** One customer tenant's connection in the stack config: its fields, and checks across connections. */
import { domainProblems, scopeProblems, urlProblems } from "../providers/logto/validation";
import {
  Problems,
  ValidationContext,
  configKey,
  readBoolean,
  readChoice,
  readInteger,
  readObject,
  readString,
  readStringList,
  setHint,
} from "./configReaders";
import { secretGraceDays } from "./rotation";
import { connectorScopes, graphScopeNames, offlineAccessScope } from "./scopes";

export const signInAudiences = ["AzureADMyOrg", "AzureADMultipleOrgs"] as const;
export type SignInAudience = (typeof signInAudiences)[number];
const personalAccountAudiences = ["AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"];

export const connectionDefaults = {
  secretRotationDays: 180,
  signInAudience: "AzureADMyOrg" as SignInAudience,
};

/** Entra refuses client secrets valid for more than two years; the grace period counts too. */
export const maxSecretRotationDays = 730 - secretGraceDays;

export interface ConnectionBranding {
  displayName?: string;
  logo?: string;
  darkLogo?: string;
}

export interface ConnectionConfig {
  /** Short name used in resource names. */
  name: string;
  /** Connector name in Logto (unique in the Logto tenant). */
  connectorName: string;
  tenantId: string;
  domains: string[];
  /** Graph scopes as configured, besides openid, profile and email. */
  extraScopes: string[];
  /** Extra scopes the Logto connector requests (offline_access added for token storage). */
  connectorScopes: string[];
  /** Graph delegated permissions the Entra app requests and the admin consent covers. */
  graphScopes: string[];
  tokenStorage: boolean;
  syncProfile: boolean;
  trustUnverifiedEmail: boolean;
  branding: ConnectionBranding;
  signInAudience: SignInAudience;
  adminConsent: boolean;
  secretRotationDays: number;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const connectionNamePattern = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

function httpsUrlProblems(field: string, value: string): string[] {
  const problems = urlProblems(field, value, { allowPath: true, allowTrailingSlash: true });
  if (problems.length === 0 && !value.startsWith("https://")) {
    problems.push(`${field} is "${value}": the sign-in page is served over https, so use an https:// URL.`);
  }
  return problems;
}

export const connectionKeys = [
  "name",
  "connectorName",
  "tenantId",
  "domains",
  "extraScopes",
  "tokenStorage",
  "syncProfile",
  "trustUnverifiedEmail",
  "branding",
  "signInAudience",
  "adminConsent",
  "secretRotationDays",
] as const;
export const brandingKeys = ["displayName", "logo", "darkLogo"] as const;

function readBranding(value: unknown, field: string, problems: Problems): ConnectionBranding {
  const fields = readObject(value, field, problems, brandingKeys) ?? {};
  const branding: ConnectionBranding = {};
  const displayName = readString(fields.displayName, `${field}.displayName`, problems, "give the name shown on the sign-in button.");
  if (displayName !== undefined) branding.displayName = displayName;
  for (const logoKey of ["logo", "darkLogo"] as const) {
    const url = readString(fields[logoKey], `${field}.${logoKey}`, problems, "give an https:// URL of an image.");
    if (url === undefined) continue;
    const urlIssues = httpsUrlProblems(`${field}.${logoKey}`, url);
    problems.addAll(urlIssues);
    if (urlIssues.length === 0) branding[logoKey] = url;
  }
  return branding;
}

function readTenantId(value: unknown, field: string, problems: Problems): string {
  const text = typeof value === "string" ? value : "";
  if (guidPattern.test(text)) return text;
  const lowercase = guidPattern.test(text.toLowerCase())
    ? ` Write it in lowercase ("${text.toLowerCase()}"), as Entra's issuer does.`
    : "";
  problems.add(
    field,
    value,
    `give the customer's Entra tenant (directory) id, a GUID as shown in Entra admin center > Overview > Tenant ID.${lowercase} ${setHint(field, "<tenant-guid>")}`,
  );
  return text;
}

function readScopes(value: unknown, field: string, problems: Problems): string[] {
  const scopes = readStringList(value, field, problems, '["User.Read", "Mail.Read"]');
  problems.addAll(scopeProblems(field, scopes));
  scopes.forEach((scope, index) => {
    const first = scopes.indexOf(scope);
    if (first !== index) problems.add(`${field}[${index}]`, scope, `it repeats ${field}[${first}]: list each scope once.`);
  });
  return scopes;
}

export function readConnection(
  value: unknown,
  index: number,
  context: ValidationContext,
  problems: Problems,
  notices: string[],
): ConnectionConfig | undefined {
  const field = `${configKey("connections")}[${index}]`;
  const fields = readObject(value, field, problems, connectionKeys);
  if (!fields) return undefined;
  let name = `connection-${index}`;
  if (typeof fields.name === "string" && connectionNamePattern.test(fields.name)) {
    name = fields.name;
  } else {
    problems.add(
      `${field}.name`,
      fields.name,
      `give a short lowercase name (letters, digits and dashes, up to 40, starting with a letter); it names the resources: ${setHint(`${field}.name`, "contoso")}.`,
    );
  }
  const connectorName =
    readString(fields.connectorName, `${field}.connectorName`, problems, "give the connector a name that is unique in the Logto tenant.") ??
    `${context.stack}-${name}`;
  if (connectorName.length > 128) {
    problems.add(`${field}.connectorName`, connectorName, "Logto allows at most 128 characters; shorten it.");
  }
  const tenantId = readTenantId(fields.tenantId, `${field}.tenantId`, problems);

  const domains = readStringList(fields.domains, `${field}.domains`, problems, '["contoso.com"]');
  if (Array.isArray(fields.domains) ? fields.domains.length === 0 : fields.domains === undefined) {
    problems.add(
      `${field}.domains`,
      fields.domains,
      `list at least one email domain of the customer: Logto sends users to this IdP by the domain of their address (${setHint(`${field}.domains[0]`, "contoso.com")}).`,
    );
  }
  problems.addAll(domainProblems(`${field}.domains`, domains));

  const extraScopes = readScopes(fields.extraScopes, `${field}.extraScopes`, problems);
  const tokenStorage = readBoolean(fields.tokenStorage, `${field}.tokenStorage`, false, problems);
  if (tokenStorage && !extraScopes.includes(offlineAccessScope)) {
    notices.push(
      `${field}.tokenStorage is on, so ${offlineAccessScope} was added to the scopes of both Entra and Logto (without it Entra issues no refresh token to store); list it in extraScopes to make this explicit.`,
    );
  }
  const trustUnverifiedEmail = readBoolean(fields.trustUnverifiedEmail, `${field}.trustUnverifiedEmail`, false, problems);
  if (trustUnverifiedEmail) {
    notices.push(
      `${field}.trustUnverifiedEmail is on: Logto will treat email addresses from tenant ${tenantId} as verified although Entra sends no email_verified and some tenants let users edit their address.`,
    );
  }

  return {
    name,
    connectorName,
    tenantId,
    domains,
    extraScopes,
    connectorScopes: connectorScopes(extraScopes, tokenStorage),
    graphScopes: graphScopeNames(extraScopes, tokenStorage),
    tokenStorage,
    syncProfile: readBoolean(fields.syncProfile, `${field}.syncProfile`, false, problems),
    trustUnverifiedEmail,
    branding: readBranding(fields.branding, `${field}.branding`, problems),
    signInAudience: readChoice(
      fields.signInAudience,
      `${field}.signInAudience`,
      signInAudiences,
      connectionDefaults.signInAudience,
      problems,
      (audience) =>
        personalAccountAudiences.includes(audience)
          ? "personal Microsoft accounts sign in with another issuer than the tenant's, which the Logto connector would reject;"
          : undefined,
    ),
    adminConsent: readBoolean(fields.adminConsent, `${field}.adminConsent`, true, problems),
    secretRotationDays: readInteger(
      fields.secretRotationDays,
      `${field}.secretRotationDays`,
      {
        fallback: connectionDefaults.secretRotationDays,
        min: 1,
        max: maxSecretRotationDays,
        why: `a secret lives for its period plus ${secretGraceDays} days, and Entra allows at most two years`,
      },
      problems,
    ),
  };
}

/**
 * Two connections sharing a name, connector name or email domain would make routing ambiguous. Entries
 * that are no object are undefined here, so that indexes stay those of the config.
 */
export function crossConnectionProblems(connections: Array<ConnectionConfig | undefined>, problems: Problems): void {
  const field = configKey("connections");
  const firstWith = (pick: (c: ConnectionConfig) => string, value: string) =>
    connections.findIndex((other) => other !== undefined && pick(other) === value);
  const domainOwner = new Map<string, number>();
  connections.forEach((connection, index) => {
    if (!connection) return;
    const sameName = firstWith((c) => c.name, connection.name);
    if (sameName !== index) {
      problems.add(`${field}[${index}].name`, connection.name, `connections[${sameName}] has this name too: give each connection its own name.`);
    }
    const sameConnector = firstWith((c) => c.connectorName, connection.connectorName);
    // A repeated name repeats the default connector name: one message is enough.
    if (sameConnector !== index && sameName === index) {
      problems.add(
        `${field}[${index}].connectorName`,
        connection.connectorName,
        `connections[${sameConnector}] uses this connector name too; Logto requires unique names.`,
      );
    }
    connection.domains.forEach((domain, domainIndex) => {
      const first = domainOwner.get(domain.toLowerCase());
      if (first === undefined) {
        domainOwner.set(domain.toLowerCase(), index);
      } else if (first !== index) {
        problems.add(
          `${field}[${index}].domains[${domainIndex}]`,
          domain,
          `connections[${first}] (${connections[first]?.name}) lists this domain too; Logto would not know which IdP to send these users to. Keep each domain on one connection.`,
        );
      }
    });
  });
}
