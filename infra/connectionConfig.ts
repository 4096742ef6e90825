/** One customer tenant's connection in the stack config: its fields, and checks across connections. */
import * as pulumi from "@pulumi/pulumi";
import { domainProblems, urlProblems } from "../providers/logto/validation";
import {
  Fields,
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
import { connectorScopes, graphScopeNames, offlineAccessScope, scopeProblems } from "./scopes";

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

export const connectionModes = ["managed", "provided"] as const;
/** managed: the stack creates the Entra app registration; provided: the customer's admin made it. */
export type ConnectionMode = (typeof connectionModes)[number];

/**
 * How the azuread provider of one connection signs in to its tenant. Absent: the ambient login (Azure CLI,
 * or the ARM_* environment variables), as the azuread provider does by default.
 */
export type AzureCredentials =
  | { kind: "clientSecret"; clientId: string; clientSecret: pulumi.Output<string> }
  | {
      kind: "clientCertificate";
      clientId: string;
      clientCertificatePath: string;
      clientCertificatePassword?: pulumi.Output<string>;
    }
  | { kind: "oidc"; clientId: string; oidcTokenFilePath?: string };

interface ConnectionCommon {
  /** Short name used in resource names. */
  name: string;
  /** Names this connection had before: aliases, so a rename updates in place instead of replacing. */
  formerNames: string[];
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
  /**
   * Apply a change that cuts every user's link to their Logto account (a new issuer, app registration or
   * connector); such a change is refused without it.
   */
  allowUserRelink: boolean;
}

export interface ManagedConnectionConfig extends ConnectionCommon {
  mode: "managed";
  /**
   * Leave the app registration, its service principal, consent, Graph access and redirect URI in Entra when the
   * stack stops managing them (mode: provided, the connection removed, destroy); the client secret still goes.
   */
  keepAppRegistration: boolean;
  adminConsent: boolean;
  secretRotationDays: number;
  credentials?: AzureCredentials;
}

export interface ProvidedConnectionConfig extends ConnectionCommon {
  mode: "provided";
  /** The application (client) id of the customer's app registration. */
  clientId: string;
  /** Its client secret, kept secret. */
  clientSecret: pulumi.Output<string>;
}

export type ConnectionConfig = ManagedConnectionConfig | ProvidedConnectionConfig;

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const connectionNamePattern = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

function httpsUrlProblems(field: string, value: string): string[] {
  const problems = urlProblems(field, value, { allowPath: true, allowTrailingSlash: true });
  if (problems.length === 0 && !value.startsWith("https://")) {
    problems.push(`${field} is "${value}": the sign-in page is served over https, so use an https:// URL.`);
  }
  return problems;
}

const commonKeys = [
  "name",
  "formerNames",
  "mode",
  "connectorName",
  "tenantId",
  "domains",
  "extraScopes",
  "tokenStorage",
  "syncProfile",
  "trustUnverifiedEmail",
  "branding",
  "signInAudience",
  "allowUserRelink",
] as const;
const managedOnlyKeys = ["keepAppRegistration", "adminConsent", "secretRotationDays", "credentials"] as const;
const providedOnlyKeys = ["clientId", "clientSecret"] as const;
export const connectionKeys = [...commonKeys, ...managedOnlyKeys, ...providedOnlyKeys] as const;
export const brandingKeys = ["displayName", "logo", "darkLogo"] as const;
export const credentialKeys = [
  "clientId",
  "clientSecret",
  "clientCertificatePath",
  "clientCertificatePassword",
  "useOidc",
  "oidcTokenFilePath",
] as const;

function readBranding(value: unknown, field: string, problems: Problems): ConnectionBranding {
  const fields = readObject(value, field, problems, brandingKeys) ?? {};
  const branding: ConnectionBranding = {};
  const displayName = readString(
    fields.displayName,
    `${field}.displayName`,
    problems,
    "give the name shown on the sign-in button.",
  );
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

function readGuid(value: unknown, field: string, problems: Problems, what: string): string {
  const text = typeof value === "string" ? value : "";
  if (guidPattern.test(text)) return text;
  const lowercase = guidPattern.test(text.toLowerCase())
    ? ` Write it in lowercase ("${text.toLowerCase()}"), as Entra's issuer does.`
    : "";
  problems.add(field, value, `give ${what}, a GUID.${lowercase} ${setHint(field, "<guid>")}`);
  return text;
}

function readTenantId(value: unknown, field: string, problems: Problems): string {
  return readGuid(
    value,
    field,
    problems,
    "the customer's Entra tenant (directory) id as shown in Entra admin center > Overview > Tenant ID",
  );
}

function readScopes(value: unknown, field: string, problems: Problems): string[] {
  const scopes = readStringList(value, field, problems, '["User.Read", "Mail.Read"]');
  problems.addAll(scopeProblems(field, scopes));
  scopes.forEach((scope, index) => {
    const first = scopes.indexOf(scope);
    if (first !== index)
      problems.add(`${field}[${index}]`, scope, `it repeats ${field}[${first}]: list each scope once.`);
  });
  return scopes;
}

function validName(value: unknown): value is string {
  return typeof value === "string" && connectionNamePattern.test(value);
}

const nameRule = "lowercase letters, digits and dashes, up to 40, starting with a letter";

function readFormerNames(value: unknown, field: string, name: string, problems: Problems): string[] {
  const names = readStringList(value, field, problems, '["contoso-old"]');
  return names.filter((former, index) => {
    if (!validName(former)) {
      problems.add(
        `${field}[${index}]`,
        former,
        `a former connection name follows the same rule as name (${nameRule}).`,
      );
      return false;
    }
    if (former === name) {
      problems.add(`${field}[${index}]`, former, "it is the connection's current name: list only names it had before.");
      return false;
    }
    return true;
  });
}

/**
 * A secret in a connection: only whether it is set and its type are ever reported. The value leaves this
 * module as a secret Output.
 */
function readSecretField(
  value: unknown,
  field: string,
  problems: Problems,
  fix: string,
): pulumi.Output<string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    problems.list.push(`${field} is ${typeof value === "string" ? "empty" : "not a string"}: ${fix}`);
    return undefined;
  }
  return pulumi.secret(value);
}

function readCredentials(value: unknown, field: string, problems: Problems): AzureCredentials | undefined {
  if (value === undefined) return undefined;
  const fields = readObject(value, field, problems, credentialKeys);
  if (!fields) return undefined;
  const clientId = readGuid(
    fields.clientId,
    `${field}.clientId`,
    problems,
    "the application (client) id of the identity that deploys to this tenant",
  );
  const secretFix = (key: string) =>
    `set it with: pulumi config set --secret --path '${field.slice(configKey("").length)}.${key}' <value>.`;
  const clientSecret = readSecretField(
    fields.clientSecret,
    `${field}.clientSecret`,
    problems,
    secretFix("clientSecret"),
  );
  const certificatePath = readString(
    fields.clientCertificatePath,
    `${field}.clientCertificatePath`,
    problems,
    "give the path of a PKCS#12 (.pfx) file.",
  );
  const certificatePassword = readSecretField(
    fields.clientCertificatePassword,
    `${field}.clientCertificatePassword`,
    problems,
    secretFix("clientCertificatePassword"),
  );
  const useOidc = readBoolean(fields.useOidc, `${field}.useOidc`, false, problems);
  const tokenFile = readString(
    fields.oidcTokenFilePath,
    `${field}.oidcTokenFilePath`,
    problems,
    "give the path of the federated token file.",
  );
  const methods = [
    clientSecret && "clientSecret",
    certificatePath && "clientCertificatePath",
    useOidc && "useOidc",
  ].filter((method): method is string => typeof method === "string");
  if (methods.length !== 1) {
    problems.add(
      field,
      methods.length === 0 ? "no sign-in method" : methods.join(" and "),
      "give exactly one way to sign in: clientSecret (secret), clientCertificatePath (with clientCertificatePassword if the file has one), or useOidc: true (workload identity federation); or leave credentials out to use the ambient Azure login.",
    );
    return undefined;
  }
  if (certificatePassword && !certificatePath) {
    problems.add(`${field}.clientCertificatePassword`, "set", "it only applies with clientCertificatePath.");
  }
  if (tokenFile !== undefined && !useOidc)
    problems.add(`${field}.oidcTokenFilePath`, tokenFile, "it only applies with useOidc: true.");
  if (clientSecret) return { kind: "clientSecret", clientId, clientSecret };
  if (certificatePath) {
    return {
      kind: "clientCertificate",
      clientId,
      clientCertificatePath: certificatePath,
      ...(certificatePassword ? { clientCertificatePassword: certificatePassword } : {}),
    };
  }
  return { kind: "oidc", clientId, ...(tokenFile !== undefined ? { oidcTokenFilePath: tokenFile } : {}) };
}

/** Settings of the other mode are refused rather than ignored: a user who sets them expects an effect. */
function refuseOtherModeKeys(fields: Fields, field: string, mode: ConnectionMode, problems: Problems): void {
  const foreign = mode === "managed" ? providedOnlyKeys : managedOnlyKeys;
  for (const key of foreign) {
    if (fields[key] === undefined) continue;
    const shown = key === "clientSecret" ? "set" : fields[key];
    problems.add(
      `${field}.${key}`,
      shown,
      mode === "managed"
        ? `it belongs to mode: provided (a customer-made app registration); the stack makes the app registration and its secret itself in mode: managed. Remove it, or ${setHint(`${field}.mode`, "provided")}.`
        : "it applies only to mode: managed; in mode: provided the customer's admin owns the app registration, its secret and consent. Remove it.",
    );
  }
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
  if (validName(fields.name)) {
    name = fields.name;
  } else {
    problems.add(
      `${field}.name`,
      fields.name,
      `give a short name (${nameRule}); it names the resources: ${setHint(`${field}.name`, "contoso")}.`,
    );
  }
  const mode = readChoice(fields.mode, `${field}.mode`, connectionModes, "managed", problems);
  refuseOtherModeKeys(fields, field, mode, problems);
  const connectorName =
    readString(
      fields.connectorName,
      `${field}.connectorName`,
      problems,
      "give the connector a name that is unique in the Logto tenant.",
    ) ?? `${context.stack}-${name}`;
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
  const trustUnverifiedEmail = readBoolean(
    fields.trustUnverifiedEmail,
    `${field}.trustUnverifiedEmail`,
    false,
    problems,
  );
  if (trustUnverifiedEmail) {
    notices.push(
      `${field}.trustUnverifiedEmail is on: Logto will treat email addresses from tenant ${tenantId} as verified although Entra sends no email_verified and some tenants let users edit their address.`,
    );
  }
  const signInAudience = readChoice(
    fields.signInAudience,
    `${field}.signInAudience`,
    signInAudiences,
    connectionDefaults.signInAudience,
    problems,
    (audience) =>
      personalAccountAudiences.includes(audience)
        ? "personal Microsoft accounts sign in with another issuer than the tenant's, which the Logto connector would reject;"
        : undefined,
  );
  if (signInAudience === "AzureADMultipleOrgs" && trustUnverifiedEmail) {
    // nOAuth: the consenting tenant's admin sets `mail`; Logto checks neither its domain against the connector's
    // domains nor the tenant (it reads userinfo too, so Entra's own filtering of the email claim does not help).
    problems.add(
      `${field}.trustUnverifiedEmail`,
      true,
      "any Entra tenant's administrator can consent to a multi-tenant app and give a user any mail address, and Logto would link that user to the Logto account with this address (whatever its domain): remove trustUnverifiedEmail, or give each customer tenant its own connection with signInAudience: AzureADMyOrg.",
    );
  } else if (signInAudience === "AzureADMultipleOrgs") {
    notices.push(
      `${field}.signInAudience is AzureADMultipleOrgs: the connector trusts the "organizations" issuer, so a user of any Entra tenant whose admin consented to the app can sign in through it; list every customer tenant's domains in domains.`,
    );
  }

  const allowUserRelink = readBoolean(fields.allowUserRelink, `${field}.allowUserRelink`, false, problems);
  if (allowUserRelink) {
    notices.push(
      `${field}.allowUserRelink is on: a change of this connection's issuer (tenantId, signInAudience), app registration (mode, clientId) or connector is applied although every user who signed in through it loses the link to their Logto account (linked again at their next sign-in only by a verified email address, else given a new, empty account). Remove it after the pulumi up that needed it.`,
    );
  }

  const common: ConnectionCommon = {
    name,
    formerNames: readFormerNames(fields.formerNames, `${field}.formerNames`, name, problems),
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
    signInAudience,
    allowUserRelink,
  };

  if (mode === "provided") {
    const clientId = readGuid(
      fields.clientId,
      `${field}.clientId`,
      problems,
      "the application (client) id of the customer's app registration (Entra admin center > App registrations > Overview)",
    );
    const secretFix = `set the client secret the customer's admin gave you with: pulumi config set --secret --path 'connections[${index}].clientSecret' <value>.`;
    const clientSecret = readSecretField(fields.clientSecret, `${field}.clientSecret`, problems, secretFix);
    if (fields.clientSecret === undefined) problems.list.push(`${field}.clientSecret is not set: ${secretFix}`);
    return clientSecret ? { ...common, mode, clientId, clientSecret } : undefined;
  }

  const credentials = readCredentials(fields.credentials, `${field}.credentials`, problems);
  return {
    ...common,
    mode,
    keepAppRegistration: readBoolean(fields.keepAppRegistration, `${field}.keepAppRegistration`, false, problems),
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
    ...(credentials ? { credentials } : {}),
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
      problems.add(
        `${field}[${index}].name`,
        connection.name,
        `connections[${sameName}] has this name too: give each connection its own name.`,
      );
    }
    connection.formerNames.forEach((former, formerIndex) => {
      const owner = connections.findIndex(
        (other, otherIndex) =>
          other !== undefined && (other.name === former || (otherIndex < index && other.formerNames.includes(former))),
      );
      if (owner !== -1) {
        problems.add(
          `${field}[${index}].formerNames[${formerIndex}]`,
          former,
          `connections[${owner}] ${connections[owner]?.name === former ? "is called so" : "lists it as a former name too"}: one set of resources cannot move to two connections.`,
        );
      }
    });
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
