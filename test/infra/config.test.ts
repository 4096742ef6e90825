/** Stack config validation: every problem is reported with field, value, reason and fix, all at once. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { RawStackConfig, StackConfig, defaultRotationEpoch, validateStackConfig } from "../../infra/config";
import { ConnectionInput, connection, now, rawConfig, secretKeyMarker, tenantIds } from "./fixtures";
import { dockerfileBaseImage } from "../../infra/sampleAppConfig";
import { logtoEndpointValue, settle } from "./harness";

const context = { stack: "dev", now };
const ns = "logto-entra-sso";

function validate(raw: RawStackConfig): StackConfig {
  return validateStackConfig(raw, context);
}

/** The problem lines of the one error validation throws. */
function problemsOf(raw: RawStackConfig): string[] {
  try {
    validate(raw);
  } catch (error) {
    const message = (error as Error).message;
    expect(message).toMatch(
      /^The stack configuration of "dev" has \d+ problem\(s\); fix them in Pulumi\.dev\.yaml \(every setting: docs\/configuration\.md\):\n/,
    );
    return message.split("\n  - ").slice(1);
  }
  throw new Error("validation passed, a problem was expected");
}

function withConnection(overrides: ConnectionInput): RawStackConfig {
  return rawConfig({ connections: [connection("contoso", overrides)] });
}

function withSampleApp(sampleApp: { [key: string]: unknown }): RawStackConfig {
  return rawConfig({ sampleApp: { secretKey: secretKeyMarker, ...sampleApp } });
}

const c0 = `${ns}:connections[0]`;
const app = `${ns}:sampleApp`;

/** [case, config, the one expected problem: starts with, contains]. */
const singleProblemCases: Array<[string, RawStackConfig, string, string]> = [
  [
    "endpoint missing",
    rawConfig({ logtoEndpoint: undefined }),
    "logto:endpoint is not set:",
    "pulumi config set logto:endpoint",
  ],
  [
    "endpoint not a URL",
    rawConfig({ logtoEndpoint: "auth.example.com" }),
    'logto:endpoint is "auth.example.com"',
    "absolute URL",
  ],
  [
    "endpoint with a path",
    rawConfig({ logtoEndpoint: "https://auth.example.com/oidc" }),
    'logto:endpoint is "https://auth.example.com/oidc"',
    "without a path",
  ],
  [
    "endpoint with a trailing slash",
    rawConfig({ logtoEndpoint: "https://auth.example.com/" }),
    'logto:endpoint is "https://auth.example.com/"',
    "remove the trailing slash",
  ],
  [
    "connections not a list",
    rawConfig({ connections: { name: "contoso" } }),
    `${ns}:connections is {"name":"contoso"}`,
    "must be a list",
  ],
  [
    "connections as broken text",
    rawConfig({ connections: "[{name: contoso" }),
    `${ns}:connections is "[{name: contoso"`,
    "YAML object or list",
  ],
  [
    "connection not an object",
    rawConfig({ connections: ["contoso"] }),
    `${c0} is "contoso"`,
    "must be an object with the keys name, formerNames, mode, connectorName, tenantId",
  ],
  [
    "unknown connection setting",
    withConnection({ domain: "contoso.com" }),
    `${c0}.domain is "contoso.com"`,
    "unknown setting; the known ones are name,",
  ],
  [
    "name missing",
    withConnection({ name: undefined }),
    `${c0}.name is not set`,
    "pulumi config set --path 'connections[0].name' contoso",
  ],
  [
    "name in capitals",
    withConnection({ name: "Contoso" }),
    `${c0}.name is "Contoso"`,
    "give a short name (lowercase letters, digits and dashes",
  ],
  [
    "connector name empty",
    withConnection({ connectorName: "" }),
    `${c0}.connectorName is ""`,
    "unique in the Logto tenant",
  ],
  [
    "connector name too long",
    withConnection({ connectorName: "x".repeat(129) }),
    `${c0}.connectorName is "xxx`,
    "at most 128 characters",
  ],
  [
    "tenant id missing",
    withConnection({ tenantId: undefined }),
    `${c0}.tenantId is not set`,
    "Entra admin center > Overview > Tenant ID",
  ],
  [
    "tenant id not a GUID",
    withConnection({ tenantId: "contoso.onmicrosoft.com" }),
    `${c0}.tenantId is "contoso.onmicrosoft.com"`,
    "a GUID",
  ],
  [
    "tenant id in capitals",
    withConnection({ tenantId: "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE" }),
    `${c0}.tenantId is "AAAAAAAA`,
    'Write it in lowercase ("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")',
  ],
  ["domains missing", withConnection({ domains: undefined }), `${c0}.domains is not set`, "at least one email domain"],
  ["domains empty", withConnection({ domains: [] }), `${c0}.domains is []`, "at least one email domain"],
  [
    "domains not a list",
    withConnection({ domains: "contoso.com" }),
    `${c0}.domains is "contoso.com"`,
    "list of strings",
  ],
  [
    "domain in capitals",
    withConnection({ domains: ["Contoso.com"] }),
    `${c0}.domains[0] is "Contoso.com"`,
    'lowercase without spaces ("contoso.com")',
  ],
  [
    "domain with @",
    withConnection({ domains: ["@contoso.com"] }),
    `${c0}.domains[0] is "@contoso.com"`,
    "bare email domain",
  ],
  [
    "public mail domain",
    withConnection({ domains: ["gmail.com"] }),
    `${c0}.domains[0] is "gmail.com"`,
    "public email domains",
  ],
  [
    "domain listed twice",
    withConnection({ domains: ["contoso.com", "contoso.com"] }),
    `${c0}.domains[1] repeats`,
    "list each domain once",
  ],
  [
    "scopes not a list",
    withConnection({ extraScopes: "User.Read" }),
    `${c0}.extraScopes is "User.Read"`,
    "list of strings",
  ],
  [
    "scope with a space",
    withConnection({ extraScopes: ["User Read"] }),
    `${c0}.extraScopes[0] is "User Read"`,
    "one word of printable ASCII",
  ],
  [
    "scope listed twice",
    withConnection({ extraScopes: ["User.Read", "User.Read"] }),
    `${c0}.extraScopes[1] is "User.Read"`,
    "list each scope once",
  ],
  [
    "flag not a boolean",
    withConnection({ tokenStorage: "yes" }),
    `${c0}.tokenStorage is "yes"`,
    "use true or false (pulumi config set --path 'connections[0].tokenStorage' true)",
  ],
  [
    "branding not an object",
    withConnection({ branding: "Contoso" }),
    `${c0}.branding is "Contoso"`,
    "must be an object with the keys displayName, logo, darkLogo",
  ],
  [
    "unknown branding setting",
    withConnection({ branding: { colour: "red" } }),
    `${c0}.branding.colour is "red"`,
    "unknown setting",
  ],
  [
    "display name not text",
    withConnection({ branding: { displayName: 5 } }),
    `${c0}.branding.displayName is 5`,
    "sign-in button",
  ],
  [
    "logo over http",
    withConnection({ branding: { logo: "http://contoso.com/logo.png" } }),
    `${c0}.branding.logo is "http://contoso.com/logo.png"`,
    "use an https:// URL",
  ],
  [
    "logo not a URL",
    withConnection({ branding: { darkLogo: "logo.png" } }),
    `${c0}.branding.darkLogo is "logo.png"`,
    "absolute URL",
  ],
  [
    "personal accounts",
    withConnection({ signInAudience: "PersonalMicrosoftAccount" }),
    `${c0}.signInAudience is "PersonalMicrosoftAccount"`,
    "another issuer than the tenant's, which the Logto connector would reject; use one of AzureADMyOrg, AzureADMultipleOrgs",
  ],
  [
    "trusting unverified email on a multi-tenant app",
    withConnection({ signInAudience: "AzureADMultipleOrgs", trustUnverifiedEmail: true }),
    `${c0}.trustUnverifiedEmail is true`,
    "any Entra tenant's administrator can consent to a multi-tenant app and give a user any mail address, and Logto would link that user to the Logto account with this address (whatever its domain): remove trustUnverifiedEmail, or give each customer tenant its own connection with signInAudience: AzureADMyOrg.",
  ],
  [
    "unknown audience",
    withConnection({ signInAudience: "Everyone" }),
    `${c0}.signInAudience is "Everyone"`,
    "use one of AzureADMyOrg, AzureADMultipleOrgs",
  ],
  [
    "rotation of 0 days",
    withConnection({ secretRotationDays: 0 }),
    `${c0}.secretRotationDays is 0`,
    "whole number from 1 to 700",
  ],
  [
    "rotation beyond two years",
    withConnection({ secretRotationDays: 701 }),
    `${c0}.secretRotationDays is 701`,
    "Entra allows at most two years",
  ],
  [
    "rotation of half days",
    withConnection({ secretRotationDays: 1.5 }),
    `${c0}.secretRotationDays is 1.5`,
    "whole number",
  ],
  ["protect not a boolean", rawConfig({ protect: "maybe" }), `${ns}:protect is "maybe"`, "use true or false"],
  [
    "manageSsoSwitch not a boolean",
    rawConfig({ manageSsoSwitch: "leave" }),
    `${ns}:manageSsoSwitch is "leave"`,
    "use true or false",
  ],
  ["epoch not a date", rawConfig({ rotationEpoch: "2025-02-30" }), `${ns}:rotationEpoch is "2025-02-30"`, "YYYY-MM-DD"],
  [
    "epoch in the future",
    rawConfig({ rotationEpoch: "2031-01-01" }),
    `${ns}:rotationEpoch is "2031-01-01"`,
    "in the future",
  ],
  ["sample app not an object", rawConfig({ sampleApp: [] }), `${app} is []`, "must be an object"],
  [
    "unknown sample app setting",
    withSampleApp({ prot: 8080 }),
    `${app}.prot is 8080`,
    "the known ones are enabled, baseUrl, port",
  ],
  [
    "port out of range",
    withSampleApp({ port: 70000, baseUrl: "https://app.example.com" }),
    `${app}.port is 70000`,
    "from 1 to 65535",
  ],
  [
    "port not a number",
    withSampleApp({ port: "http", baseUrl: "https://app.example.com" }),
    `${app}.port is "http"`,
    "whole number",
  ],
  [
    "bind address not IPv4",
    withSampleApp({ bindAddress: "localhost" }),
    `${app}.bindAddress is "localhost"`,
    "127.0.0.1 (this machine only) or 0.0.0.0",
  ],
  [
    "base URL with trailing slash",
    withSampleApp({ baseUrl: "https://app.example.com/" }),
    `${app}.baseUrl is "https://app.example.com/"`,
    "remove the trailing slash",
  ],
  [
    "base URL on another local port",
    withSampleApp({ baseUrl: "http://localhost:3000" }),
    `${app}.baseUrl is "http://localhost:3000"`,
    "published on sampleApp.port 8080",
  ],
  [
    "restart policy unknown",
    withSampleApp({ restartPolicy: "sometimes" }),
    `${app}.restartPolicy is "sometimes"`,
    "use one of no, on-failure, always, unless-stopped",
  ],
  [
    "network mode unknown",
    withSampleApp({ networkMode: "overlay" }),
    `${app}.networkMode is "overlay"`,
    "use one of bridge, host",
  ],
  [
    "base URL on another local port, host network",
    withSampleApp({ networkMode: "host", baseUrl: "http://127.0.0.1:3000" }),
    `${app}.baseUrl is "http://127.0.0.1:3000"`,
    "the container listens on sampleApp.port 8080",
  ],
  [
    "build network with a space",
    withSampleApp({ buildNetwork: "host only" }),
    `${app}.buildNetwork is "host only"`,
    "give host, none, default or the name of a Docker network",
  ],
  [
    "build network empty",
    withSampleApp({ buildNetwork: "" }),
    `${app}.buildNetwork is ""`,
    "give host, none, default or the name of a Docker network",
  ],
  [
    "base image in capitals",
    withSampleApp({ baseImage: "Python:3.11" }),
    `${app}.baseImage is "Python:3.11"`,
    "Docker image reference such as python:3.11.14-slim-bookworm",
  ],
  [
    "base image with a short digest",
    withSampleApp({ baseImage: "python:3.11@sha256:abc" }),
    `${app}.baseImage is "python:3.11@sha256:abc"`,
    "it is app/Dockerfile's BASE_IMAGE build argument",
  ],
  ["base image not text", withSampleApp({ baseImage: 311 }), `${app}.baseImage is 311`, "Docker image reference"],
  [
    "image name in capitals",
    withSampleApp({ imageName: "Sample:Dev" }),
    `${app}.imageName is "Sample:Dev"`,
    "Docker image reference in lowercase",
  ],
  ["app name empty", withSampleApp({ logtoAppName: " " }), `${app}.logtoAppName is " "`, "give the application a name"],
  [
    "secret version with spaces",
    withSampleApp({ appSecretVersion: "two words" }),
    `${app}.appSecretVersion is "two words"`,
    "letters, digits, dots, dashes or underscores",
  ],
  ["connection mode unknown", withConnection({ mode: "byo" }), `${c0}.mode is "byo"`, "use one of managed, provided"],
  [
    "provided without client id",
    withConnection({ mode: "provided", clientSecret: "s3cr3t-value" }),
    `${c0}.clientId is not set`,
    "client) id of the customer's app registration",
  ],
  [
    "provided without client secret",
    withConnection({ mode: "provided", clientId: tenantIds.fabrikam }),
    `${c0}.clientSecret is not set:`,
    "pulumi config set --secret --path 'connections[0].clientSecret'",
  ],
  [
    "provided with a managed-only setting",
    withConnection({
      mode: "provided",
      clientId: tenantIds.fabrikam,
      clientSecret: "s3cr3t-value",
      adminConsent: false,
    }),
    `${c0}.adminConsent is false`,
    "applies only to mode: managed",
  ],
  [
    "managed with a client secret",
    withConnection({ clientSecret: "s3cr3t-value" }),
    `${c0}.clientSecret is "set"`,
    "belongs to mode: provided",
  ],
  [
    "credentials without a sign-in method",
    withConnection({ credentials: { clientId: tenantIds.fabrikam } }),
    `${c0}.credentials is "no sign-in method"`,
    "give exactly one way to sign in",
  ],
  [
    "credentials with two sign-in methods",
    withConnection({ credentials: { clientId: tenantIds.fabrikam, clientSecret: "s3cr3t-value", useOidc: true } }),
    `${c0}.credentials is "clientSecret and useOidc"`,
    "exactly one way",
  ],
  [
    "credentials without client id",
    withConnection({ credentials: { clientSecret: "s3cr3t-value" } }),
    `${c0}.credentials.clientId is not set`,
    "identity that deploys to this tenant",
  ],
  [
    "credentials with an empty secret",
    withConnection({ credentials: { clientId: tenantIds.fabrikam, clientSecret: "", useOidc: true } }),
    `${c0}.credentials.clientSecret is empty`,
    "--secret --path 'connections[0].credentials.clientSecret'",
  ],
  [
    "a token file without OIDC",
    withConnection({
      credentials: { clientId: tenantIds.fabrikam, clientSecret: "s3cr3t-value", oidcTokenFilePath: "/t" },
    }),
    `${c0}.credentials.oidcTokenFilePath is "/t"`,
    "only applies with useOidc: true",
  ],
  [
    "former name equal to the name",
    withConnection({ formerNames: ["contoso"] }),
    `${c0}.formerNames[0] is "contoso"`,
    "the connection's current name",
  ],
  [
    "former name not a name",
    withConnection({ formerNames: ["Old Name"] }),
    `${c0}.formerNames[0] is "Old Name"`,
    "same rule as name",
  ],
  [
    "plain http to a remote Logto",
    rawConfig({ logtoEndpoint: "http://auth.example.com" }),
    'logto:endpoint is "http://auth.example.com"',
    "plain http would send the M2M app secret in clear",
  ],
  [
    "entra cloud unknown",
    rawConfig({ entra: { environment: "mars" } }),
    `${ns}:entra.environment is "mars"`,
    "use one of global, usgovernment, dod, china",
  ],
  [
    "entra metadata host without login endpoint",
    rawConfig({ entra: { metadataHost: "127.0.0.1:8443" } }),
    `${ns}:entra.loginEndpoint is not set`,
    "required with entra.metadataHost",
  ],
  [
    "entra metadata host as a URL",
    rawConfig({ entra: { metadataHost: "https://127.0.0.1:8443", loginEndpoint: "https://127.0.0.1:8443" } }),
    `${ns}:entra.metadataHost is "https://127.0.0.1:8443"`,
    "without https://",
  ],
  [
    "entra metadata host with a cloud name",
    rawConfig({ entra: { metadataHost: "azs.local", loginEndpoint: "https://login.azs.local", environment: "china" } }),
    `${ns}:entra.environment is "china"`,
    "ignores the cloud name",
  ],
  [
    "entra login endpoint over http",
    rawConfig({ entra: { loginEndpoint: "http://login.example.com" } }),
    `${ns}:entra.loginEndpoint is "http://login.example.com"`,
    "use an https:// origin",
  ],
  [
    "secret key missing",
    rawConfig({ sampleApp: {} }),
    `${app}.secretKey is not set but the sample app is enabled`,
    "pulumi config set --secret --path sampleApp.secretKey",
  ],
  [
    "secret key not text",
    rawConfig({ sampleApp: { secretKey: 12345 } }),
    `${app}.secretKey is not a string`,
    "--secret",
  ],
];

/**
 * The rules the components checked again at construction until the config became the one place they live
 * (issue 22); the connector's own check refuses the Logto ones too (test/providers/ssoConnector.test.ts).
 */
const formerComponentRuleCases: Array<[string, RawStackConfig, string, string]> = [
  ["connector name blank", withConnection({ connectorName: " " }), `${c0}.connectorName is " "`, "unique in the Logto"],
  [
    "public domain outlook.com",
    withConnection({ domains: ["outlook.com"] }),
    `${c0}.domains[0] is "outlook.com"`,
    "public email domains cannot be routed to an enterprise IdP",
  ],
  [
    "scope with a space, Mail Read",
    withConnection({ extraScopes: ["Mail Read"] }),
    `${c0}.extraScopes[0] is "Mail Read"`,
    "a scope is one word of printable ASCII",
  ],
  [
    "tenant id with one capital",
    withConnection({ tenantId: "44444444-4444-4444-8444-44444444444A" }),
    `${c0}.tenantId is "44444444-4444-4444-8444-44444444444A"`,
    'Write it in lowercase ("44444444-4444-4444-8444-44444444444a")',
  ],
  [
    "entra login endpoint with a trailing slash (the issuers are built from it)",
    rawConfig({ entra: { loginEndpoint: "https://login.microsoftonline.com/" } }),
    `${ns}:entra.loginEndpoint is "https://login.microsoftonline.com/"`,
    "remove the trailing slash",
  ],
  ["app name empty", withSampleApp({ logtoAppName: "" }), `${app}.logtoAppName is ""`, "give the application a name"],
  ["port 0", withSampleApp({ port: 0 }), `${app}.port is 0`, "use a whole number from 1 to 65535"],
];

describe("validateStackConfig", () => {
  it("turns a minimal config into the typed config with every default", async () => {
    const config = validate(rawConfig());
    expect(config).toMatchObject({
      logtoEndpoint: logtoEndpointValue,
      protect: false,
      manageSsoSwitch: true,
      rotationEpoch: defaultRotationEpoch,
      connections: [
        {
          name: "contoso",
          connectorName: "dev-contoso",
          tenantId: tenantIds.contoso,
          domains: ["contoso.com"],
          extraScopes: ["User.Read"],
          connectorScopes: ["User.Read"],
          graphScopes: ["openid", "profile", "email", "User.Read"],
          tokenStorage: false,
          syncProfile: false,
          trustUnverifiedEmail: false,
          branding: {},
          signInAudience: "AzureADMyOrg",
          adminConsent: true,
          secretRotationDays: 180,
        },
      ],
      sampleApp: {
        enabled: true,
        baseUrl: "http://localhost:8080",
        port: 8080,
        bindAddress: "127.0.0.1",
        restartPolicy: "unless-stopped",
        networkMode: "bridge",
        baseImage:
          "python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d",
        imageName: "logto-entra-sso-sample:dev",
        logtoAppName: "Sample app (dev)",
        appSecretVersion: "1",
        confinement: {
          readOnlyRootFilesystem: true,
          dropAllCapabilities: true,
          noNewPrivileges: true,
          memoryLimitMb: 256,
          pidsLimit: 128,
        },
      },
      notices: [],
    });
    const secretKey = config.sampleApp.secretKey;
    expect(secretKey).toBeDefined();
    expect(await settle(secretKey as pulumi.Output<string>)).toEqual({ value: secretKeyMarker, secret: true });
  });

  it("reads values as the engine hands them over: JSON text for lists and objects, text for flags and numbers", () => {
    const config = validate({
      logtoEndpoint: logtoEndpointValue,
      connections: JSON.stringify([connection("contoso", { tokenStorage: "true", secretRotationDays: "30" })]),
      sampleApp: JSON.stringify({ secretKey: secretKeyMarker, port: "9090", baseUrl: "http://127.0.0.1:9090" }),
      protect: "true",
      rotationEpoch: "2024-06-01",
    });
    expect(config.connections[0]).toMatchObject({ tokenStorage: true, secretRotationDays: 30 });
    expect(config.sampleApp.port).toBe(9090);
    expect(config).toMatchObject({ protect: true, rotationEpoch: "2024-06-01" });
  });

  it("fixes token storage without offline_access up by adding it, and says so", () => {
    const config = validate(withConnection({ tokenStorage: true, extraScopes: ["User.Read"] }));
    expect(config.connections[0]).toMatchObject({
      extraScopes: ["User.Read"],
      connectorScopes: ["User.Read", "offline_access"],
      graphScopes: ["openid", "profile", "email", "User.Read", "offline_access"],
    });
    expect(config.notices).toEqual([
      `${c0}.tokenStorage is on, so offline_access was added to the scopes of both Entra and Logto (without it Entra issues no refresh token to store); list it in extraScopes to make this explicit.`,
    ]);
    const explicit = validate(withConnection({ tokenStorage: true, extraScopes: ["offline_access"] }));
    expect(explicit.notices).toEqual([]);
    expect(explicit.connections[0].connectorScopes).toEqual(["offline_access"]);
  });

  it("keeps openid, profile and email off the connector's scope, since Logto adds them itself", () => {
    const config = validate(withConnection({ extraScopes: ["openid", "email", "Mail.Read"] }));
    expect(config.connections[0].connectorScopes).toEqual(["Mail.Read"]);
    expect(config.connections[0].graphScopes).toEqual(["openid", "profile", "email", "Mail.Read"]);
  });

  it("notes trusting unverified email and an empty connection list", () => {
    expect(validate(withConnection({ trustUnverifiedEmail: true })).notices).toEqual([
      `${c0}.trustUnverifiedEmail is on: Logto will treat email addresses from tenant ${tenantIds.contoso} as verified although Entra sends no email_verified and some tenants let users edit their address.`,
    ]);
    expect(validate(rawConfig({ connections: [] })).notices).toEqual([
      `${ns}:connections is empty: no enterprise SSO connection is made and the sign-in experience is left as it is.`,
    ]);
  });

  it("takes image references with registry, port and digest, and a build network by name", () => {
    const digest = `sha256:${"0f".repeat(32)}`;
    const config = validate(
      withSampleApp({
        imageName: "localhost:5000/team/sample:v2",
        baseImage: `localhost:5000/mirror/python:3.11.14-slim-bookworm@${digest}`,
        buildNetwork: "build_net-1",
        networkMode: "host",
      }),
    );
    expect(config.sampleApp).toMatchObject({
      imageName: "localhost:5000/team/sample:v2",
      baseImage: `localhost:5000/mirror/python:3.11.14-slim-bookworm@${digest}`,
      buildNetwork: "build_net-1",
      networkMode: "host",
    });
    // The image built here is tagged, never addressed by digest.
    expect(problemsOf(withSampleApp({ imageName: `sample@${digest}` }))[0]).toContain(
      "Docker image reference in lowercase",
    );
  });

  it("reads the default base image from app/Dockerfile, and says so when the file has none", () => {
    const dir = mkdtempSync(join(tmpdir(), "dockerfile-"));
    const dockerfile = join(dir, "Dockerfile");
    writeFileSync(dockerfile, "ARG BASE_IMAGE=python:3.12.1-slim-trixie\nFROM ${BASE_IMAGE}\n");
    expect(dockerfileBaseImage(dockerfile)).toBe("python:3.12.1-slim-trixie");
    writeFileSync(dockerfile, "FROM python:3.12\n");
    expect(() => dockerfileBaseImage(dockerfile)).toThrow(`${dockerfile} has no "ARG BASE_IMAGE=<image>" line`);
    rmSync(dir, { recursive: true });
  });

  it("takes a whole-number app secret version as the label it is (pulumi config set --path stores 2 as a number)", () => {
    expect(validate(withSampleApp({ appSecretVersion: 2 })).sampleApp.appSecretVersion).toBe("2");
    expect(problemsOf(withSampleApp({ appSecretVersion: 2.5 }))).toEqual([
      `${app}.appSecretVersion is 2.5: give a version label such as 2.`,
    ]);
  });

  it("does not need a secret key when the sample app is off", () => {
    const config = validate(rawConfig({ sampleApp: { enabled: false } }));
    expect(config.sampleApp.enabled).toBe(false);
    expect(config.sampleApp.secretKey).toBeUndefined();
  });

  it.each([...singleProblemCases, ...formerComponentRuleCases])("reports %s", (_case, raw, start, fragment) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(start), problems[0]).toBe(true);
    expect(problems[0]).toContain(fragment);
  });

  it("reports a short secret key by its length only, never its value", () => {
    const short = "short-secret-marker";
    const problems = problemsOf(rawConfig({ sampleApp: { secretKey: short } }));
    expect(problems).toEqual([
      `${app}.secretKey is ${short.length} characters long: Flask signs sessions with it, so use at least 32 random characters; set it with: pulumi config set --secret --path sampleApp.secretKey "$(python3 -c 'import secrets; print(secrets.token_hex(32))')".`,
    ]);
  });

  it("accepts plain http to a Logto on this machine only", () => {
    for (const endpoint of ["http://localhost:3001", "http://127.0.0.1:3001", "http://[::1]:3001"]) {
      expect(validate(rawConfig({ logtoEndpoint: endpoint })).logtoEndpoint).toBe(endpoint);
    }
  });

  it("reads a provided connection and credentials with their secrets as secret Outputs, never in a message", async () => {
    const secretValue = "customer-client-secret-marker-91ab";
    const config = validate(
      rawConfig({
        connections: [
          connection("contoso", {
            credentials: { clientId: tenantIds.northwind, clientSecret: `${secretValue}-deployer` },
          }),
          connection("fabrikam", { mode: "provided", clientId: tenantIds.northwind, clientSecret: secretValue }),
        ],
      }),
    );
    const [managed, provided] = config.connections;
    if (managed.mode !== "managed" || provided.mode !== "provided" || managed.credentials?.kind !== "clientSecret") {
      throw new Error(`unexpected modes ${managed.mode} ${provided.mode}`);
    }
    expect(await settle(managed.credentials.clientSecret)).toEqual({ value: `${secretValue}-deployer`, secret: true });
    expect(await settle(provided.clientSecret)).toEqual({ value: secretValue, secret: true });
    expect(provided).toMatchObject({
      clientId: tenantIds.northwind,
      graphScopes: ["openid", "profile", "email", "User.Read"],
    });

    const problems = problemsOf(
      rawConfig({
        connections: [
          connection("contoso", {
            clientSecret: secretValue,
            credentials: { clientId: "x", clientSecret: secretValue },
          }),
          connection("fabrikam", { mode: "provided", clientId: "nope", clientSecret: secretValue }),
        ],
      }),
    );
    expect(problems.length).toBeGreaterThan(1);
    expect(problems.join("\n")).not.toContain(secretValue);
  });

  it("refuses deployer credentials in mode: provided without printing the secret they hold", () => {
    const secretValue = "deployer-secret-marker-5c2e";
    const problems = problemsOf(
      withConnection({
        mode: "provided",
        clientId: tenantIds.fabrikam,
        clientSecret: "customer-secret",
        credentials: { clientId: tenantIds.northwind, clientSecret: secretValue },
      }),
    );
    expect(problems).toEqual([
      `${c0}.credentials is "set": it applies only to mode: managed; in mode: provided the customer's admin owns the app registration, its secret and consent. Remove it.`,
    ]);
  });

  it("refuses a former name that another connection has or had", () => {
    const problems = problemsOf(
      rawConfig({
        connections: [
          connection("contoso", { formerNames: ["old"] }),
          connection("fabrikam", { formerNames: ["contoso", "old"] }),
        ],
      }),
    );
    expect(problems).toEqual([
      `${ns}:connections[1].formerNames[0] is "contoso": connections[0] is called so: one set of resources cannot move to two connections.`,
      `${ns}:connections[1].formerNames[1] is "old": connections[0] lists it as a former name too: one set of resources cannot move to two connections.`,
    ]);
  });

  it("refuses two connections with the same name, connector name or email domain", () => {
    const problems = problemsOf(
      rawConfig({
        connections: [
          connection("contoso", { domains: ["contoso.com", "shared.com"] }),
          connection("contoso", { tenantId: tenantIds.fabrikam, domains: ["fabrikam.com"] }),
          connection("northwind", { connectorName: "dev-contoso", domains: ["Shared.com".toLowerCase()] }),
        ],
      }),
    );
    expect(problems).toEqual([
      `${ns}:connections[1].name is "contoso": connections[0] has this name too: give each connection its own name.`,
      `${ns}:connections[2].connectorName is "dev-contoso": connections[0] uses this connector name too; Logto requires unique names.`,
      `${ns}:connections[2].domains[0] is "shared.com": connections[0] (contoso) lists this domain too; Logto would not know which IdP to send these users to. Keep each domain on one connection.`,
    ]);
  });

  it("lists every problem of the whole config in one error", () => {
    const problems = problemsOf({
      logtoEndpoint: undefined,
      connections: [connection("contoso", { tenantId: "nope", domains: ["gmail.com"] }), "fabrikam"],
      sampleApp: { port: 0 },
      protect: "yes",
      rotationEpoch: "tomorrow",
    });
    expect(problems.map((p) => p.split(" is ")[0])).toEqual([
      "logto:endpoint",
      `${c0}.tenantId`,
      `${c0}.domains[0]`,
      `${ns}:connections[1]`,
      `${ns}:protect`,
      `${ns}:rotationEpoch`,
      `${app}.port`,
      `${app}.secretKey`,
    ]);
  });
});
