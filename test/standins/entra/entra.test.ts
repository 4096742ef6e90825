import { createHash, createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { isPlainObject } from "../logto/json";
import { startEntraIssuerStandIn, type EntraIssuerStandIn } from "./index";

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  const body: unknown = await response.json();
  if (!isPlainObject(body)) throw new Error(`${url} answered ${JSON.stringify(body)}`);
  return { status: response.status, body };
}

describe("Entra issuer stand-in", () => {
  let entra: EntraIssuerStandIn;
  const tenantId = "11111111-2222-3333-4444-555555555555";

  beforeAll(async () => {
    entra = await startEntraIssuerStandIn();
  });
  afterAll(() => entra.close());

  it("serves a v2.0 discovery document per tenant and counts the requests", async () => {
    const before = entra.discoveryRequests;
    const { status, body } = await getJson(`${entra.issuerFor(tenantId)}/.well-known/openid-configuration`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      issuer: `${entra.url}/${tenantId}/v2.0`,
      authorization_endpoint: `${entra.url}/${tenantId}/oauth2/v2.0/authorize`,
      token_endpoint: `${entra.url}/${tenantId}/oauth2/v2.0/token`,
      jwks_uri: `${entra.url}/${tenantId}/discovery/v2.0/keys`,
      end_session_endpoint: `${entra.url}/${tenantId}/oauth2/v2.0/logout`,
      userinfo_endpoint: `${entra.url}/oidc/userinfo`,
      id_token_signing_alg_values_supported: ["RS256"],
      subject_types_supported: ["pairwise"],
    });
    expect(body.response_types_supported).toContain("code");
    expect(body.scopes_supported).toEqual(["openid", "profile", "email", "offline_access"]);
    expect(body.claims_supported).toEqual(expect.arrayContaining(["sub", "iss", "tid", "email", "preferred_username"]));
    expect(entra.discoveryRequests).toBe(before + 1);
  });

  it("publishes the multi-tenant issuer with Entra's {tenantid} placeholder", async () => {
    const { body } = await getJson(`${entra.issuerFor("organizations")}/.well-known/openid-configuration`);
    expect(body.issuer).toBe(`${entra.url}/{tenantid}/v2.0`);
  });

  it("serves a real RSA signing key whose kid is its RFC 7638 thumbprint", async () => {
    const { body } = await getJson(`${entra.url}/${tenantId}/discovery/v2.0/keys`);
    const keys = body.keys;
    expect(Array.isArray(keys) && keys.length).toBe(1);
    const [jwk] = Array.isArray(keys) ? keys : [];
    if (!isPlainObject(jwk) || typeof jwk.n !== "string" || typeof jwk.e !== "string") throw new Error("no RSA key");
    expect(jwk).toMatchObject({ kty: "RSA", use: "sig", issuer: entra.issuerFor(tenantId) });
    const key = createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" });
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const thumbprint = createHash("sha256").update(JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n })).digest("base64url");
    expect(jwk.kid).toBe(thumbprint);
  });

  it("answers 404 for what it does not serve", async () => {
    const { status, body } = await getJson(`${entra.url}/${tenantId}/oauth2/v2.0/authorize`);
    expect(status).toBe(404);
    expect(body.error).toBe("not_found");
  });
});
