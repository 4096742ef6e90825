/**
 * Engine test program: the Logto side of one enterprise SSO connection as the real stack declares it
 * (infra/stack.ts), with the Entra values given as plain stack config instead of azuread resources. Every value
 * comes from stack config so that the tests change it between runs without touching code.
 */
import * as pulumi from "@pulumi/pulumi";
import { EnterpriseSsoConnection } from "../../../infra/components/enterpriseSsoConnection";
import { LogtoWebApp } from "../../../infra/components/logtoWebApp";
import { keepSecretsOutOfSdkDebugLog } from "../../../infra/sdkDebugLog";
import { SignInExperienceSso } from "../../../providers/logto";
import { SecretConsumer } from "./secretConsumer";

keepSecretsOutOfSdkDebugLog();

const config = new pulumi.Config();

// As in infra/stack.ts: the connector depends on the tenant-wide switch, so destroy deletes it first.
const ssoSwitch = new SignInExperienceSso("sign-in-experience-sso", { enabled: true });

const connection = new EnterpriseSsoConnection(
  "entra-sso",
  {
    connectorName: config.require("connectorName"),
    clientId: config.require("entraClientId"),
    clientSecret: config.requireSecret("entraClientSecret"),
    issuer: config.require("entraIssuer"),
    domains: config.requireObject<string[]>("domains"),
  },
  { dependsOn: [ssoSwitch] },
);

const webAppArgs = {
  appName: config.require("appName"),
  baseUrl: config.require("appBaseUrl"),
  secretVersion: config.get("appSecretVersion") ?? "1",
};
const webApp = new LogtoWebApp("sample", webAppArgs);

if (config.getBoolean("secretConsumer")) {
  new SecretConsumer("sample-secret-consumer", { applicationId: webApp.applicationId, appSecret: webApp.appSecret });
}

export const connectorId = connection.connectorId;
export const callbackUri = connection.callbackUri;
export const applicationId = webApp.applicationId;
export const signInUrl = `${webAppArgs.baseUrl}/sign-in`;
// Exported so the tests can read the generated secret (and check it stays encrypted in the state).
export const appSecret = webApp.appSecret;
