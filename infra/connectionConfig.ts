/** One customer tenant's connection in the stack config: its fields, and checks across connections. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { domainProblems, urlProblems } from "../providers/logto/validation";
import {
  ValidationContext,
  choice,
  configKey,
  fieldToken,
  flag,
  objectToken,
  lines,
  problem,
  report,
  secretText,
  setHint,
  setting,
  settings,
  stringList,
  text,
  wholeNumber,
} from "./configSchema";
import { OrganizationConfig, connectionOrganizationSchema, organizationConfig } from "./organizationConfig";
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

/** managed: the stack creates the Entra app registration; provided: the customer's admin made it. */
export const connectionModes = ["managed", "provided"] as const;

/**
 * How the azuread provider of one connection signs in to its tenant, in the provider's own arguments. Absent: the
 * ambient login (Azure CLI, or the ARM_* environment variables), as the azuread provider does by default.
 */
export type AzureCredentials = { clientId: string } & (
  | { kind: "clientSecret"; clientSecret: pulumi.Output<string> }
  | { kind: "clientCertificate"; clientCertificatePath: string; clientCertificatePassword?: pulumi.Output<string> }
  | { kind: "oidc"; useOidc: true; oidcTokenFilePath?: string }
);

/** The settings of one mode only, and those a valid connection does not keep as they are. */
type ConvertedSettings = keyof typeof managedOnlyShape | keyof typeof providedOnlyShape | "mode" | "name" | "tenantId";

interface ConnectionCommon extends Omit<ConnectionSettings, ConvertedSettings | "connectorName" | "organization"> {
  /** Short name used in resource names. */
  name: string;
  /** Connector name in Logto (unique in the Logto tenant). */
  connectorName: string;
  tenantId: string;
  /** Extra scopes the Logto connector requests (offline_access added for token storage). */
  connectorScopes: string[];
  /** Graph delegated permissions the Entra app requests and the admin consent covers. */
  graphScopes: string[];
  /** The customer's Logto organization, joined through this connection's connector; none when unset. */
  organization?: OrganizationConfig;
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
const nameRule = "lowercase letters, digits and dashes, up to 40, starting with a letter";

function guidFix(what: string, value: unknown): string {
  const text = typeof value === "string" ? value : "";
  const lowercase = guidPattern.test(text.toLowerCase())
    ? ` Write it in lowercase ("${text.toLowerCase()}"), as Entra's issuer does.`
    : "";
  return `give ${what}, a GUID.${lowercase} ${setHint("<guid>")}`;
}

/** A GUID; unset is a problem only when `required`. */
function guid(what: string, required = true) {
  return setting((value, ctx): string | undefined => {
    if (value === undefined && !required) return undefined;
    if (typeof value === "string" && guidPattern.test(value)) return value;
    problem(ctx, value, guidFix(what, value));
    return typeof value === "string" ? value : "";
  });
}

function validName(value: unknown): value is string {
  return typeof value === "string" && connectionNamePattern.test(value);
}

const httpsImageUrl = text("give an https:// URL of an image.", (url, ctx) => {
  const issues = urlProblems(fieldToken, url, { allowPath: true, allowTrailingSlash: true });
  if (issues.length === 0 && !url.startsWith("https://")) {
    issues.push(`${fieldToken} is "${url}": the sign-in page is served over https, so use an https:// URL.`);
  }
  lines(ctx, issues);
  return issues.length === 0 ? url : undefined;
});

const secretFix = "set it with: pulumi config set --secret --path '{path}' <value>.";

const credentialsShape = {
  clientId: guid("the application (client) id of the identity that deploys to this tenant"),
  clientSecret: secretText(secretFix),
  clientCertificatePath: text("give the path of a PKCS#12 (.pfx) file."),
  clientCertificatePassword: secretText(secretFix),
  useOidc: flag(false),
  oidcTokenFilePath: text("give the path of the federated token file."),
};

const credentialsSchema = settings(credentialsShape, (credentials, ctx) => {
  const methods = [
    credentials.clientSecret && "clientSecret",
    credentials.clientCertificatePath && "clientCertificatePath",
    credentials.useOidc && "useOidc",
  ].filter((method): method is string => typeof method === "string");
  if (methods.length !== 1) {
    problem(
      ctx,
      methods.length === 0 ? "no sign-in method" : methods.join(" and "),
      "give exactly one way to sign in: clientSecret (secret), clientCertificatePath (with clientCertificatePassword if the file has one), or useOidc: true (workload identity federation); or leave credentials out to use the ambient Azure login.",
    );
    return;
  }
  if (credentials.clientCertificatePassword && !credentials.clientCertificatePath) {
    problem(ctx, "set", "it only applies with clientCertificatePath.", ["clientCertificatePassword"]);
  }
  if (credentials.oidcTokenFilePath !== undefined && !credentials.useOidc) {
    problem(ctx, credentials.oidcTokenFilePath, "it only applies with useOidc: true.", ["oidcTokenFilePath"]);
  }
});
type CredentialSettings = z.output<typeof credentialsSchema>;

const brandingShape = {
  displayName: text("give the name shown on the sign-in button."),
  logo: httpsImageUrl,
  darkLogo: httpsImageUrl,
};

const commonShape = {
  name: setting((value, ctx) => {
    if (validName(value)) return value;
    problem(ctx, value, `give a short name (${nameRule}); it names the resources: ${setHint("contoso")}.`);
    return undefined;
  }),
  /** Names this connection had before: aliases, so a rename updates in place instead of replacing. */
  formerNames: stringList('["contoso-old"]', (names, ctx) =>
    names.filter((former, index) => {
      if (validName(former)) return true;
      problem(ctx, former, `a former connection name follows the same rule as name (${nameRule}).`, [index]);
      return false;
    }),
  ),
  mode: choice(connectionModes, "managed"),
  connectorName: text("give the connector a name that is unique in the Logto tenant."),
  tenantId: guid("the customer's Entra tenant (directory) id as shown in Entra admin center > Overview > Tenant ID"),
  domains: stringList(
    '["contoso.com"]',
    (domains, ctx) => {
      lines(ctx, domainProblems(fieldToken, domains));
      return domains;
    },
    `list at least one email domain of the customer: Logto sends users to this IdP by the domain of their address (${setHint("contoso.com", "{path}[0]")}).`,
  ),
  /** Graph scopes besides openid, profile and email. */
  extraScopes: stringList('["User.Read", "Mail.Read"]', (scopes, ctx) => {
    lines(ctx, scopeProblems(fieldToken, scopes));
    scopes.forEach((scope, index) => {
      const first = scopes.indexOf(scope);
      if (first !== index) problem(ctx, scope, `it repeats ${fieldToken}[${first}]: list each scope once.`, [index]);
    });
    return scopes;
  }),
  tokenStorage: flag(false),
  syncProfile: flag(false),
  trustUnverifiedEmail: flag(false),
  branding: settings(brandingShape),
  signInAudience: choice(signInAudiences, connectionDefaults.signInAudience, (audience) =>
    personalAccountAudiences.includes(audience)
      ? "personal Microsoft accounts sign in with another issuer than the tenant's, which the Logto connector would reject;"
      : undefined,
  ),
  /**
   * Apply a change that cuts every user's link to their Logto account (a new issuer, app registration or
   * connector); such a change is refused without it.
   */
  allowUserRelink: flag(false),
  organization: connectionOrganizationSchema,
};
/** Unset here, so that setting them in the other mode is told apart from their defaults. */
const managedOnlyShape = {
  keepAppRegistration: flag(undefined),
  adminConsent: flag(undefined),
  secretRotationDays: wholeNumber({
    fallback: undefined,
    min: 1,
    max: maxSecretRotationDays,
    why: `a secret lives for its period plus ${secretGraceDays} days, and Entra allows at most two years`,
  }),
  credentials: credentialsSchema.optional(),
};
const providedClientIdWhat =
  "the application (client) id of the customer's app registration (Entra admin center > App registrations > Overview)";
const providedSecretFix =
  "set the client secret the customer's admin gave you with: pulumi config set --secret --path '{path}' <value>.";
const providedOnlyShape = {
  clientId: guid(providedClientIdWhat, false),
  clientSecret: secretText(providedSecretFix),
};
const connectionShape = { ...commonShape, ...managedOnlyShape, ...providedOnlyShape };
export const connectionKeys = Object.keys(connectionShape);
export const brandingKeys = Object.keys(brandingShape);
export const credentialKeys = Object.keys(credentialsShape);

type ConnectionSettings = z.output<ReturnType<typeof connectionSchema>>;

function connectorNameOf(connection: ConnectionSettings, index: number, context: ValidationContext): string {
  return connection.connectorName ?? `${context.stack}-${connection.name ?? `connection-${index}`}`;
}

/** Settings of the other mode are refused rather than ignored: a user who sets them expects an effect. */
function refuseOtherModeKeys(connection: ConnectionSettings, ctx: z.RefinementCtx): void {
  const managed = connection.mode === "managed";
  for (const key of Object.keys(managed ? providedOnlyShape : managedOnlyShape) as Array<keyof ConnectionSettings>) {
    if (connection[key] === undefined) continue;
    // Secrets, and objects that hold them, are only said to be set.
    const shown = ["clientSecret", "credentials"].includes(key) ? "set" : connection[key];
    problem(
      ctx,
      shown,
      managed
        ? `it belongs to mode: provided (a customer-made app registration); the stack makes the app registration and its secret itself in mode: managed. Remove it, or ${setHint("provided", `${objectToken}.mode`)}.`
        : "it applies only to mode: managed; in mode: provided the customer's admin owns the app registration, its secret and consent. Remove it.",
      [key],
    );
  }
}

function connectionSchema(context: ValidationContext) {
  return settings(connectionShape, (connection, ctx) => {
    refuseOtherModeKeys(connection, ctx);
    const connectorName = connection.connectorName ?? `${context.stack}-${connection.name}`;
    if (connectorName.length > 128) {
      problem(ctx, connectorName, "Logto allows at most 128 characters; shorten it.", ["connectorName"]);
    }
    if (connection.signInAudience === "AzureADMultipleOrgs" && connection.trustUnverifiedEmail) {
      // nOAuth: the consenting tenant's admin sets `mail`; Logto checks neither its domain against the connector's
      // domains nor the tenant (it reads userinfo too, so Entra's own filtering of the email claim does not help).
      problem(
        ctx,
        true,
        "any Entra tenant's administrator can consent to a multi-tenant app and give a user any mail address, and Logto would link that user to the Logto account with this address (whatever its domain): remove trustUnverifiedEmail, or give each customer tenant its own connection with signInAudience: AzureADMyOrg.",
        ["trustUnverifiedEmail"],
      );
    }
    const current = "it is the connection's current name: list only names it had before.";
    connection.formerNames.forEach((former, index) => {
      if (former === connection.name) problem(ctx, former, current, ["formerNames", index]);
    });
    if (connection.mode !== "provided") return;
    if (connection.clientId === undefined) {
      problem(ctx, undefined, guidFix(providedClientIdWhat, undefined), ["clientId"]);
    }
    if (connection.clientSecret === undefined) {
      report(ctx, `${fieldToken} is not set: ${providedSecretFix}`, ["clientSecret"]);
    }
  });
}

/**
 * Two connections sharing a name, connector name or email domain would make routing ambiguous. Entries that
 * are no object are undefined here, so that indexes stay those of the config.
 */
function crossConnectionProblems(
  connections: Array<ConnectionSettings | undefined>,
  context: ValidationContext,
  ctx: z.RefinementCtx,
): void {
  const names = connections.map((connection, index) => connection && (connection.name ?? `connection-${index}`));
  const connectorNames = connections.map(
    (connection, index) => connection && connectorNameOf(connection, index, context),
  );
  const domainOwner = new Map<string, number>();
  connections.forEach((connection, index) => {
    if (!connection) return;
    const sameName = names.indexOf(names[index]);
    if (sameName !== index) {
      const why = `connections[${sameName}] has this name too: give each connection its own name.`;
      problem(ctx, names[index], why, [index, "name"]);
    }
    connection.formerNames.forEach((former, formerIndex) => {
      const owner = connections.findIndex(
        (other, otherIndex) =>
          other !== undefined &&
          otherIndex !== index &&
          (names[otherIndex] === former || (otherIndex < index && other.formerNames.includes(former))),
      );
      if (owner !== -1) {
        problem(
          ctx,
          former,
          `connections[${owner}] ${names[owner] === former ? "is called so" : "lists it as a former name too"}: one set of resources cannot move to two connections.`,
          [index, "formerNames", formerIndex],
        );
      }
    });
    const sameConnector = connectorNames.indexOf(connectorNames[index]);
    // A repeated name repeats the default connector name: one message is enough.
    if (sameConnector !== index && sameName === index) {
      problem(
        ctx,
        connectorNames[index],
        `connections[${sameConnector}] uses this connector name too; Logto requires unique names.`,
        [index, "connectorName"],
      );
    }
    connection.domains.forEach((domain, domainIndex) => {
      const first = domainOwner.get(domain.toLowerCase());
      if (first === undefined) {
        domainOwner.set(domain.toLowerCase(), index);
      } else if (first !== index) {
        problem(
          ctx,
          domain,
          `connections[${first}] (${names[first]}) lists this domain too; Logto would not know which IdP to send these users to. Keep each domain on one connection.`,
          [index, "domains", domainIndex],
        );
      }
    });
  });
}

/** `connections`: one per customer Entra tenant, and the rules between them. */
export function connectionsSchema(context: ValidationContext) {
  return z
    .array(connectionSchema(context), { error: "it must be a list of connections (one per customer Entra tenant)." })
    .superRefine((connections, ctx) => crossConnectionProblems(connections, context, ctx));
}

function credentialsOf(credentials: CredentialSettings): AzureCredentials {
  const { clientSecret, clientCertificatePath, clientCertificatePassword, oidcTokenFilePath } = credentials;
  const clientId = credentials.clientId ?? "";
  if (clientSecret) return { kind: "clientSecret", clientId, clientSecret: pulumi.secret(clientSecret) };
  if (clientCertificatePath) {
    const password = clientCertificatePassword
      ? { clientCertificatePassword: pulumi.secret(clientCertificatePassword) }
      : {};
    return { kind: "clientCertificate", clientId, clientCertificatePath, ...password };
  }
  return { kind: "oidc", clientId, useOidc: true, ...(oidcTokenFilePath !== undefined ? { oidcTokenFilePath } : {}) };
}

/** What a valid connection's settings mean for the people running the stack. */
function connectionNotices(connection: ConnectionSettings, field: string): string[] {
  const { extraScopes, tokenStorage, trustUnverifiedEmail, signInAudience, allowUserRelink } = connection;
  return [
    tokenStorage && !extraScopes.includes(offlineAccessScope)
      ? `${field}.tokenStorage is on, so ${offlineAccessScope} was added to the scopes of both Entra and Logto (without it Entra issues no refresh token to store); list it in extraScopes to make this explicit.`
      : "",
    trustUnverifiedEmail
      ? `${field}.trustUnverifiedEmail is on: Logto will treat email addresses from tenant ${connection.tenantId} as verified although Entra sends no email_verified and some tenants let users edit their address.`
      : "",
    signInAudience === "AzureADMultipleOrgs"
      ? `${field}.signInAudience is AzureADMultipleOrgs: the connector trusts the "organizations" issuer, so a user of any Entra tenant whose admin consented to the app can sign in through it; list every customer tenant's domains in domains.`
      : "",
    allowUserRelink
      ? `${field}.allowUserRelink is on: a change of this connection's issuer (tenantId, signInAudience), app registration (mode, clientId) or connector is applied although every user who signed in through it loses the link to their Logto account (linked again at their next sign-in only by a verified email address, else given a new, empty account). Remove it after the pulumi up that needed it.`
      : "",
  ].filter((notice) => notice !== "");
}

/** The typed connection of valid settings, with its defaults; `notices` gets what should be known about it. */
export function connectionConfig(
  connection: ConnectionSettings,
  index: number,
  context: ValidationContext,
  notices: string[],
): ConnectionConfig {
  notices.push(...connectionNotices(connection, `${configKey("connections")}[${index}]`));
  const { mode, name = "", tenantId = "", organization, clientId = "", clientSecret, ...settings } = connection;
  const { keepAppRegistration, adminConsent, secretRotationDays, credentials, ...plain } = settings;
  const common: ConnectionCommon = {
    ...plain,
    name,
    tenantId,
    connectorName: connectorNameOf(connection, index, context),
    connectorScopes: connectorScopes(plain.extraScopes, plain.tokenStorage),
    graphScopes: graphScopeNames(plain.extraScopes, plain.tokenStorage),
    branding: plain.branding ?? {},
    ...(organization ? { organization: organizationConfig(connection) } : {}),
  };
  if (mode === "provided") return { ...common, mode, clientId, clientSecret: pulumi.secret(clientSecret ?? "") };
  return {
    ...common,
    mode,
    keepAppRegistration: keepAppRegistration ?? false,
    adminConsent: adminConsent ?? true,
    secretRotationDays: secretRotationDays ?? connectionDefaults.secretRotationDays,
    ...(credentials ? { credentials: credentialsOf(credentials) } : {}),
  };
}
