/**
 * Entra's v2.0 token endpoint for the client credentials grant with a client secret, as go-azure-sdk's
 * client secret authorizer calls it (sdk/auth/client_secret_authorizer.go): a form with client_id,
 * client_secret, grant_type=client_credentials and scope=<graph>/.default. Errors carry Entra's AADSTS codes
 * and texts (recorded by users of the real service in public issues; see local/standins/README.md).
 */
import { randomBytes } from "node:crypto";

import type { Reply } from "../shared/exchange";
import { isPlainObject } from "../shared/json";
import { LoginError } from "./errors";
import { signJwt, type SigningKey } from "./jwt";
import { deployerRoles, microsoftGraphAppId } from "./microsoft-graph";
import type { Application } from "./objects";
import type { TenantDirectory } from "./state";

export interface TokenRequest {
  origin: string;
  tenant: TenantDirectory;
  contentType: string;
  form: unknown;
  key: SigningKey;
  tokenTtlSeconds: number;
}

export const missingParameter = (name: string): LoginError =>
  new LoginError(400, "invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`);

const installHint =
  "This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.";

/** AADSTS700016: no such application (or, for a client, no service principal) in the directory. */
export const unknownApplication = (clientId: string, directory: string): LoginError =>
  new LoginError(
    400,
    "unauthorized_client",
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${directory}'. ${installHint}`,
  );

/** The form fields of a token request; Entra reads `application/x-www-form-urlencoded` bodies only. */
export function tokenForm(contentType: string, form: unknown): Record<string, unknown> {
  return contentType.startsWith("application/x-www-form-urlencoded") && isPlainObject(form) ? form : {};
}

export function formField(form: Record<string, unknown>, name: string): string | undefined {
  const value = form[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

export const noClientSecret = (): LoginError =>
  new LoginError(
    401,
    "invalid_client",
    7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  );

/** Throws Entra's answer unless `clientSecret` is a valid password of `app` (registered in `tenant`). */
export function checkClientSecret(tenant: TenantDirectory, app: Application, clientSecret: string): void {
  const secretCheck = tenant.checkSecret(app, clientSecret);
  if (secretCheck === "wrong") {
    throw new LoginError(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.appId}'.`,
    );
  }
  if (secretCheck === "expired") {
    throw new LoginError(
      401,
      "invalid_client",
      7000222,
      `The provided client secret keys for app '${app.appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    );
  }
}

/** The resource a client credentials `scope` names, which must be Graph on this origin. */
function checkScope(scope: string, origin: string, tenantId: string): void {
  if (!scope.endsWith("/.default") || scope.trim().includes(" ")) {
    throw new LoginError(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const resource = scope.slice(0, -"/.default".length);
  if (resource !== origin && resource !== microsoftGraphAppId) {
    throw new LoginError(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
}

export function issueClientCredentialsToken(request: TokenRequest): Reply {
  const { origin, tenant, key, tokenTtlSeconds } = request;
  const form = tokenForm(request.contentType, request.form);
  const grantType = formField(form, "grant_type");
  if (!grantType) throw missingParameter("grant_type");
  if (grantType !== "client_credentials") {
    throw new LoginError(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    );
  }
  const clientId = formField(form, "client_id");
  if (!clientId) throw missingParameter("client_id");
  if (formField(form, "client_assertion")) {
    throw new LoginError(
      400,
      "invalid_request",
      0,
      "The Entra stand-in does not accept client_assertion (certificate or federated credentials); send client_secret.",
    );
  }
  const clientSecret = formField(form, "client_secret");
  if (!clientSecret) throw noClientSecret();
  const scope = formField(form, "scope");
  if (!scope) {
    throw new LoginError(
      400,
      "invalid_request",
      90014,
      "The required field 'scope' is missing from the credential. Ensure that you have all the necessary parameters for the login request.",
    );
  }
  checkScope(scope, origin, tenant.tenantId);

  const app = tenant.applicationByAppId(clientId);
  const servicePrincipal = tenant.servicePrincipalByAppId(clientId);
  if (!app || !servicePrincipal) throw unknownApplication(clientId, tenant.tenantId);
  checkClientSecret(tenant, app, clientSecret);

  const now = Math.floor(Date.now() / 1000);
  const issuer = `https://sts.windows.net/${tenant.tenantId}/`;
  const isDeployer = servicePrincipal.id === tenant.deployer.objectId;
  // An app-only access token for Graph as Entra issues them (v1.0 claims); go-azure-sdk reads `oid` from it.
  const accessToken = signJwt(key, {
    aud: origin,
    iss: issuer,
    iat: now,
    nbf: now,
    exp: now + tokenTtlSeconds,
    app_displayname: app.displayName,
    appid: app.appId,
    appidacr: "1",
    idp: issuer,
    idtyp: "app",
    oid: servicePrincipal.id,
    ...(isDeployer ? { roles: [...deployerRoles] } : {}),
    sub: servicePrincipal.id,
    tid: tenant.tenantId,
    uti: randomBytes(16).toString("base64url"),
    ver: "1.0",
  });
  return {
    status: 200,
    headers: { "cache-control": "no-store, no-cache" },
    body: {
      token_type: "Bearer",
      expires_in: tokenTtlSeconds,
      ext_expires_in: tokenTtlSeconds,
      access_token: accessToken,
    },
  };
}
