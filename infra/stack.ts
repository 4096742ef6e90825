/**
 * The stack's resource graph, from validated config. Per connection: its own azuread provider (one per
 * customer tenant), the Entra app (client id + secret), then the Logto connector that needs them, then the
 * redirect URI that needs the connector's id. Then the sign-in experience switch and the sample app.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { SignInExperienceSso } from "../providers/logto";
import { EnterpriseSsoConnection } from "./components/enterpriseSsoConnection";
import { EntraOidcApp } from "./components/entraOidcApp";
import { LogtoWebApp } from "./components/logtoWebApp";
import { SampleApp } from "./components/sampleApp";
import { ConnectionConfig, StackConfig, projectNamespace } from "./config";
import { secretRotationWindow } from "./rotation";

/** What a person needs about one connection; nothing secret. */
export interface ConnectionOutputs {
  tenantId: string;
  domains: string[];
  entraClientId: pulumi.Output<string>;
  connectorId: pulumi.Output<string>;
  connectorName: pulumi.Output<string>;
  /** The redirect URI registered in Entra. */
  callbackUri: pulumi.Output<string>;
  consentStatus: pulumi.Output<string>;
  /** The first `pulumi up` after this date replaces the Entra client secret. */
  secretRotatesAt: string;
  secretExpiresAt: pulumi.Output<string>;
}

export interface StackOutputs {
  logtoEndpoint: string;
  /** Open it to sign in through the sample app (and so through Logto). */
  sampleAppSignInUrl: pulumi.Output<string>;
  sampleAppLogtoAppId: pulumi.Output<string>;
  /** Whether this stack turns on (and manages) enterprise SSO in the sign-in experience. */
  enterpriseSsoEnabled: boolean;
  connections: { [name: string]: ConnectionOutputs };
}

export interface DeployOptions {
  /** The clock the secret rotation period is computed from. */
  now: Date;
  /** Docker build context of the sample app, relative to the working directory. */
  sampleAppBuildContext: string;
}

interface DeployedConnection {
  connector: EnterpriseSsoConnection;
  outputs: ConnectionOutputs;
}

function deployConnection(
  connection: ConnectionConfig,
  index: number,
  config: StackConfig,
  now: Date,
  ssoSwitch: SignInExperienceSso | undefined,
): DeployedConnection {
  // One provider per customer tenant; the components hand it down to their children and invokes.
  const provider = new azuread.Provider(`${connection.name}-azuread`, { tenantId: connection.tenantId });
  const componentOptions = { provider, protect: config.protect };
  const secretRotation = secretRotationWindow({ epoch: config.rotationEpoch, days: connection.secretRotationDays, now });
  const entra = new EntraOidcApp(
    `${connection.name}-entra`,
    {
      displayName: `${connection.connectorName} (Logto SSO)`,
      tenantId: connection.tenantId,
      signInAudience: connection.signInAudience,
      graphScopes: connection.graphScopes,
      adminConsent: connection.adminConsent,
      secretRotation,
      scopesField: `${projectNamespace}:connections[${index}].extraScopes`,
    },
    componentOptions,
  );
  const connector = new EnterpriseSsoConnection(
    `${connection.name}-sso`,
    {
      connectorName: connection.connectorName,
      clientId: entra.clientId,
      clientSecret: entra.clientSecret,
      issuer: entra.issuer,
      domains: connection.domains,
      scopes: connection.connectorScopes,
      tokenStorage: connection.tokenStorage,
      branding: connection.branding,
      syncProfile: connection.syncProfile,
      trustUnverifiedEmail: connection.trustUnverifiedEmail,
      entraApplicationObjectId: entra.applicationObjectId,
    },
    { ...componentOptions, dependsOn: ssoSwitch ? [ssoSwitch] : [] },
  );
  return {
    connector,
    outputs: {
      tenantId: connection.tenantId,
      domains: connection.domains,
      entraClientId: entra.clientId,
      connectorId: connector.connectorId,
      connectorName: connector.connectorName,
      callbackUri: connector.callbackUri,
      consentStatus: entra.consentStatus,
      secretRotatesAt: secretRotation.rotatesAt,
      secretExpiresAt: entra.secretExpiresAt,
    },
  };
}

export function deployStack(config: StackConfig, options: DeployOptions): StackOutputs {
  // The switch is tenant-wide, shared with every other stack on the Logto tenant. The connectors depend on it,
  // so destroy deletes them first and the switch is turned off only when no connector is left in the tenant.
  const enterpriseSsoEnabled = config.connections.length > 0 && config.manageSsoSwitch;
  const ssoSwitch = enterpriseSsoEnabled
    ? new SignInExperienceSso("sign-in-experience-sso", { enabled: true }, { protect: config.protect })
    : undefined;
  const connections = config.connections.map((connection, index) =>
    deployConnection(connection, index, config, options.now, ssoSwitch),
  );

  const webApp = new LogtoWebApp(
    "sample",
    {
      appName: config.sampleApp.logtoAppName,
      baseUrl: config.sampleApp.baseUrl,
      secretVersion: config.sampleApp.appSecretVersion,
    },
    { protect: config.protect },
  );

  const { sampleApp } = config;
  if (sampleApp.enabled) {
    if (!sampleApp.secretKey) throw new Error("sampleApp.secretKey is required when the sample app is enabled.");
    // Containers and checks are replaced routinely (new image, new port): never protected.
    new SampleApp("sample", {
      imageName: sampleApp.imageName,
      buildContext: options.sampleAppBuildContext,
      containerName: `${projectNamespace}-${pulumi.getStack()}-sample`,
      baseUrl: sampleApp.baseUrl,
      port: sampleApp.port,
      bindAddress: sampleApp.bindAddress,
      restartPolicy: sampleApp.restartPolicy,
      logtoEndpoint: config.logtoEndpoint,
      logtoAppId: webApp.applicationId,
      logtoAppSecret: webApp.appSecret,
      secretKey: sampleApp.secretKey,
    });
  }

  return {
    logtoEndpoint: config.logtoEndpoint,
    sampleAppSignInUrl: webApp.signInUrl,
    sampleAppLogtoAppId: webApp.applicationId,
    enterpriseSsoEnabled,
    connections: Object.fromEntries(connections.map((c, index) => [config.connections[index].name, c.outputs])),
  };
}
