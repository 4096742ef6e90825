/**
 * The whole stack configuration, read and checked once before any resource is declared. Every problem is
 * collected and reported together: field, value, why it is wrong, and how to fix it. Secret values are
 * never part of a message and leave this module wrapped in secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { domainProblems, scopeProblems, urlProblems } from "../providers/logto/validation";
import { parseEpochDate, secretGraceDays } from "./rotation";
import { connectorScopes, graphScopeNames, offlineAccessScope } from "./scopes";

/** The project name in Pulumi.yaml, and so the namespace of this program's config keys. */
export const projectNamespace = "logto-entra-sso";

export const signInAudiences = ["AzureADMyOrg", "AzureADMultipleOrgs"] as const;
export type SignInAudience = (typeof signInAudiences)[number];
const personalAccountAudiences = ["AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"];

export const restartPolicies = ["no", "on-failure", "always", "unless-stopped"] as const;
export type RestartPolicy = (typeof restartPolicies)[number];

export const defaults = {
  rotationEpoch: "2025-01-01",
  secretRotationDays: 180,
  signInAudience: "AzureADMyOrg" as SignInAudience,
  port: 8080,
  bindAddress: "127.0.0.1",
  restartPolicy: "unless-stopped" as RestartPolicy,
  appSecretVersion: "1",
};

/** Entra refuses client secrets valid for more than two years; the grace period counts too. */
export const maxSecretRotationDays = 730 - secretGraceDays;
/** Flask's SECRET_KEY signs the session cookie; the sample app refuses shorter keys. */
export const minSecretKeyLength = 32;

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

export interface SampleAppConfig {
  /** Build and run the container (and check it). The Logto application exists either way. */
  enabled: boolean;
  baseUrl: string;
  port: number;
  bindAddress: string;
  restartPolicy: RestartPolicy;
  imageName: string;
  logtoAppName: string;
  appSecretVersion: string;
  /** Flask SECRET_KEY; set whenever the app is enabled. */
  secretKey?: pulumi.Output<string>;
}

export interface StackConfig {
  logtoEndpoint: string;
  connections: ConnectionConfig[];
  sampleApp: SampleAppConfig;
  protect: boolean;
  rotationEpoch: string;
  /** What the validation fixed up on its own, to be logged. */
  notices: string[];
}

/** Values as the engine hands them over: strings, or (in tests) already structured values. */
export interface RawStackConfig {
  /** `logto:endpoint` */
  logtoEndpoint?: unknown;
  connections?: unknown;
  sampleApp?: unknown;
  protect?: unknown;
  rotationEpoch?: unknown;
}

export interface ValidationContext {
  stack: string;
  now: Date;
}

type Fields = { [key: string]: unknown };

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const connectionNamePattern = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const imageNamePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
const secretVersionPattern = /^[A-Za-z0-9._-]{1,64}$/;
const ipv4Pattern = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function key(name: string): string {
  return `${projectNamespace}:${name}`;
}

/** The command that sets a value; `field` is the full key, e.g. `logto-entra-sso:connections[0].name`. */
function setHint(field: string, example: string): string {
  const path = field.startsWith(`${projectNamespace}:`) ? field.slice(projectNamespace.length + 1) : field;
  return `pulumi config set --path '${path}' ${example}`;
}

/** Collects problems; every reader returns a usable fallback so that checking goes on. */
class Problems {
  readonly list: string[] = [];

  add(field: string, value: unknown, why: string): void {
    const shown = value === undefined ? "not set" : JSON.stringify(value);
    this.list.push(`${field} is ${shown}: ${why}`);
  }

  addAll(problems: string[]): void {
    this.list.push(...problems);
  }
}

/** Object and list settings arrive from the engine as JSON text. */
function structured(value: unknown, field: string, problems: Problems): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    problems.add(field, value, "it must be a YAML object or list in Pulumi.<stack>.yaml, not plain text.");
    return undefined;
  }
}

/** The object's fields; undefined (and one problem) when it is no object, so its fields are not checked. */
function readObject(
  value: unknown,
  field: string,
  problems: Problems,
  known: readonly string[],
): Fields | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.add(field, value, `it must be an object with the keys ${known.join(", ")}.`);
    return undefined;
  }
  const fields = value as Fields;
  for (const name of Object.keys(fields)) {
    if (!known.includes(name)) {
      problems.add(`${field}.${name}`, fields[name], `unknown setting; the known ones are ${known.join(", ")}.`);
    }
  }
  return fields;
}

function readBoolean(value: unknown, field: string, fallback: boolean, problems: Problems): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  problems.add(field, value, `use true or false (${setHint(field, String(!fallback))}).`);
  return fallback;
}

function readInteger(
  value: unknown,
  field: string,
  range: { fallback: number; min: number; max: number; why: string },
  problems: Problems,
): number {
  if (value === undefined) return range.fallback;
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number === "number" && Number.isInteger(number) && number >= range.min && number <= range.max) {
    return number;
  }
  problems.add(field, value, `use a whole number from ${range.min} to ${range.max} (${range.why}).`);
  return range.fallback;
}

/** A non-empty string, or undefined when unset (a wrong type is a problem). */
function readString(value: unknown, field: string, problems: Problems, fix: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && value.trim() !== "") return value;
  problems.add(field, value, fix);
  return undefined;
}

function readStringList(value: unknown, field: string, problems: Problems, example: string): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  problems.add(field, value, `it must be a list of strings, e.g. ${example}.`);
  return [];
}

function readChoice<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
  fallback: T,
  problems: Problems,
  explain: (value: string) => string | undefined = () => undefined,
): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  const reason = typeof value === "string" ? explain(value) : undefined;
  problems.add(field, value, `${reason ? `${reason} ` : ""}use one of ${allowed.join(", ")}.`);
  return fallback;
}

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

function readConnection(
  value: unknown,
  index: number,
  context: ValidationContext,
  problems: Problems,
  notices: string[],
): ConnectionConfig | undefined {
  const field = `${key("connections")}[${index}]`;
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
      defaults.signInAudience,
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
        fallback: defaults.secretRotationDays,
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
function crossConnectionProblems(connections: Array<ConnectionConfig | undefined>, problems: Problems): void {
  const field = key("connections");
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

export const sampleAppKeys = [
  "enabled",
  "baseUrl",
  "port",
  "bindAddress",
  "restartPolicy",
  "imageName",
  "logtoAppName",
  "appSecretVersion",
  "secretKey",
] as const;

function readSecretKey(value: unknown, field: string, enabled: boolean, problems: Problems): pulumi.Output<string> | undefined {
  const fix = `set it with: pulumi config set --secret --path sampleApp.secretKey "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"`;
  // Only the length is ever reported: the value is a secret.
  if (value !== undefined && typeof value !== "string") {
    problems.list.push(`${field} is not a string: ${fix}.`);
  } else if (typeof value === "string" && value.length < minSecretKeyLength) {
    problems.list.push(
      `${field} is ${value.length} characters long: Flask signs sessions with it, so use at least ${minSecretKeyLength} random characters; ${fix}.`,
    );
  } else if (typeof value === "string") {
    return pulumi.secret(value);
  } else if (enabled) {
    problems.list.push(`${field} is not set but the sample app is enabled: ${fix} (or set sampleApp.enabled to false).`);
  }
  return undefined;
}

function readBaseUrl(value: unknown, field: string, port: number, enabled: boolean, problems: Problems): string {
  const baseUrl = readString(value, field, problems, "give the URL users open the app at.") ?? `http://localhost:${port}`;
  const issues = urlProblems(field, baseUrl, { allowPath: true, allowTrailingSlash: false });
  problems.addAll(issues);
  if (issues.length === 0 && enabled) {
    const url = new URL(baseUrl);
    const urlPort = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    if (["localhost", "127.0.0.1"].includes(url.hostname) && urlPort !== port) {
      problems.add(
        field,
        baseUrl,
        `it points at port ${urlPort} of this machine but the container is published on sampleApp.port ${port}: make them match, or Logto redirects users to the wrong port.`,
      );
    }
  }
  return baseUrl;
}

function readSampleApp(value: unknown, context: ValidationContext, problems: Problems): SampleAppConfig {
  const field = key("sampleApp");
  // When sampleApp is no object, its fields are checked as if unset, without a second message about them.
  const fields = readObject(structured(value, field, problems), field, problems, sampleAppKeys) ?? { enabled: false };
  const enabled = readBoolean(fields.enabled, `${field}.enabled`, true, problems);
  const port = readInteger(
    fields.port,
    `${field}.port`,
    { fallback: defaults.port, min: 1, max: 65535, why: "the host port the container is published on" },
    problems,
  );
  const bindAddress =
    readString(fields.bindAddress, `${field}.bindAddress`, problems, "give an IPv4 address such as 127.0.0.1.") ?? defaults.bindAddress;
  if (!ipv4Pattern.test(bindAddress)) {
    problems.add(`${field}.bindAddress`, bindAddress, "give an IPv4 address: 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces).");
  }
  const imageName =
    readString(fields.imageName, `${field}.imageName`, problems, "give a Docker image name.") ??
    `${projectNamespace}-sample:${context.stack.toLowerCase()}`;
  if (!imageNamePattern.test(imageName)) {
    problems.add(`${field}.imageName`, imageName, "give a Docker image reference in lowercase, e.g. logto-entra-sso-sample:dev.");
  }
  const appSecretVersion =
    readString(fields.appSecretVersion, `${field}.appSecretVersion`, problems, "give a version label such as 2.") ??
    defaults.appSecretVersion;
  if (!secretVersionPattern.test(appSecretVersion)) {
    problems.add(`${field}.appSecretVersion`, appSecretVersion, "use 1 to 64 letters, digits, dots, dashes or underscores.");
  }
  const secretKey = readSecretKey(fields.secretKey, `${field}.secretKey`, enabled, problems);
  return {
    enabled,
    baseUrl: readBaseUrl(fields.baseUrl, `${field}.baseUrl`, port, enabled, problems),
    port,
    bindAddress,
    restartPolicy: readChoice(fields.restartPolicy, `${field}.restartPolicy`, restartPolicies, defaults.restartPolicy, problems),
    imageName,
    logtoAppName:
      readString(fields.logtoAppName, `${field}.logtoAppName`, problems, "give the application a name.") ??
      `Sample app (${context.stack})`,
    appSecretVersion,
    ...(secretKey ? { secretKey } : {}),
  };
}

function readLogtoEndpoint(value: unknown, problems: Problems): string {
  const field = "logto:endpoint";
  if (typeof value !== "string" || value === "") {
    problems.add(field, value, "run `pulumi config set logto:endpoint https://<your-logto-host>` (the Logto origin, no path).");
    return "";
  }
  const issues = urlProblems(field, value, { allowPath: false, allowTrailingSlash: false });
  problems.addAll(issues.map((issue) => `${issue} Fix: pulumi config set logto:endpoint <origin>.`));
  return value;
}

function readRotationEpoch(value: unknown, now: Date, problems: Problems): string {
  const field = key("rotationEpoch");
  if (value === undefined) return defaults.rotationEpoch;
  const epoch = typeof value === "string" ? parseEpochDate(value) : undefined;
  if (!epoch) {
    problems.add(field, value, `give a calendar date as YYYY-MM-DD (pulumi config set rotationEpoch ${defaults.rotationEpoch}).`);
    return defaults.rotationEpoch;
  }
  if (epoch.getTime() > now.getTime()) {
    problems.add(field, value, "it is in the future; rotation periods count from it, so use a past date.");
    return defaults.rotationEpoch;
  }
  return value as string;
}

/** Checks the raw settings and returns the typed config; throws one error that lists every problem. */
export function validateStackConfig(raw: RawStackConfig, context: ValidationContext): StackConfig {
  const problems = new Problems();
  const notices: string[] = [];
  const logtoEndpoint = readLogtoEndpoint(raw.logtoEndpoint, problems);

  const connectionsField = key("connections");
  const connectionsValue = structured(raw.connections, connectionsField, problems);
  let connections: ConnectionConfig[] = [];
  if (connectionsValue !== undefined && !Array.isArray(connectionsValue)) {
    problems.add(connectionsField, connectionsValue, "it must be a list of connections (one per customer Entra tenant).");
  } else if (Array.isArray(connectionsValue)) {
    const read = connectionsValue.map((value, index) => readConnection(value, index, context, problems, notices));
    crossConnectionProblems(read, problems);
    connections = read.filter((connection): connection is ConnectionConfig => connection !== undefined);
  }
  if (connections.length === 0) {
    notices.push(`${connectionsField} is empty: no enterprise SSO connection is made and the sign-in experience is left as it is.`);
  }

  const protect = readBoolean(raw.protect, key("protect"), false, problems);
  const rotationEpoch = readRotationEpoch(raw.rotationEpoch, context.now, problems);
  const sampleApp = readSampleApp(raw.sampleApp, context, problems);

  if (problems.list.length > 0) {
    throw new Error(
      `The stack configuration of "${context.stack}" has ${problems.list.length} problem(s); fix them in Pulumi.${context.stack}.yaml:\n  - ${problems.list.join("\n  - ")}`,
    );
  }
  return { logtoEndpoint, connections, sampleApp, protect, rotationEpoch, notices };
}

/** Reads the stack config through the engine, validates it, and logs what was fixed up. */
export function loadStackConfig(now: Date = new Date()): StackConfig {
  const own = new pulumi.Config(projectNamespace);
  // Plain reads: validation needs the values now; the one secret is rewrapped as a secret Output.
  const config = validateStackConfig(
    {
      logtoEndpoint: new pulumi.Config("logto").get("endpoint"),
      connections: own.get("connections"),
      sampleApp: own.get("sampleApp"),
      protect: own.get("protect"),
      rotationEpoch: own.get("rotationEpoch"),
    },
    { stack: pulumi.getStack(), now },
  );
  for (const notice of config.notices) pulumi.log.info(notice);
  return config;
}
