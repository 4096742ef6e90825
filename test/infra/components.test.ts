/**
 * The components on their own: the connection without azuread, from plain values or Outputs. Their arguments
 * are checked by the stack config and the connector's check (test/infra/config.test.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { find, finish, logtoEndpointValue, ofType, reveal, settle, startRecording, types } from "./harness";

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

  it("takes Outputs as arguments and exposes its connector, as awsx components expose their children", async () => {
    const recording = await startRecording();
    const { EnterpriseSsoConnection } = await import("../../infra/components/enterpriseSsoConnection");
    const connection = new EnterpriseSsoConnection("outputs", {
      connectorName: pulumi.output("outputs"),
      clientId: pulumi.output("client-id"),
      clientSecret: pulumi.secret("client-secret"),
      issuer: pulumi.output(issuer),
      domains: pulumi.output(["outputs.com"]),
    });
    expect((await settle(connection.connector.connectorName)).value).toBe("outputs");
    expect(connection.redirectUris).toBeUndefined();
    await finish();
    expect(reveal(find(recording, types.connector).inputs)).toMatchObject({
      connectorName: "outputs",
      domains: ["outputs.com"],
    });
    expect(reveal(find(recording, types.connector).inputs)).not.toHaveProperty("config.scope");
  });
});
