/**
 * Logto's OpenID provider: node-oidc-provider configured as logto-io/logto packages/core/src/oidc/init.ts
 * configures it, over the stand-in's state. Issuer `{endpoint}/oidc`; clients are the applications (adapter.ts
 * and utils.ts `getConstantClientMetadata`: Traditional apps authenticate with client_secret_basic, the form
 * works too, and need no PKCE); ID tokens signed ES384 with an EC P-384 key (the key type Logto's CLI seeds);
 * claims by scope as @logto/core-kit's `userClaims`; the interaction pages at `/sign-in` and `/consent`;
 * end-session with Logto's self-submitting logout form; oidc-provider errors dressed as Logto's
 * `koaOidcErrorHandler` does. An app secret of `application_secrets` is accepted as
 * koa-app-secret-transpilation.ts accepts it: any existing, unexpired one stands for the client's own secret.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";

import type { IncomingMessage, ServerResponse } from "node:http";

import Provider, {
  errors,
  type AccountClaims,
  type AllClientMetadata,
  type Configuration,
  type JWK,
  type KoaContextWithOIDC,
} from "oidc-provider";

import type { ApplicationRow, LogtoState, UserRow } from "../state";
import { isOidcErrorBody, logtoOidcErrorBody } from "./errors";
import type { ModelStore } from "./model-store";

/** @logto/core-kit `ReservedResource.Organization`. */
const organizationsResource = "urn:logto:resource:organizations";

/** Logto's signing algorithms (init.ts `supportedSigningAlgs`). */
const supportedSigningAlgs = ["RS256", "PS256", "ES256", "ES384", "ES512"] as const;
const signingAlg = "ES384";

/** @logto/core-kit `userClaims`, the scopes the stand-in's users can fill. */
const userClaims = {
  profile: ["name", "picture", "username", "created_at", "updated_at"],
  email: ["email", "email_verified"],
  "urn:logto:scope:organizations": ["organizations", "organization_data"],
  "urn:logto:scope:organization_roles": ["organization_roles"],
};

/**
 * The user's claims for `use`, as oidc/scope.ts `getUserClaimsData` fills them: `organizations` the ids,
 * `organization_roles` "{organizationId}:{roleName}" (roles by name), `organization_data` `{id, name,
 * description}`. The ID token carries only the extended claims the tenant's ID token config enables, by default
 * `organizations` and `organization_roles` (schemas seeds/logto-config.ts `createDefaultIdTokenConfig`);
 * userinfo carries all of them (`getAcceptedUserClaims`).
 */
function claimsOf(state: LogtoState, user: UserRow, use: string): AccountClaims {
  const { organizations } = state;
  const memberships = organizations
    .organizationIdsOf(user.id)
    .flatMap((id) => organizations.organizations.get(id) ?? []);
  return {
    sub: user.id,
    name: user.name,
    picture: user.avatar,
    username: user.username,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    email: user.primaryEmail,
    email_verified: user.primaryEmail !== null,
    organizations: memberships.map(({ id }) => id),
    organization_roles: memberships.flatMap(({ id }) =>
      organizations.memberRolesOf(id, user.id).map(({ name }) => `${id}:${name}`),
    ),
    ...(use === "userinfo"
      ? { organization_data: memberships.map(({ id, name, description }) => ({ id, name, description })) }
      : {}),
  };
}

/** The client an application is to oidc-provider (adapter.ts `transpileClient`). */
function clientMetadata(row: ApplicationRow, internalSecret: string): AllClientMetadata {
  const isPublic = row.type === "Native" || row.type === "SPA";
  const grantTypes =
    row.type === "MachineToMachine"
      ? { grant_types: ["client_credentials"], response_types: [] }
      : { grant_types: ["authorization_code", "refresh_token"] };
  return {
    client_id: row.id,
    client_secret: internalSecret,
    client_name: row.name,
    application_type: row.type === "Native" ? "native" : "web",
    token_endpoint_auth_method: isPublic ? "none" : "client_secret_basic",
    id_token_signed_response_alg: signingAlg,
    ...grantTypes,
    redirect_uris: row.oidcClientMetadata.redirectUris,
    post_logout_redirect_uris: row.oidcClientMetadata.postLogoutRedirectUris,
  };
}

const cookieConfig = { sameSite: "lax", path: "/", signed: true, overwrite: true } as const;

const logoutPage = (form: string): string =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>Sign Out</title></head>
<body onload="document.getElementById('op.logoutForm').submit();">${form}<input type="hidden" form="op.logoutForm" value="yes" name="logout" /></body></html>`;

export interface LogtoProvider {
  provider: Provider;
  /** Runs the provider for a request under `/oidc` (the path is the provider's mount point). */
  handle(request: IncomingMessage, response: ServerResponse): void;
}

/** The secret oidc-provider knows a client by: Logto's `applications.secret`, never shown to anyone. */
export class InternalSecrets {
  private readonly secrets = new Map<string, string>();

  of(applicationId: string): string {
    let secret = this.secrets.get(applicationId);
    if (!secret) {
      secret = `internal_${randomBytes(24).toString("base64url")}`;
      this.secrets.set(applicationId, secret);
    }
    return secret;
  }
}

/**
 * What one Logto tenant signs and authenticates with, whichever address it is reached at: Logto keeps the OIDC
 * private keys tenant-wide (logto_configs `oidc.privateKeys`, packages/core/src/env-set/oidc.ts), so its default
 * domain, a custom domain and a tunnel publish the same JWKS.
 */
export interface TenantKeys {
  signingKey: JWK;
  secrets: InternalSecrets;
}

export function createTenantKeys(): TenantKeys {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
  return {
    signingKey: {
      ...privateKey.export({ format: "jwk" }),
      kid: randomBytes(12).toString("base64url"),
      use: "sig",
      alg: signingAlg,
    },
    secrets: new InternalSecrets(),
  };
}

export function createLogtoProvider(
  origin: string,
  state: LogtoState,
  store: ModelStore,
  { signingKey, secrets }: TenantKeys,
): LogtoProvider {
  const configuration: Configuration = {
    adapter: (model: string) => {
      if (model !== "Client") return store.adapterFor(model);
      const notStored = async (): Promise<undefined> => undefined;
      return {
        upsert: notStored,
        find: async (id: string) => {
          const row = state.applications.get(id);
          return row ? clientMetadata(row, secrets.of(row.id)) : undefined;
        },
        findByUid: notStored,
        findByUserCode: notStored,
        consume: notStored,
        destroy: notStored,
        revokeByGrantId: notStored,
      };
    },
    // Logto renders every error as the JSON body its error handler completes (init.ts `renderError`).
    renderError: (ctx, out) => {
      ctx.type = "json";
      ctx.body = out;
    },
    cookies: { keys: [randomBytes(32).toString("base64url")], long: cookieConfig, short: cookieConfig },
    jwks: { keys: [signingKey] },
    enabledJWA: {
      authorizationSigningAlgValues: [...supportedSigningAlgs],
      userinfoSigningAlgValues: [...supportedSigningAlgs],
      idTokenSigningAlgValues: [...supportedSigningAlgs],
      introspectionSigningAlgValues: [...supportedSigningAlgs],
    },
    conformIdTokenClaims: false,
    claims: { openid: ["sub"], ...userClaims },
    features: {
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = "<!DOCTYPE html><title>Signed out</title><p>You have successfully signed out.</p>";
        },
      },
      // The stand-in has no API resources: any resource indicator is unknown, as in a tenant without any, except
      // Logto's reserved organizations resource, whose scopes are the template's organization scopes
      // (oidc/resource.ts `findResource`/`findResourceScopes`; the Logto SDKs ask for it with the
      // `urn:logto:scope:organizations` scope). Organization tokens themselves are not issued here.
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== organizationsResource) throw new errors.InvalidTarget();
          const scope = [...state.organizations.scopes.values()].map(({ name }) => name).join(" ");
          return { scope, accessTokenFormat: "jwt", accessTokenTTL: 3600, audience: indicator };
        },
      },
    },
    issueRefreshToken: (_ctx, client, code) =>
      client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    interactions: {
      url: (_ctx, interaction) => {
        if (interaction.prompt.name === "login") return "/sign-in";
        if (interaction.prompt.name === "consent") return "/consent";
        throw new Error(`Prompt not supported: ${interaction.prompt.name}`);
      },
    },
    findAccount: (_ctx, sub) => {
      const user = state.users.get(sub);
      // The user may be deleted after the token is issued (init.ts `findAccount`).
      if (!user) throw new errors.InvalidGrant("user not found");
      return { accountId: sub, claims: (use) => claimsOf(state, user, use) };
    },
    ttl: {
      IdToken: 3600,
      AccessToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 180 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    pkce: { required: (_ctx, client) => client.clientAuthMethod !== "client_secret_basic" },
  };
  const provider = new Provider(`${origin}/oidc`, configuration);

  provider.use(logtoOidcErrors);
  provider.use(appSecretTranspilation(state, secrets));
  const callback = provider.callback();

  return {
    provider,
    handle(request, response) {
      // Mounted at /oidc, as Logto mounts it: the provider routes the rest and reads the mount from originalUrl.
      const originalUrl = request.url ?? "/";
      Object.assign(request, { originalUrl, url: originalUrl.slice("/oidc".length) || "/" });
      void callback(request, response);
    },
  };
}

/** koaOidcErrorHandler: thrown provider errors answered as JSON, and every error body given Logto's code and message. */
async function logtoOidcErrors(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof errors.OIDCProviderError)) throw error;
    ctx.status = error.statusCode || 500;
    ctx.body = error.expose
      ? { error: error.message, error_description: error.error_description }
      : { error: "server_error", error_description: "oops! something went wrong" };
  }
  if (ctx.status >= 400 && isOidcErrorBody(ctx.body)) ctx.body = logtoOidcErrorBody(ctx.body);
}

function basicCredentials(authorization: string | undefined): { clientId?: string; clientSecret?: string } {
  const [scheme, value] = authorization?.split(" ") ?? [];
  if (scheme?.toLowerCase() !== "basic" || !value) return {};
  const [id, secret] = Buffer.from(value, "base64").toString().split(":");
  const decode = (part: string | undefined) => (part ? decodeURIComponent(part.replaceAll("+", "%20")) : undefined);
  try {
    return { clientId: decode(id), clientSecret: decode(secret) };
  } catch {
    return {};
  }
}

/**
 * koa-app-secret-transpilation.ts: a client secret found in `application_secrets` (and not expired) is
 * swapped for the client's internal one before oidc-provider checks it; anything else goes on unchanged and
 * fails there. The form body was read by the stand-in before routing and is in `request.body` as text.
 */
function appSecretTranspilation(state: LogtoState, secrets: InternalSecrets) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    const header = basicCredentials(ctx.headers.authorization);
    const rawBody: unknown = Reflect.get(ctx.req, "body");
    const form =
      typeof rawBody === "string" && ctx.is("application/x-www-form-urlencoded")
        ? new URLSearchParams(rawBody)
        : undefined;
    const params = {
      clientId: form?.get("client_id") ?? undefined,
      clientSecret: form?.get("client_secret") ?? undefined,
    };
    if (header.clientId && params.clientId && header.clientId !== params.clientId) return next();
    if (header.clientId && (!header.clientSecret || params.clientSecret)) return next();
    const clientId = header.clientId ?? params.clientId;
    const clientSecret = header.clientSecret ?? params.clientSecret;
    if (!clientId || !clientSecret) return next();

    const row = (state.appSecrets.get(clientId) ?? []).find((secret) => secret.value === clientSecret);
    if (!row) return next();
    if (row.expiresAt !== null && row.expiresAt < Date.now())
      throw new errors.InvalidRequest("client secret has expired");
    const internal = secrets.of(clientId);
    if (header.clientSecret) {
      ctx.headers.authorization = `Basic ${Buffer.from(`${clientId}:${internal}`).toString("base64")}`;
    } else if (form) {
      form.set("client_secret", internal);
      Reflect.set(ctx.req, "body", form.toString());
    }
    return next();
  };
}
