/** No secret in plain text: resource inputs, the serialised dynamic providers, component and stack outputs. */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { providerPackageName } from "../../providers/logto/referencedResource";
import { connection, m2mSecretMarker, now, rawConfig, secretKeyMarker } from "./fixtures";
import {
  entraSecretFor,
  find,
  finish,
  isSecretEnvelope,
  logtoAppSecretFor,
  logtoEndpointValue,
  plainText,
  reveal,
  runProgram,
  settle,
  startRecording,
  types,
} from "./harness";

const secretMarkers = ["entra-secret-marker", "logto-app-secret-marker", secretKeyMarker, m2mSecretMarker];
const dynamicTypes: string[] = [types.connector, types.application, types.applicationSecret, types.signInSwitch];

async function runWithM2mCredentials() {
  // The provider's credentials are present, as in a real deployment: none may end up in the program's data.
  process.env.LOGTO_M2M_APP_SECRET = m2mSecretMarker;
  pulumi.runtime.setAllConfig(
    { "logto:endpoint": logtoEndpointValue, "logto:m2mAppId": "m2m-app", "logto:m2mAppSecret": m2mSecretMarker },
    ["logto:m2mAppSecret"],
  );
  return runProgram(
    rawConfig({ connections: [connection("contoso", { tokenStorage: true }), connection("fabrikam")] }),
    now,
  );
}

describe("secrets", () => {
  afterEach(() => {
    delete process.env.LOGTO_M2M_APP_SECRET;
    pulumi.runtime.setAllConfig({});
  });

  it("reach resources only inside secret envelopes; the dynamic providers capture no credential", async () => {
    const { recording } = await runWithM2mCredentials();
    for (const resource of recording.resources) {
      const text = plainText(resource.inputs);
      for (const marker of secretMarkers) {
        expect(text.includes(marker), `${resource.type} ${resource.name} shows ${marker}`).toBe(false);
      }
    }
    for (const resource of recording.resources.filter((r) => dynamicTypes.includes(r.type))) {
      const serialised = resource.inputs.__provider;
      expect(typeof serialised, `${resource.name} has a serialised provider`).toBe("string");
      // Stored by reference: the code (axios included) is loaded from the installed package at run time.
      expect(serialised).toContain(`require("${providerPackageName}")`);
      expect((serialised as string).length).toBeLessThan(300);
      expect(serialised).not.toContain(m2mSecretMarker);
    }

    // The secrets are there, where they are needed, as secrets.
    const connector = find(recording, types.connector, "contoso-sso-connector");
    expect(isSecretEnvelope(connector.inputs.config)).toBe(true);
    expect(reveal(connector.inputs.config)).toMatchObject({
      clientSecret: entraSecretFor("contoso-entra-secret", "1"),
    });
    const writer = find(recording, types.container, "sample-secrets-writer");
    expect(isSecretEnvelope(writer.inputs.uploads)).toBe(true);
    const uploads = reveal(writer.inputs.uploads) as Array<{ content: string }>;
    expect(uploads.map((upload) => upload.content)).toEqual([logtoAppSecretFor("1"), secretKeyMarker]);
    expect(writer.additionalSecretOutputs).toEqual(["uploads"]);
    const container = find(recording, types.container, "sample-container");
    expect(plainText(container.inputs.envs)).not.toMatch(new RegExp(`${logtoAppSecretFor("1")}|${secretKeyMarker}`));
  });

  it("stay out of the stack outputs", async () => {
    const { settled } = await runWithM2mCredentials();
    expect(settled.secret).toBe(false);
    const text = JSON.stringify(settled.value);
    for (const marker of secretMarkers) expect(text).not.toContain(marker);
    expect(settled.value).toMatchObject({
      logtoEndpoint: logtoEndpointValue,
      sampleAppSignInUrl: "http://localhost:8080/sign-in",
      sampleAppLogtoAppId: "app-sample-application",
      enterpriseSsoEnabled: true,
      connections: {
        contoso: {
          entraClientId: "client-contoso-entra-registration",
          connectorId: "conn-contoso-sso-connector",
          callbackUri: `${logtoEndpointValue}/callback/conn-contoso-sso-connector`,
          secretExpiresAt: "2026-01-26T00:00:00Z",
        },
        fabrikam: { connectorId: "conn-fabrikam-sso-connector" },
      },
    });
  });

  it("are secret outputs of the components that make them", async () => {
    await startRecording();
    const { EntraOidcApp } = await import("../../infra/components/entraOidcApp");
    const { LogtoWebApp } = await import("../../infra/components/logtoWebApp");
    const { secretRotationWindow } = await import("../../infra/rotation");
    const entra = new EntraOidcApp("solo", {
      displayName: "solo",
      tenantId: "44444444-4444-4444-8444-444444444444",
      loginEndpoint: "https://login.microsoftonline.com",
      graphScopes: [],
      secretRotation: secretRotationWindow({ epoch: "2025-01-01", days: 30, now }),
    });
    const webApp = new LogtoWebApp("solo", { appName: "Solo", baseUrl: "https://solo.example.com" });
    expect(await settle(entra.clientSecret)).toEqual({ value: entraSecretFor("solo-secret", "7"), secret: true });
    expect(await settle(webApp.appSecret)).toEqual({ value: logtoAppSecretFor("1"), secret: true });
    expect((await settle(entra.clientId)).secret).toBe(false);
    expect((await settle(webApp.applicationId)).secret).toBe(false);
    await finish();
  });
});
