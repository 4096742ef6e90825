/**
 * The stack's resource graph, from validated config. Per connection: its own azuread provider (one per
 * customer tenant), the Entra app (client id + secret), then the Logto connector that needs them, then the
 * redirect URI that needs the connector's id, and (with `organization`) the customer's organization joined
 * through the connector. Then the sign-in experience switch and the sample app.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { SignInExperienceSso, UserLinkGuard } from "../providers/logto";
import type { ClientOwnership, GuardedConnection } from "../providers/logto";
import { EnterpriseSsoConnection } from "./components/enterpriseSsoConnection";
import { EntraOidcApp, adminConsentUrl, entraIssuer } from "./components/entraOidcApp";
import { LogtoWebApp } from "./components/logtoWebApp";
import { SampleApp } from "./components/sampleApp";
import { StackConfig, projectNamespace } from "./config";
import type { ConnectionConfig, ManagedConnectionConfig, ProvidedConnectionConfig } from "./connectionConfig";
import type { EntraCloud } from "./entraCloud";
import {
  DeployedOrganization,
  OrganizationOutputs,
  TemplateRoles,
  deployCustomerOrganization,
  deployOrganizationGuard,
  deployOrganizationTemplate,
} from "./organizations";
import { secretRotationWindow } from "./rotation";

/** What a person needs about one connection; nothing secret. */
export interface ConnectionOutputs {
  mode: ConnectionConfig["mode"];
  tenantId: string;
  domains: string[];
  entraClientId: pulumi.Output<string>;
  /** The issuer the Logto connector trusts. */
  issuer: pulumi.Output<string>;
  connectorId: pulumi.Output<string>;
  connectorName: pulumi.Output<string>;
  /** The redirect URI that must be registered (Web platform) on the Entra app. */
  callbackUri: pulumi.Output<string>;
  /** Redirect URIs under Logto's former public origins, kept registered during a move until retired. */
  formerCallbackUris: pulumi.Output<string[]>;
  /** The Microsoft Graph delegated permissions the app needs and admin consent covers. */
  delegatedPermissions: string[];
  /** Where a tenant administrator grants consent for those permissions. */
  adminConsentUrl: pulumi.Output<string>;
  consentStatus: pulumi.Output<string>;
  /** Managed only: the first `pulumi up` after this date replaces the Entra client secret. */
  secretRotatesAt?: string;
  secretExpiresAt?: pulumi.Output<string>;
  /** Provided only: what the customer's Entra administrator must do, in order. */
  customerAdminSteps?: pulumi.Output<string[]>;
  /** The customer's Logto organization, which the connection's users join at their first sign-in. */
  organization?: OrganizationOutputs;
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
  organization?: DeployedOrganization;
}

/** `pulumi.Alias`es for a resource named `${connectionName}${suffix}`, one per former connection name. */
function renameAliases(connection: ConnectionConfig, suffix: string): pulumi.Alias[] {
  return connection.formerNames.map((former) => ({ name: `${former}${suffix}` }));
}

/** The azuread provider of one managed connection: its tenant, its cloud, and how it signs in. */
function azureadProviderArgs(connection: ManagedConnectionConfig, cloud: EntraCloud): azuread.ProviderArgs {
  const { kind, ...signIn } = connection.credentials ?? { kind: "ambient" };
  return { tenantId: connection.tenantId, ...cloud.provider, ...signIn };
}

/** Who made the app registration the connector signs in with, and whether the stack deletes it. */
function clientOwnership(connection: ConnectionConfig): ClientOwnership {
  if (connection.mode === "provided") return "external";
  return connection.keepAppRegistration ? "stack-kept" : "stack";
}

/** What the guard records of a connection: what its users are keyed on, and what tells a rename. */
function guardedConnection(connection: ConnectionConfig, index: number, config: StackConfig): GuardedConnection {
  const { tenantId, signInAudience, mode } = connection;
  return {
    name: connection.name,
    formerNames: connection.formerNames,
    field: `${projectNamespace}:connections[${index}]`,
    connectorName: connection.connectorName,
    domains: connection.domains,
    issuer: entraIssuer(config.entra.loginEndpoint, tenantId, signInAudience),
    appRegistration: mode === "managed" ? "managed" : `provided:${connection.clientId}`,
    keySettings: { tenantId, signInAudience, mode, ...(mode === "provided" ? { clientId: connection.clientId } : {}) },
    keepsAppRegistration: mode === "managed" && connection.keepAppRegistration,
    allowUserRelink: connection.allowUserRelink,
  };
}

/** What every connection's resources share: protection, and the switch its connector must outlive. */
interface ConnectionContext {
  config: StackConfig;
  now: Date;
  /** The connectors depend on it, so destroy deletes them first (see deployStack). */
  ssoSwitch: SignInExperienceSso | undefined;
  /** Every connection's first resources depend on it: a refused change stops before any of them. */
  userLinkGuard: UserLinkGuard;
}

/** The connection's Logto connector, signing in with `entra`'s app, and the outputs every connection has. */
function deployConnector(
  connection: ConnectionConfig,
  entra: {
    clientId: pulumi.Input<string>;
    clientSecret: pulumi.Input<string>;
    issuer: pulumi.Input<string>;
    applicationObjectId?: pulumi.Input<string>;
  },
  context: ConnectionContext,
  provider?: azuread.Provider,
): { connector: EnterpriseSsoConnection; outputs: Omit<ConnectionOutputs, "adminConsentUrl" | "consentStatus"> } {
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
      allowUserRelink: connection.allowUserRelink,
      clientOwnership: clientOwnership(connection),
      entraApplicationObjectId: entra.applicationObjectId,
    },
    {
      provider,
      protect: context.config.protect,
      aliases: renameAliases(connection, "-sso"),
      dependsOn: [context.userLinkGuard, ...(context.ssoSwitch ? [context.ssoSwitch] : [])],
    },
  );
  const outputs = {
    mode: connection.mode,
    tenantId: connection.tenantId,
    domains: connection.domains,
    entraClientId: pulumi.output(entra.clientId),
    issuer: pulumi.output(entra.issuer),
    connectorId: connector.connectorId,
    connectorName: connector.connectorName,
    callbackUri: connector.callbackUri,
    formerCallbackUris: connector.formerCallbackUris,
    delegatedPermissions: connection.graphScopes,
  };
  return { connector, outputs };
}

function deployManagedConnection(
  connection: ManagedConnectionConfig,
  index: number,
  context: ConnectionContext,
): DeployedConnection {
  const { config, now } = context;
  // One provider per customer tenant; the components hand it down to their children and invokes.
  // A corrected tenant id needs a new provider instance: the old one, with the old tenant's settings, deletes
  // what the stack made there once the connector uses the new tenant's app (replacementTrigger below).
  const provider = new azuread.Provider(`${connection.name}-azuread`, azureadProviderArgs(connection, config.entra), {
    aliases: renameAliases(connection, "-azuread"),
    dependsOn: [context.userLinkGuard],
    replacementTrigger: connection.tenantId,
  });
  const secretRotation = secretRotationWindow({
    epoch: config.rotationEpoch,
    days: connection.secretRotationDays,
    now,
  });
  const entra = new EntraOidcApp(
    `${connection.name}-entra`,
    {
      displayName: `${connection.connectorName} (Logto SSO)`,
      tenantId: connection.tenantId,
      loginEndpoint: config.entra.loginEndpoint,
      signInAudience: connection.signInAudience,
      graphScopes: connection.graphScopes,
      adminConsent: connection.adminConsent,
      secretRotation,
      scopesField: `${projectNamespace}:connections[${index}].extraScopes`,
      keepInEntra: connection.keepAppRegistration,
    },
    { provider, protect: config.protect, aliases: renameAliases(connection, "-entra") },
  );
  const { connector, outputs } = deployConnector(connection, entra, context, provider);
  return {
    connector,
    outputs: {
      ...outputs,
      adminConsentUrl: entra.adminConsentUrl,
      consentStatus: entra.consentStatus,
      secretRotatesAt: secretRotation.rotatesAt,
      secretExpiresAt: entra.secretExpiresAt,
    },
  };
}

/** A customer-made app registration: only the Logto side is deployed; the outputs say what the customer does. */
function deployProvidedConnection(
  connection: ProvidedConnectionConfig,
  index: number,
  context: ConnectionContext,
): DeployedConnection {
  const { config } = context;
  const issuer = entraIssuer(config.entra.loginEndpoint, connection.tenantId, connection.signInAudience);
  const { connector, outputs } = deployConnector(
    connection,
    { clientId: connection.clientId, clientSecret: connection.clientSecret, issuer },
    context,
  );
  const consentUrl = adminConsentUrl(config.entra.loginEndpoint, connection.tenantId, connection.clientId);
  const permissions = connection.graphScopes.join(" ");
  return {
    connector,
    outputs: {
      ...outputs,
      adminConsentUrl: pulumi.output(consentUrl),
      consentStatus: pulumi.output(
        `up to the customer: an administrator of tenant ${connection.tenantId} grants consent at ${consentUrl}`,
      ),
      customerAdminSteps: pulumi
        .all([connector.callbackUri, connector.formerCallbackUris])
        .apply(([callbackUri, former]) => [
          `Entra admin center > App registrations > the app with client id ${connection.clientId} > Authentication: add the Web platform redirect URI ${callbackUri}${former.length > 0 ? ` (Logto moved there; keep ${former.join(" and ")} until the platform team says Logto no longer answers there)` : ""}.`,
          `API permissions: add the Microsoft Graph delegated permissions ${permissions}, then grant admin consent (or open ${consentUrl}).`,
          `Certificates & secrets: before the client secret expires, create a new one and send it to the platform team, who run: pulumi config set --secret --path 'connections[${index}].clientSecret' <new secret> && pulumi up.`,
        ]),
    },
  };
}

function deployConnection(
  connection: ConnectionConfig,
  index: number,
  context: ConnectionContext,
  templateRoles: TemplateRoles,
): DeployedConnection {
  const deployed =
    connection.mode === "managed"
      ? deployManagedConnection(connection, index, context)
      : deployProvidedConnection(connection, index, context);
  const organization = deployCustomerOrganization(connection, deployed.connector.connectorId, templateRoles, {
    protect: context.config.protect,
    aliases: renameAliases(connection, "-organization"),
  });
  return organization
    ? { ...deployed, outputs: { ...deployed.outputs, organization: organization.outputs }, organization }
    : deployed;
}

export function deployStack(config: StackConfig, options: DeployOptions): StackOutputs {
  // The switch is tenant-wide, shared with every other stack on the Logto tenant. The connectors depend on it,
  // so destroy deletes them first and the switch is turned off only when no connector is left in the tenant.
  const enterpriseSsoEnabled = config.connections.length > 0 && config.manageSsoSwitch;
  const ssoSwitch = enterpriseSsoEnabled
    ? new SignInExperienceSso("sign-in-experience-sso", { enabled: true }, { protect: config.protect })
    : undefined;
  // Declared first: a change that would cut users off their accounts stops the deployment before anything else.
  const userLinkGuard =
    config.connections.length > 0
      ? new UserLinkGuard("user-link-guard", {
          connections: config.connections.map((connection, index) => guardedConnection(connection, index, config)),
        })
      : undefined;
  // Tenant-wide: the roles the connections' organizations give exist before them.
  const templateRoles = deployOrganizationTemplate(config.organizationTemplate, config.protect);
  const connections = userLinkGuard
    ? config.connections.map((connection, index) =>
        deployConnection(connection, index, { config, now: options.now, ssoSwitch, userLinkGuard }, templateRoles),
      )
    : [];
  // After the organizations: it records their ids.
  deployOrganizationGuard(
    connections.flatMap((connection) => (connection.organization ? [connection.organization.guarded] : [])),
    config.organizationTemplate,
  );

  const { enabled, logtoAppName, appSecretVersion, secretKey, ...container } = config.sampleApp;
  const webApp = new LogtoWebApp(
    "sample",
    { appName: logtoAppName, baseUrl: container.baseUrl, secretVersion: appSecretVersion },
    { protect: config.protect },
  );
  if (enabled) {
    // Containers and checks are replaced routinely (new image, new port): never protected.
    new SampleApp("sample", {
      ...container,
      buildContext: options.sampleAppBuildContext,
      containerName: `${projectNamespace}-${pulumi.getStack()}-sample`,
      logtoEndpoint: config.logtoEndpoint,
      logtoAppId: webApp.applicationId,
      logtoAppSecret: webApp.appSecret,
      // The config requires it whenever the app is enabled.
      secretKey: secretKey!,
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
