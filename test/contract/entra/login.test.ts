import { createPublicKey, verify } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import { call, field, graphClient, requestToken, tokenFor } from "../../../local/standins/entra/testing";

const tenantA = "0a1b2c3d-0000-4000-8000-00000000000a";
const tenantB = "0a1b2c3d-0000-4000-8000-00000000000b";

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("Entra stand-in login (v2.0 token endpoint)", () => {
  let entra: EntraStandIn;
  const clientCredentials = (tenantId: string, overrides: Record<string, string> = {}) => {
    const { clientId, clientSecret } = entra.deployer(tenantId);
    return {
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: "client_credentials",
      scope: `${entra.url}/.default`,
      ...overrides,
    };
  };

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: [tenantA, tenantB] });
  });
  afterAll(() => entra.close());
  beforeEach(() => entra.reset());

  it("gives each tenant a deployer with an Entra-shaped secret", () => {
    const deployer = entra.deployer(tenantA);
    expect(deployer.clientSecret).toMatch(/^[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{34}$/);
    expect(entra.deployer(tenantB).clientId).not.toBe(deployer.clientId);
    expect(() => entra.deployer("nope")).toThrow(/no tenant "nope"/);
  });

  it("issues an RS256 app token carrying tid, oid, appid and the deployer's roles, signed with the published key", async () => {
    const answer = await requestToken(entra, tenantA, clientCredentials(tenantA));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
    const token = String(field(answer.body, "access_token"));
    const deployer = entra.deployer(tenantA);
    const claims = claimsOf(token);
    expect(claims).toMatchObject({
      tid: tenantA,
      oid: deployer.objectId,
      appid: deployer.clientId,
      idtyp: "app",
      aud: entra.url,
      ver: "1.0",
    });
    expect(claims.roles).toEqual(["Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"]);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3599);
    expect(Number(claims.nbf)).toBe(Number(claims.iat));

    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8"));
    const keys = await call(entra, `/${tenantA}/discovery/v2.0/keys`);
    const [jwk] = field(keys.body, "keys") as Array<Record<string, string>>;
    expect(header).toEqual({ typ: "JWT", alg: "RS256", kid: jwk.kid });
    const publicKey = createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" });
    const [head, payload, signature] = token.split(".");
    expect(verify("sha256", Buffer.from(`${head}.${payload}`), publicKey, Buffer.from(signature, "base64url"))).toBe(
      true,
    );
  });

  it("refuses a wrong secret with 401 AADSTS7000215 in Entra's error shape", async () => {
    const answer = await requestToken(entra, tenantA, clientCredentials(tenantA, { client_secret: "wrong" }));
    expect(answer.status).toBe(401);
    const { clientId } = entra.deployer(tenantA);
    expect(answer.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    const description = String(field(answer.body, "error_description"));
    expect(description).toMatch(
      new RegExp(
        `^AADSTS7000215: Invalid client secret provided\\. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'\\.\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    );
    expect(field(answer.body, "timestamp")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(description).toContain(`Trace ID: ${String(field(answer.body, "trace_id"))}`);
    expect(description).toContain(`Correlation ID: ${String(field(answer.body, "correlation_id"))}`);
  });

  it("uses the client's client-request-id as the correlation id", async () => {
    const answer = await call(entra, `/${tenantA}/oauth2/v2.0/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "client-request-id": "6c1b1e1e-1111-4111-8111-111111111111",
      },
      body: new URLSearchParams(clientCredentials(tenantA, { client_secret: "wrong" })).toString(),
    });
    expect(field(answer.body, "correlation_id")).toBe("6c1b1e1e-1111-4111-8111-111111111111");
  });

  it("does not know a client of another tenant (400 AADSTS700016) nor an unknown tenant (400 AADSTS90002)", async () => {
    const otherTenantsClient = await requestToken(entra, tenantB, clientCredentials(tenantA));
    expect(otherTenantsClient.status).toBe(400);
    expect(otherTenantsClient.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    expect(field(otherTenantsClient.body, "error_description")).toMatch(
      new RegExp(
        `^AADSTS700016: Application with identifier '${entra.deployer(tenantA).clientId}' was not found in the directory '${tenantB}'\\. This can happen`,
      ),
    );

    const unknownTenant = await requestToken(entra, "9e9e9e9e-0000-4000-8000-000000000000", clientCredentials(tenantA));
    expect(unknownTenant.status).toBe(400);
    expect(unknownTenant.body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
    expect(field(unknownTenant.body, "error_description")).toMatch(
      /^AADSTS90002: Tenant '9e9e9e9e-0000-4000-8000-000000000000' not found\. /,
    );
  });

  it.each([
    ["no grant_type", { grant_type: "" }, 400, "invalid_request", 900144],
    ["another grant", { grant_type: "password" }, 400, "unsupported_grant_type", 70003],
    ["no client_id", { client_id: "" }, 400, "invalid_request", 900144],
    ["no secret", { client_secret: "" }, 401, "invalid_client", 7000218],
    ["no scope", { scope: "" }, 400, "invalid_request", 90014],
    ["a scope without /.default", { scope: "User.Read" }, 400, "invalid_scope", 1002012],
    ["another resource", { scope: "https://management.azure.com/.default" }, 400, "invalid_resource", 500011],
  ])("refuses %s as Entra does", async (_case, overrides, status, error, code) => {
    const answer = await requestToken(entra, tenantA, clientCredentials(tenantA, overrides));
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error, error_codes: [code] });
  });

  it("refuses client_assertion (out of scope) in Entra's shape, GET on the token endpoint, and tokens for organizations", async () => {
    const assertion = await requestToken(entra, tenantA, {
      ...clientCredentials(tenantA),
      client_assertion: "eyJ.x.y",
    });
    expect(assertion.status).toBe(400);
    expect(assertion.body).toMatchObject({ error: "invalid_request", error_codes: [] });
    expect(String(field(assertion.body, "error_description"))).toMatch(/does not accept client_assertion/);

    const get = await call(entra, `/${tenantA}/oauth2/v2.0/token`);
    expect(get.status).toBe(400);
    expect(get.body).toMatchObject({ error: "invalid_request", error_codes: [900561] });

    const alias = await requestToken(entra, "organizations", clientCredentials(tenantA));
    expect(alias.status).toBe(400);
    expect(String(field(alias.body, "error_description"))).toMatch(/tokens for a tenant id only/);
  });

  it("signs in an app registered through Graph with a password it added; its token has no roles, so Graph says 403", async () => {
    const graph = await graphClient(entra, tenantA);
    const app = await graph("POST", "/v1.0/applications", { displayName: "signs in" });
    const appId = String(field(app.body, "appId"));
    const objectId = String(field(app.body, "id"));
    const password = await graph("POST", `/v1.0/applications/${objectId}/addPassword`, {
      passwordCredential: { displayName: "p" },
    });
    const secret = String(field(password.body, "secretText"));

    const withoutPrincipal = await requestToken(
      entra,
      tenantA,
      clientCredentials(tenantA, { client_id: appId, client_secret: secret }),
    );
    expect(withoutPrincipal.body).toMatchObject({ error_codes: [700016] });

    const sp = await graph("POST", "/v1.0/servicePrincipals", { appId });
    const token = await tokenFor(entra, tenantA, appId, secret);
    expect(claimsOf(token)).toMatchObject({ appid: appId, oid: field(sp.body, "id"), tid: tenantA });
    expect(claimsOf(token)).not.toHaveProperty("roles");
    const asApp = await graphClient(entra, tenantA, token);
    const denied = await asApp("GET", "/v1.0/applications");
    expect(denied.status).toBe(403);
    expect(field(denied.body, "error", "code")).toBe("Authorization_RequestDenied");

    await graph("POST", `/v1.0/applications/${objectId}/removePassword`, { keyId: field(password.body, "keyId") });
    expect(
      (await requestToken(entra, tenantA, clientCredentials(tenantA, { client_id: appId, client_secret: secret })))
        .body,
    ).toMatchObject({
      error_codes: [7000215],
    });
  });

  it("refuses an expired password with 401 AADSTS7000222", async () => {
    const graph = await graphClient(entra, tenantA);
    const app = await graph("POST", "/v1.0/applications", { displayName: "expired" });
    await graph("POST", "/v1.0/servicePrincipals", { appId: field(app.body, "appId") });
    const password = await graph("POST", `/v1.0/applications/${String(field(app.body, "id"))}/addPassword`, {
      passwordCredential: { startDateTime: "2020-01-01T00:00:00Z", endDateTime: "2021-01-01T00:00:00Z" },
    });
    const answer = await requestToken(
      entra,
      tenantA,
      clientCredentials(tenantA, {
        client_id: String(field(app.body, "appId")),
        client_secret: String(field(password.body, "secretText")),
      }),
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: "invalid_client", error_codes: [7000222] });
  });
});

describe("Entra stand-in OpenID Connect discovery", () => {
  let entra: EntraStandIn;
  const tenantId = "11111111-2222-3333-4444-555555555555";

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: [tenantId] });
  });
  afterAll(() => entra.close());

  it("serves a v2.0 discovery document per tenant and counts the requests", async () => {
    const before = entra.discoveryRequests;
    const { status, body } = await call(entra, `/${tenantId}/v2.0/.well-known/openid-configuration`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      issuer: entra.issuerFor(tenantId),
      authorization_endpoint: `${entra.url}/${tenantId}/oauth2/v2.0/authorize`,
      token_endpoint: `${entra.url}/${tenantId}/oauth2/v2.0/token`,
      jwks_uri: `${entra.url}/${tenantId}/discovery/v2.0/keys`,
      end_session_endpoint: `${entra.url}/${tenantId}/oauth2/v2.0/logout`,
      userinfo_endpoint: `${entra.url}/oidc/userinfo`,
      id_token_signing_alg_values_supported: ["RS256"],
      subject_types_supported: ["pairwise"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
    });
    expect(entra.issuerFor(tenantId)).toBe(`${entra.url}/${tenantId}/v2.0`);
    expect(field(body, "claims_supported")).toEqual(
      expect.arrayContaining(["sub", "iss", "tid", "email", "preferred_username"]),
    );
    expect(entra.discoveryRequests).toBe(before + 1);
  });

  it("publishes the multi-tenant issuer with Entra's {tenantid} placeholder", async () => {
    const { body } = await call(entra, "/organizations/v2.0/.well-known/openid-configuration");
    expect(field(body, "issuer")).toBe(`${entra.url}/{tenantid}/v2.0`);
  });

  it("answers 400 invalid_tenant (AADSTS90002) for a tenant that does not exist, as Entra's discovery does", async () => {
    const answer = await call(entra, "/22222222-2222-4222-8222-222222222222/v2.0/.well-known/openid-configuration");
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
  });

  it("serves one 2048-bit RSA signing key whose kid is its RFC 7638 thumbprint", async () => {
    const { body } = await call(entra, `/${tenantId}/discovery/v2.0/keys`);
    const keys = field(body, "keys");
    expect(Array.isArray(keys) && keys.length).toBe(1);
    const [jwk] = keys as Array<Record<string, string>>;
    expect(jwk).toMatchObject({ kty: "RSA", use: "sig", issuer: entra.issuerFor(tenantId) });
    const key = createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const { createHash } = await import("node:crypto");
    expect(jwk.kid).toBe(
      createHash("sha256")
        .update(JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n }))
        .digest("base64url"),
    );
  });

  it("answers 404 for what it does not serve (the device code flow)", async () => {
    const answer = await call(entra, `/${tenantId}/oauth2/v2.0/devicecode`);
    expect(answer.status).toBe(404);
    expect(field(answer.body, "error")).toBe("not_found");
  });
});
