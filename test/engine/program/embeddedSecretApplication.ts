/**
 * The Logto web application as stacks made it before issue 11 (branch `main` at 149d146): a LogtoWebApp
 * component "sample" whose child `logto:Application` "sample-application" embedded its client secret. The upgrade
 * test deploys this shape and then the current one, so its URNs, state properties and Logto objects match what
 * such a stack has: the same component and resource types and names; the inputs name, description,
 * redirectUris, postLogoutRedirectUris, corsAllowedOrigins, secretVersion, adoptExisting; the outputs those plus
 * applicationId, type, secretName, appSecret (secret); and in Logto a Traditional app whose only secret is
 * `pulumi-managed-<secretVersion>` (Logto's "Default secret" removed). Only what the upgrade test needs is here:
 * create and delete.
 */
import * as pulumi from "@pulumi/pulumi";
import { managementClient } from "../../../providers/logto/registry";
import { configureFromStack } from "../../../providers/logto/support";

interface EmbeddedSecretInputs {
  name: string;
  description: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsAllowedOrigins: string[];
  secretVersion: string;
  adoptExisting: boolean;
}

interface EmbeddedSecretOutputs extends EmbeddedSecretInputs {
  applicationId: string;
  type: "Traditional";
  secretName: string;
  appSecret: string;
}

const embeddedSecretProvider: pulumi.dynamic.ResourceProvider<EmbeddedSecretInputs, EmbeddedSecretOutputs> = {
  configure: configureFromStack,
  async create(inputs) {
    const client = managementClient();
    const { data: app } = await client.send({
      method: "POST",
      path: "/api/applications",
      body: {
        name: inputs.name,
        description: inputs.description,
        type: "Traditional",
        oidcClientMetadata: {
          redirectUris: inputs.redirectUris,
          postLogoutRedirectUris: inputs.postLogoutRedirectUris,
        },
        customClientMetadata: { corsAllowedOrigins: inputs.corsAllowedOrigins },
      },
      action: "creating the embedded-secret application",
    });
    const secretName = `pulumi-managed-${inputs.secretVersion}`;
    const { data: secret } = await client.send({
      method: "POST",
      path: "/api/applications/{id}/secrets",
      params: { id: app.id },
      body: { name: secretName },
      action: "creating its secret",
    });
    await client.deleteIfPresent({
      path: "/api/applications/{id}/secrets/{name}",
      params: { id: app.id, name: "Default secret" },
      action: "removing Logto's Default secret",
    });
    return {
      id: app.id,
      outs: { ...inputs, applicationId: app.id, type: "Traditional", secretName, appSecret: secret.value },
    };
  },
  async delete(id) {
    await managementClient().deleteIfPresent({
      path: "/api/applications/{id}",
      params: { id },
      action: "deleting the embedded-secret application",
    });
  },
};

class EmbeddedSecretApplication extends pulumi.dynamic.Resource {
  declare public readonly applicationId: pulumi.Output<string>;
  declare public readonly appSecret: pulumi.Output<string>;

  constructor(name: string, args: EmbeddedSecretInputs, opts: pulumi.CustomResourceOptions) {
    super(
      embeddedSecretProvider,
      name,
      { ...args, applicationId: undefined, type: undefined, secretName: undefined, appSecret: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["appSecret"] }),
      "logto",
      "Application",
    );
  }
}

/** Same type token and child name as the LogtoWebApp component of that time. */
export class EmbeddedSecretWebApp extends pulumi.ComponentResource {
  public readonly applicationId: pulumi.Output<string>;
  public readonly appSecret: pulumi.Output<string>;

  constructor(name: string, args: { appName: string; baseUrl: string; secretVersion: string }) {
    super("logto-entra-sso:logto:LogtoWebApp", name, {}, {});
    const application = new EmbeddedSecretApplication(
      `${name}-application`,
      {
        name: args.appName,
        description: "Managed by Pulumi (logto-entra-sso): sample app for enterprise SSO.",
        redirectUris: [`${args.baseUrl}/callback`],
        postLogoutRedirectUris: [`${args.baseUrl}/`],
        corsAllowedOrigins: [],
        secretVersion: args.secretVersion,
        adoptExisting: false,
      },
      { parent: this },
    );
    this.applicationId = application.applicationId;
    this.appSecret = pulumi.secret(application.appSecret);
    this.registerOutputs({ applicationId: this.applicationId, appSecret: this.appSecret });
  }
}
