/**
 * Runs the program under `pulumi.runtime.setMocks` and records every resource registration: type, name,
 * URN, parent, dependencies, provider, options and the inputs exactly as the engine would receive them
 * (secret inputs stay wrapped in Pulumi's secret envelope).
 */
import * as pulumi from "@pulumi/pulumi";
import type { RawStackConfig } from "../../infra/config";
import type { StackOutputs } from "../../infra/stack";

export const project = "logto-entra-sso";

export const types = {
  azureadProvider: "pulumi:providers:azuread",
  registration: "azuread:index/applicationRegistration:ApplicationRegistration",
  apiAccess: "azuread:index/applicationApiAccess:ApplicationApiAccess",
  servicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
  grant: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
  password: "azuread:index/applicationPassword:ApplicationPassword",
  redirectUris: "azuread:index/applicationRedirectUris:ApplicationRedirectUris",
  connector: "pulumi-nodejs:dynamic/logto:SsoConnector",
  application: "pulumi-nodejs:dynamic/logto:Application",
  applicationSecret: "pulumi-nodejs:dynamic/logto:ApplicationSecret",
  signInSwitch: "pulumi-nodejs:dynamic/logto:SignInExperienceSso",
  userLinkGuard: "pulumi-nodejs:dynamic/logto:UserLinkGuard",
  organization: "pulumi-nodejs:dynamic/logto:Organization",
  organizationGuard: "pulumi-nodejs:dynamic/logto:OrganizationGuard",
  image: "docker:index/image:Image",
  container: "docker:index/container:Container",
  volume: "docker:index/volume:Volume",
  command: "command:local:Command",
  entraApp: "logto-entra-sso:entra:EntraOidcApp",
  ssoConnection: "logto-entra-sso:logto:EnterpriseSsoConnection",
  webApp: "logto-entra-sso:logto:LogtoWebApp",
  sampleApp: "logto-entra-sso:app:SampleApp",
} as const;

export const invokeTokens = {
  publishedAppIds: "azuread:index/getApplicationPublishedAppIds:getApplicationPublishedAppIds",
  servicePrincipal: "azuread:index/getServicePrincipal:getServicePrincipal",
};

export const graphAppId = "00000003-0000-0000-c000-000000000000";
export const graphObjectId = "0c3e5fb2-7d16-4a7b-9b48-4b8c4c2f1a11";

/** Delegated permissions as Microsoft Graph publishes them (real ids). */
export const graphPermissionScopes = [
  { value: "openid", id: "37f7f235-527c-4136-accd-4a02d197296e" },
  { value: "profile", id: "14dad69e-099b-42c9-810b-d002981feec1" },
  { value: "email", id: "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0" },
  { value: "offline_access", id: "7427e0e9-2fba-42fe-b0c0-848c9e6a8182" },
  { value: "User.Read", id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d" },
  { value: "Mail.Read", id: "570282fd-fa5c-430d-a7fd-fc8dc98a9dca" },
  { value: "Calendars.Read", id: "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42" },
].map((scope) => ({ ...scope, enabled: true, type: "User", adminConsentDescription: "", userConsentDescription: "" }));

export function graphScopeId(value: string): string {
  const scope = graphPermissionScopes.find((s) => s.value === value);
  if (!scope) throw new Error(`test data has no Graph scope ${value}`);
  return scope.id;
}

export const logtoEndpointValue = "https://auth.example.test";

/**
 * What the mocked connectors' check records (providers/logto/ssoConnector/check.ts): Logto's public origin and the
 * ones it answered at before. Tests of a move change it and put it back.
 */
export const mockedLogtoOrigins = { publicOrigin: logtoEndpointValue, formerPublicOrigins: [] as string[] };

/** What the mocked Entra hands out as a client secret: it changes with the rotation period. */
export function entraSecretFor(passwordName: string, period: string): string {
  return `entra-secret-marker-${passwordName}-${period}`;
}

export function logtoAppSecretFor(secretVersion: string): string {
  return `logto-app-secret-marker-${secretVersion}`;
}

export type Inputs = { [key: string]: unknown };

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  provider: string;
  dependencies: string[];
  protect: boolean;
  deleteBeforeReplace: boolean;
  retainOnDelete: boolean;
  /** The `replacementTrigger` option's value; undefined when none was given. */
  replacementTrigger: unknown;
  additionalSecretOutputs: string[];
  /** Names of the aliases given (`{ name }` aliases: a former name in the same parent). */
  aliasNames: string[];
  /** As received, secrets wrapped. */
  inputs: Inputs;
}

export interface RecordedCall {
  token: string;
  inputs: Inputs;
  provider: string;
}

export interface Recording {
  resources: RecordedResource[];
  calls: RecordedCall[];
}

/** The parts of the engine's RegisterResourceRequest the recorder reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getProtect(): boolean;
  getDeletebeforereplace(): boolean;
  getRetainondelete(): boolean;
  getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
  getAdditionalsecretoutputsList(): string[];
  getAliasesList(): Array<{ getSpec(): { getName(): string } | undefined }>;
}
interface RegisterResponse {
  getUrn(): string;
}
type RegisterCallback = (error: unknown, response: RegisterResponse | undefined) => void;
interface MockMonitorLike {
  registerResource(request: RegisterRequest, callback: RegisterCallback): Promise<void>;
}

const secretSignatureKey = pulumi.runtime.specialSigKey;
const secretSignature = pulumi.runtime.specialSecretSig;

export function isSecretEnvelope(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Inputs)[secretSignatureKey] === secretSignature;
}

/** The value with every secret envelope opened. */
export function reveal(value: unknown): unknown {
  if (isSecretEnvelope(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

/** The value as it would show in plain text: every secret envelope replaced by "[secret]". */
export function plainText(value: unknown): string {
  const redact = (item: unknown): unknown => {
    if (isSecretEnvelope(item)) return "[secret]";
    if (Array.isArray(item)) return item.map(redact);
    if (typeof item === "object" && item !== null) {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, redact(v)]));
    }
    return item;
  };
  return JSON.stringify(redact(value));
}

function mockState(type: string, name: string, inputs: Inputs): { id: string; state: Inputs } {
  const plain = reveal(inputs) as Inputs;
  switch (type) {
    case types.registration:
      return {
        id: `/applications/object-${name}`,
        state: { ...inputs, objectId: `object-${name}`, clientId: `client-${name}` },
      };
    case types.servicePrincipal:
      return { id: `/servicePrincipals/sp-${name}`, state: { ...inputs, objectId: `sp-${name}` } };
    case types.password: {
      const period = (plain.rotateWhenChanged as { period: string }).period;
      return {
        id: `password-${name}-${period}`,
        state: { ...inputs, keyId: `key-${name}-${period}`, value: entraSecretFor(name, period) },
      };
    }
    case types.connector: {
      const connectorId = `conn-${name}`;
      return {
        id: connectorId,
        state: {
          ...inputs,
          ...mockedLogtoOrigins,
          connectorId,
          callbackUri: `${mockedLogtoOrigins.publicOrigin}/callback/${connectorId}`,
        },
      };
    }
    case types.application:
      return { id: `app-${name}`, state: { ...inputs, applicationId: `app-${name}`, adopted: false } };
    case types.applicationSecret: {
      const version = String(plain.name).replace(/^pulumi-managed-/, "");
      return {
        id: `${String(plain.applicationId)}/${String(plain.name)}`,
        state: { ...inputs, value: logtoAppSecretFor(version) },
      };
    }
    // As the provider records it at create: adopted when it took over an existing organization.
    case types.organization:
      return { id: `${name}-id`, state: { ...inputs, adopted: plain.adoptOrganizationId !== "" } };
    case types.image:
      return { id: `image-${name}`, state: { ...inputs, repoDigest: `sha256:image-of-${name}` } };
    default:
      return { id: `${name}-id`, state: inputs };
  }
}

function mockCall(token: string, inputs: Inputs): Inputs {
  if (token === invokeTokens.publishedAppIds) {
    return {
      id: "published",
      result: { MicrosoftGraph: graphAppId, Office365ExchangeOnline: "00000002-0000-0ff1-ce00-000000000000" },
    };
  }
  if (token === invokeTokens.servicePrincipal && inputs.clientId === graphAppId) {
    return {
      id: graphObjectId,
      objectId: graphObjectId,
      clientId: graphAppId,
      displayName: "Microsoft Graph",
      oauth2PermissionScopes: graphPermissionScopes,
    };
  }
  throw new Error(`unexpected invoke ${token} ${JSON.stringify(inputs)}`);
}

/** Installs fresh mocks for one program run and returns what it records. */
export async function startRecording(options: { stack?: string; preview?: boolean } = {}): Promise<Recording> {
  const recording: Recording = { resources: [], calls: [] };
  const pendingOptions = new Map<string, Omit<RecordedResource, "urn" | "inputs" | "provider">>();
  const byKey = new Map<string, RecordedResource>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const key = `${args.type}::${args.name}`;
        const options = pendingOptions.get(key);
        if (!options) throw new Error(`no registration request seen for ${key}`);
        const resource: RecordedResource = { ...options, urn: "", provider: args.provider ?? "", inputs: args.inputs };
        recording.resources.push(resource);
        byKey.set(key, resource);
        return mockState(args.type, args.name, args.inputs);
      },
      call(args) {
        recording.calls.push({ token: args.token, inputs: args.inputs, provider: args.provider ?? "" });
        return mockCall(args.token, args.inputs);
      },
    },
    project,
    options.stack ?? "dev",
    options.preview ?? false,
  );
  // The mock monitor does not hand parent, dependencies or options to `newResource`: read them from the
  // registration request itself.
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const key = `${request.getType()}::${request.getName()}`;
    pendingOptions.set(key, {
      type: request.getType(),
      name: request.getName(),
      parent: request.getParent(),
      custom: !request.getType().startsWith(`${project}:`),
      dependencies: request.getDependenciesList(),
      protect: request.getProtect(),
      deleteBeforeReplace: request.getDeletebeforereplace(),
      retainOnDelete: request.getRetainondelete(),
      replacementTrigger: request.getReplacementTrigger()?.toJavaScript(),
      additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
      aliasNames: request
        .getAliasesList()
        .flatMap((alias) => (alias.getSpec() ? [alias.getSpec()?.getName() ?? ""] : [])),
    });
    return register(request, (error, response) => {
      const resource = byKey.get(key);
      if (resource && response) resource.urn = response.getUrn();
      callback(error, response);
    });
  };
  return recording;
}

/** Resolves an Output (or a structure of them) with its secretness. */
export async function settle<T>(output: pulumi.Input<T>): Promise<{ value: T; secret: boolean }> {
  const out = pulumi.output(output);
  const [value, secret] = await Promise.all([
    new Promise<T>((resolve) => out.apply((v) => resolve(v as T))),
    pulumi.isSecret(out),
  ]);
  return { value, secret };
}

/** Waits until every registration the program started has reached the mocks. */
export async function finish(): Promise<void> {
  await pulumi.runtime.disconnect();
}

export function find(recording: Recording, type: string, name?: string): RecordedResource {
  const matches = recording.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (matches.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`);
  }
  return matches[0];
}

export function ofType(recording: Recording, type: string): RecordedResource[] {
  return recording.resources.filter((r) => r.type === type);
}

export interface ProgramRun {
  recording: Recording;
  outputs: StackOutputs;
  /** The stack outputs, resolved, with whether any of them is secret. */
  settled: { value: unknown; secret: boolean };
}

/** Validates the config and declares the stack under fresh mocks, as `pulumi up` would at `now`. */
export async function runProgram(raw: RawStackConfig, now: Date, stack = "dev"): Promise<ProgramRun> {
  const recording = await startRecording({ stack });
  // Imported only once the mocks are in place.
  const { validateStackConfig } = await import("../../infra/config");
  const { deployStack } = await import("../../infra/stack");
  const outputs = deployStack(validateStackConfig(raw, { stack, now }), { now, sampleAppBuildContext: "app" });
  const settled = await settle(outputs);
  await finish();
  return { recording, outputs, settled };
}
