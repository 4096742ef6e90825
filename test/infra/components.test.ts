/** The components on their own: argument checks at construction, and the connection without azuread. */
import { describe, expect, it } from "vitest";
import { now } from "./fixtures";
import { find, finish, logtoEndpointValue, ofType, reveal, settle, startRecording, types } from "./harness";

async function components() {
  await startRecording();
  const { EntraOidcApp } = await import("../../infra/components/entraOidcApp");
  const { EnterpriseSsoConnection } = await import("../../infra/components/enterpriseSsoConnection");
  const { LogtoWebApp } = await import("../../infra/components/logtoWebApp");
  const { SampleApp } = await import("../../infra/components/sampleApp");
  const { secretRotationWindow } = await import("../../infra/rotation");
  return {
    EntraOidcApp,
    EnterpriseSsoConnection,
    LogtoWebApp,
    SampleApp,
    secretRotation: secretRotationWindow({ epoch: "2025-01-01", days: 90, now }),
  };
}

const issuer = "https://login.microsoftonline.com/44444444-4444-4444-8444-444444444444/v2.0";

describe("EnterpriseSsoConnection", () => {
  it("works from plain values without azuread: no redirect URI resource, the callback URI as output", async () => {
    const recording = await startRecording();
    const { EnterpriseSsoConnection } = await import("../../infra/components/enterpriseSsoConnection");
    const connection = new EnterpriseSsoConnection("plain", {
      connectorName: "plain",
      clientId: "client-id",
      clientSecret: "client-secret",
      issuer,
      domains: ["plain.com"],
      tokenStorage: true,
      branding: { displayName: "Plain" },
      syncProfile: true,
      trustUnverifiedEmail: true,
    });
    expect((await settle(connection.callbackUri)).value).toBe(`${logtoEndpointValue}/callback/conn-plain-connector`);
    expect((await settle(connection.scope)).value).toBe("offline_access");
    await finish();
    expect(ofType(recording, types.redirectUris)).toEqual([]);
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({
      connectorName: "plain",
      config: {
        clientId: "client-id",
        clientSecret: "client-secret",
        issuer,
        scope: "offline_access",
        trustUnverifiedEmail: true,
      },
      domains: ["plain.com"],
      branding: { displayName: "Plain" },
      syncProfile: true,
      enableTokenStorage: true,
    });
    // Item 7 (issue 11): the whole config output is secret by the resource's own declaration.
    expect(find(recording, types.connector).additionalSecretOutputs).toEqual(["config"]);
  });

  it("refuses a connector without name or domains, with public domains, bad scopes or an issuer with a trailing slash", async () => {
    const { EnterpriseSsoConnection } = await components();
    const base = {
      connectorName: "x",
      clientId: "a",
      clientSecret: "b",
      issuer,
      domains: ["x.com"],
    };
    expect(() => new EnterpriseSsoConnection("e1", { ...base, connectorName: " " })).toThrow(
      'EnterpriseSsoConnection "e1": connectorName is empty',
    );
    expect(() => new EnterpriseSsoConnection("e2", { ...base, domains: [] })).toThrow("domains is empty");
    expect(() => new EnterpriseSsoConnection("e3", { ...base, domains: ["outlook.com"] })).toThrow(
      'domains[0] is "outlook.com"',
    );
    expect(() => new EnterpriseSsoConnection("e4", { ...base, scopes: ["Mail Read"] })).toThrow(
      'scopes[0] is "Mail Read"',
    );
    expect(() => new EnterpriseSsoConnection("e5", { ...base, issuer: `${issuer}/` })).toThrow(
      "remove the trailing slash",
    );
    await finish();
  });
});

describe("argument checks of the other components", () => {
  it("EntraOidcApp refuses a tenant id that is no lowercase GUID, personal accounts and a bad end date", async () => {
    const { EntraOidcApp, secretRotation } = await components();
    const base = {
      displayName: "x",
      tenantId: "44444444-4444-4444-8444-444444444444",
      loginEndpoint: "https://login.microsoftonline.com",
      graphScopes: [],
      secretRotation,
    };
    expect(() => new EntraOidcApp("a1", { ...base, tenantId: "44444444-4444-4444-8444-44444444444A" })).toThrow(
      'EntraOidcApp "a1": tenantId is "44444444-4444-4444-8444-44444444444A": give the tenant id as a lowercase GUID.',
    );
    const personal = { ...base, signInAudience: "PersonalMicrosoftAccount" } as unknown as typeof base;
    expect(() => new EntraOidcApp("a2", personal)).toThrow("personal Microsoft accounts have another issuer");
    expect(() => new EntraOidcApp("a3", { ...base, secretRotation: { ...secretRotation, endDate: "soon" } })).toThrow(
      'secretRotation.endDate is "soon"',
    );
    expect(() => new EntraOidcApp("a4", { ...base, displayName: "" })).toThrow("displayName is empty");
    expect(() => new EntraOidcApp("a5", { ...base, loginEndpoint: "https://login.microsoftonline.com/" })).toThrow(
      'loginEndpoint is "https://login.microsoftonline.com/": remove the trailing slash',
    );
    await finish();
  });

  it("LogtoWebApp and SampleApp refuse unusable URLs, ports, restart policies and network modes", async () => {
    const { LogtoWebApp, SampleApp } = await components();
    expect(() => new LogtoWebApp("w1", { appName: "w", baseUrl: "https://app.example.com/" })).toThrow(
      'LogtoWebApp "w1": baseUrl is "https://app.example.com/": remove the trailing slash',
    );
    expect(() => new LogtoWebApp("w2", { appName: "", baseUrl: "https://app.example.com" })).toThrow(
      "appName is empty",
    );
    const app = {
      imageName: "sample:test",
      buildContext: "app",
      containerName: "sample-test",
      baseUrl: "http://localhost:8080",
      port: 8080,
      bindAddress: "127.0.0.1",
      restartPolicy: "always" as const,
      logtoEndpoint: logtoEndpointValue,
      logtoAppId: "id",
      logtoAppSecret: "secret",
      secretKey: "key",
    };
    expect(() => new SampleApp("s1", { ...app, port: 0 })).toThrow('SampleApp "s1": port is 0');
    const restartPolicy = "sometimes" as unknown as typeof app.restartPolicy;
    expect(() => new SampleApp("s2", { ...app, restartPolicy })).toThrow('restartPolicy is "sometimes"');
    expect(() => new SampleApp("s3", { ...app, logtoEndpoint: `${logtoEndpointValue}/oidc` })).toThrow(
      "without a path",
    );
    const networkMode = "overlay" as unknown as "host";
    expect(() => new SampleApp("s4", { ...app, networkMode })).toThrow(
      'networkMode is "overlay": use one of bridge, host.',
    );
    await finish();
  });
});
