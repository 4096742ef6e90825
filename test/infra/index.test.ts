/** The entry point reads the stack config through Pulumi and exports what a person needs. */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { connection, secretKeyMarker } from "./fixtures";
import { finish, logtoEndpointValue, ofType, reveal, settle, startRecording, types } from "./harness";

afterEach(() => pulumi.runtime.setAllConfig({}));

describe("infra/index.ts", () => {
  it("validates the stack config, declares the stack and exports no secret", async () => {
    // As the engine hands config over: objects and lists as JSON text, the nested secret included.
    pulumi.runtime.setAllConfig(
      {
        "logto:endpoint": logtoEndpointValue,
        "logto-entra-sso:connections": JSON.stringify([connection("contoso"), connection("fabrikam")]),
        "logto-entra-sso:sampleApp": JSON.stringify({
          secretKey: secretKeyMarker,
          port: 8081,
          baseUrl: "http://localhost:8081",
        }),
        "logto-entra-sso:protect": "true",
      },
      ["logto-entra-sso:sampleApp"],
    );
    const recording = await startRecording({ stack: "staging" });
    const program = await import("../../infra/index");
    const exported = await settle({
      logtoEndpoint: program.logtoEndpoint,
      sampleAppSignInUrl: program.sampleAppSignInUrl,
      sampleAppLogtoAppId: program.sampleAppLogtoAppId,
      enterpriseSsoEnabled: program.enterpriseSsoEnabled,
      connections: program.connections,
    });
    await finish();

    expect(exported.secret).toBe(false);
    expect(JSON.stringify(exported.value)).not.toContain(secretKeyMarker);
    expect(exported.value).toMatchObject({
      logtoEndpoint: logtoEndpointValue,
      sampleAppSignInUrl: "http://localhost:8081/sign-in",
      enterpriseSsoEnabled: true,
      connections: {
        contoso: { connectorName: "staging-contoso", consentStatus: expect.stringMatching(/^granted by this stack/) },
        fabrikam: { connectorName: "staging-fabrikam" },
      },
    });
    expect(ofType(recording, types.connector)).toHaveLength(2);
    // Found from infra/index.ts, relative to the working directory (the repository root here, infra/ under Pulumi).
    expect(reveal(ofType(recording, types.image)[0].inputs)).toMatchObject({ build: { context: "app" } });
    expect(ofType(recording, types.registration).every((r) => r.protect)).toBe(true);
  });

  it("refuses to declare anything when the config has problems", async () => {
    pulumi.runtime.setAllConfig({ "logto-entra-sso:connections": JSON.stringify([{ name: "contoso" }]) });
    const recording = await startRecording();
    const { loadStackConfig } = await import("../../infra/config");
    expect(() => loadStackConfig()).toThrow(
      /^The stack configuration of "dev" has 4 problem\(s\); fix them in Pulumi\.dev\.yaml \(every setting: docs\/configuration\.md\):\n {2}- logto:endpoint is not set:.*\n {2}- logto-entra-sso:connections\[0\]\.tenantId is not set:.*\n {2}- logto-entra-sso:connections\[0\]\.domains is not set:.*\n {2}- logto-entra-sso:sampleApp\.secretKey is not set/,
    );
    await finish();
    expect(recording.resources).toEqual([]);
  });

  it("takes the Logto endpoint from LOGTO_ENDPOINT when logto:endpoint is not set, as the provider does", async () => {
    pulumi.runtime.setAllConfig({ "logto-entra-sso:sampleApp": JSON.stringify({ enabled: false }) });
    const saved = process.env.LOGTO_ENDPOINT;
    process.env.LOGTO_ENDPOINT = "https://auth.from-env.example";
    try {
      await startRecording();
      const { loadStackConfig } = await import("../../infra/config");
      expect(loadStackConfig().logtoEndpoint).toBe("https://auth.from-env.example");
      pulumi.runtime.setAllConfig({
        "logto:endpoint": logtoEndpointValue,
        "logto-entra-sso:sampleApp": JSON.stringify({ enabled: false }),
      });
      expect(loadStackConfig().logtoEndpoint).toBe(logtoEndpointValue);
      await finish();
    } finally {
      if (saved === undefined) delete process.env.LOGTO_ENDPOINT;
      else process.env.LOGTO_ENDPOINT = saved;
    }
  });
});
