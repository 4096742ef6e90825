import * as pulumi from "@pulumi/pulumi";
import { Application, ApplicationSecret, secretNameFor } from "../../providers/logto";

export interface LogtoWebAppArgs {
  /** Application name shown in the Logto console. */
  appName: pulumi.Input<string>;
  /** Where users open the app, without trailing slash; the callback and sign-out URIs derive from it. */
  baseUrl: pulumi.Input<string>;
  /** Change it to rotate the application secret. Default "1". */
  secretVersion?: pulumi.Input<string>;
}

/**
 * The Logto "Traditional web" application a server-side web app (the Flask sample) signs users in with:
 * callback `{baseUrl}/callback`, post sign-out `{baseUrl}/`, and one stack-managed secret. The secret is its
 * own resource: a new `secretVersion` makes a new secret, the users of `appSecret` are updated, and only
 * then is the old secret deleted. The arguments are checked where they come from (the stack config).
 */
export class LogtoWebApp extends pulumi.ComponentResource {
  public readonly application: Application;
  public readonly secret: ApplicationSecret;
  public readonly applicationId: pulumi.Output<string>;
  /** Secret output. It carries the dependency on the secret resource, so its users are updated before the old secret goes. */
  public readonly appSecret: pulumi.Output<string>;
  public readonly callbackUri: pulumi.Output<string>;
  public readonly postSignOutUri: pulumi.Output<string>;
  /** Where a person starts a sign-in through the app. */
  public readonly signInUrl: pulumi.Output<string>;

  constructor(name: string, args: LogtoWebAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("logto-entra-sso:logto:LogtoWebApp", name, {}, opts);
    this.callbackUri = pulumi.interpolate`${args.baseUrl}/callback`;
    this.postSignOutUri = pulumi.interpolate`${args.baseUrl}/`;

    this.application = new Application(
      `${name}-application`,
      {
        name: args.appName,
        description: "Managed by Pulumi (logto-entra-sso): sample app for enterprise SSO.",
        redirectUris: [this.callbackUri],
        postLogoutRedirectUris: [this.postSignOutUri],
      },
      { parent: this },
    );
    // The resource id, which an update keeps: a preview of any application update (a changed endpoint, new
    // redirect URIs) then knows it, instead of planning the secret's replacement and the container's.
    const applicationId = this.application.id;
    this.secret = new ApplicationSecret(
      `${name}-application-secret`,
      {
        applicationId,
        name: pulumi.output(args.secretVersion ?? "1").apply(secretNameFor),
        // Logto's "Default secret" of an app the stack made would be a second, unmanaged way in.
        removeDefaultSecret: this.application.adopted.apply((adopted) => !adopted),
      },
      // Replaced at every rotation, new one first (the default): never protected, or rotation would fail.
      { parent: this, protect: false, deleteBeforeReplace: false },
    );

    this.applicationId = applicationId;
    this.appSecret = pulumi.secret(this.secret.value);
    this.signInUrl = pulumi.interpolate`${args.baseUrl}/sign-in`;
    this.registerOutputs({
      applicationId: this.applicationId,
      appSecret: this.appSecret,
      callbackUri: this.callbackUri,
      postSignOutUri: this.postSignOutUri,
      signInUrl: this.signInUrl,
    });
  }
}
