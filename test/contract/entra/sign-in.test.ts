import { createHash, createPublicKey, verify } from "node:crypto";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { pairwiseSubject, startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import {
  call,
  consentInTenant,
  field,
  graphClient,
  registerWebApp,
  type Answer,
  type RegisteredWebApp,
} from "../../../local/standins/entra/testing";

const tenantA = "0a1b2c3d-0000-4000-8000-0000000000a1";
const tenantB = "0a1b2c3d-0000-4000-8000-0000000000b2";
const redirectUri = "http://127.0.0.1:9/callback/connector1";
const alice = {
  userPrincipalName: "alice@a.example",
  password: "alice-pw",
  displayName: "Alice A",
  mail: "alice@a.example",
};
const bob = { userPrincipalName: "bob@b.example", password: "bob-pw", displayName: "Bob B" };

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = { "content-type": "application/x-www-form-urlencoded" };

describe("Entra stand-in user sign-in (authorization code flow)", () => {
  let entra: EntraStandIn;
  let app: RegisteredWebApp;

  const authorize = (params: Record<string, string>, authority = tenantA): Promise<Answer> =>
    call(
      entra,
      `/${authority}/oauth2/v2.0/authorize?${new URLSearchParams({ response_type: "code", scope: "openid profile email", redirect_uri: redirectUri, state: "s1", nonce: "n1", ...params })}`,
    );

  /** The sign-in page's flow, then the form posted with the user's credentials. */
  async function signIn(
    page: Answer,
    user: { userPrincipalName: string; password: string },
    authority = tenantA,
  ): Promise<Answer> {
    const flow = /name="flow" value="([^"]+)"/.exec(page.text)?.[1];
    if (!flow) throw new Error(`no sign-in form: ${page.status} ${page.text}`);
    return call(entra, `/${authority}/login`, {
      method: "POST",
      headers: formHeaders,
      body: form({ flow, loginfmt: user.userPrincipalName, passwd: user.password }),
    });
  }

  const redirected = (answer: Answer): URL => {
    expect(answer.status, answer.text).toBe(303);
    return new URL(String(answer.headers.location));
  };

  const redeem = (
    code: string,
    overrides: Record<string, string> = {},
    headers: Record<string, string> = {},
    authority = tenantA,
  ): Promise<Answer> =>
    call(entra, `/${authority}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { ...formHeaders, ...headers },
      body: form({
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        client_id: app.appId,
        client_secret: app.secret,
        ...overrides,
      }),
    });

  async function codeFor(params: Record<string, string> = {}): Promise<string> {
    const location = redirected(await signIn(await authorize({ client_id: app.appId, ...params }), alice));
    return String(location.searchParams.get("code"));
  }

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: [tenantA, tenantB], users: { [tenantA]: [alice], [tenantB]: [bob] } });
  });
  afterAll(() => entra.close());
  beforeEach(async () => {
    entra.reset();
    app = await registerWebApp(await graphClient(entra, tenantA), {
      displayName: "Logto connector",
      redirectUris: [redirectUri],
    });
  });

  it("shows a sign-in page for the app, with Entra's field names", async () => {
    const page = await authorize({ client_id: app.appId, login_hint: alice.userPrincipalName });
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain("Logto connector");
    expect(page.text).toMatch(/id="i0116" type="email" name="loginfmt" value="alice@a.example"/);
  });

  it("shows AADSTS50011 on its error page, not at the app, for a redirect URI the app did not register", async () => {
    const page = await authorize({ client_id: app.appId, redirect_uri: "http://127.0.0.1:9/elsewhere" });
    expect(page.status).toBe(400);
    expect(page.headers.location).toBeUndefined();
    expect(page.text).toContain(
      `AADSTS50011: The redirect URI 'http://127.0.0.1:9/elsewhere' specified in the request does not match the redirect URIs configured for the application '${app.appId}'.`,
    );
    expect(page.text).toMatch(/Correlation Id/);
  });

  it("shows AADSTS700016 for an unknown client and AADSTS90002 for an unknown tenant", async () => {
    const unknownClient = await authorize({ client_id: "11111111-2222-4333-8444-555555555555" });
    expect(unknownClient.text).toContain(
      `AADSTS700016: Application with identifier '11111111-2222-4333-8444-555555555555' was not found in the directory '${tenantA}'.`,
    );
    const unknownTenant = await authorize({ client_id: app.appId }, "0a1b2c3d-0000-4000-8000-0000000000ff");
    expect(unknownTenant.text).toContain("AADSTS90002: Tenant '0a1b2c3d-0000-4000-8000-0000000000ff' not found.");
  });

  it("refuses a wrong password (AADSTS50126) and a user of another tenant on a tenant authority (AADSTS50034) on the sign-in page", async () => {
    const wrong = await signIn(await authorize({ client_id: app.appId }), { ...alice, password: "nope" });
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain("AADSTS50126: Error validating credentials due to invalid username or password.");
    const elsewhere = await signIn(await authorize({ client_id: app.appId }), bob);
    expect(elsewhere.text).toContain(
      `AADSTS50034: The user account ${bob.userPrincipalName} does not exist in the directory '${tenantA}'.`,
    );
  });

  it("redirects back with the code and state, and the code redeems for a v2.0 ID token Logto can check", async () => {
    const location = redirected(await signIn(await authorize({ client_id: app.appId }), alice));
    expect(location.origin + location.pathname).toBe(redirectUri);
    expect(location.searchParams.get("state")).toBe("s1");
    const basic = Buffer.from(`${app.appId}:${app.secret}`).toString("base64");
    const answer = await redeem(
      String(location.searchParams.get("code")),
      { client_id: "", client_secret: "" },
      { authorization: `Basic ${basic}` },
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    expect(field(answer.body, "refresh_token")).toBeUndefined();

    const idToken = String(field(answer.body, "id_token"));
    const user = entra.tenant(tenantA).userByPrincipalName(alice.userPrincipalName);
    const claims = claimsOf(idToken);
    expect(claims).toMatchObject({
      ver: "2.0",
      iss: `${entra.url}/${tenantA}/v2.0`,
      aud: app.appId,
      tid: tenantA,
      oid: user?.id,
      sub: pairwiseSubject(app.appId, tenantA, user?.id ?? ""),
      name: alice.displayName,
      preferred_username: alice.userPrincipalName,
      email: alice.mail,
      nonce: "n1",
    });
    expect(String(claims.sub)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3599);
    expect(claims.iss).toBe(entra.issuerFor(tenantA));

    const [head, payload, signature] = idToken.split(".");
    const keys = await call(entra, `/${tenantA}/discovery/v2.0/keys`);
    const [jwk] = field(keys.body, "keys") as Array<Record<string, string>>;
    expect((JSON.parse(Buffer.from(head, "base64url").toString()) as { kid: string }).kid).toBe(jwk.kid);
    const publicKey = createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" });
    expect(verify("sha256", Buffer.from(`${head}.${payload}`), publicKey, Buffer.from(signature, "base64url"))).toBe(
      true,
    );

    // The userinfo endpoint the discovery document advertises, with the access token: same subject and email.
    const discovery = await call(entra, `/${tenantA}/v2.0/.well-known/openid-configuration`);
    const userinfoPath = new URL(String(field(discovery.body, "userinfo_endpoint"))).pathname;
    const userinfo = await call(entra, userinfoPath, {
      headers: { authorization: `Bearer ${String(field(answer.body, "access_token"))}` },
    });
    expect(userinfo.status).toBe(200);
    expect(userinfo.body).toEqual({
      sub: claims.sub,
      name: alice.displayName,
      picture: `${entra.url}/v1.0/me/photo/$value`,
      email: alice.mail,
    });
  });

  it("gives a pairwise sub: another app signing the same user in gets another one, with the same oid", async () => {
    const other = await registerWebApp(await graphClient(entra, tenantA), {
      displayName: "Other",
      redirectUris: [redirectUri],
    });
    const first = claimsOf(String(field((await redeem(await codeFor())).body, "id_token")));
    app = other;
    const second = claimsOf(String(field((await redeem(await codeFor())).body, "id_token")));
    expect(second.sub).not.toBe(first.sub);
    expect(second.oid).toBe(first.oid);
  });

  it("leaves email out for a user without mail, and name and username out without the profile scope", async () => {
    app = await registerWebApp(await graphClient(entra, tenantB), {
      displayName: "B app",
      redirectUris: [redirectUri],
      adminConsent: "openid email",
    });
    const page = await authorize({ client_id: app.appId, scope: "openid email" }, tenantB);
    const code = String(redirected(await signIn(page, bob, tenantB)).searchParams.get("code"));
    const claims = claimsOf(String(field((await redeem(code, {}, {}, tenantB)).body, "id_token")));
    expect(claims).not.toHaveProperty("email");
    expect(claims).not.toHaveProperty("name");
    expect(claims).not.toHaveProperty("preferred_username");
    expect(claims.tid).toBe(tenantB);
  });

  it("refuses a wrong or deleted secret with 401 AADSTS7000215, and a second redemption with AADSTS54005", async () => {
    const code = await codeFor();
    const wrong = await redeem(code, { client_secret: "not-the-secret" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    const graph = await graphClient(entra, tenantA);
    expect(
      (await graph("POST", `/v1.0/applications/${app.objectId}/removePassword`, { keyId: app.keyId })).status,
    ).toBe(204);
    const deleted = await redeem(code);
    expect(field(deleted.body, "error_codes")).toEqual([7000215]);
    expect(String(field(deleted.body, "error_description"))).toMatch(
      /^AADSTS7000215: Invalid client secret provided\./,
    );

    app = await registerWebApp(graph, { displayName: "Fresh", redirectUris: [redirectUri] });
    const fresh = await codeFor();
    expect((await redeem(fresh)).status).toBe(200);
    const again = await redeem(fresh);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: "invalid_grant", error_codes: [54005] });
  });

  it("checks PKCE when the authorization request had a challenge (AADSTS501481)", async () => {
    const verifier = "a-code-verifier-of-at-least-forty-three-characters-long";
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const code = await codeFor({ code_challenge: challenge, code_challenge_method: "S256" });
    const wrong = await redeem(code, { code_verifier: "another-verifier-of-at-least-forty-three-characters-x" });
    expect(wrong.body).toMatchObject({ error: "invalid_grant", error_codes: [501481] });
    const second = await codeFor({ code_challenge: challenge, code_challenge_method: "S256" });
    expect((await redeem(second, { code_verifier: verifier })).status).toBe(200);
  });

  it("posts the response to the app with response_mode=form_post", async () => {
    const page = await signIn(await authorize({ client_id: app.appId, response_mode: "form_post" }), alice);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`action="${redirectUri}"`);
    expect(page.text).toMatch(/name="code" value="[^"]+"/);
    expect(page.text).toContain('name="state" value="s1"');
  });

  it("sends consent_required AADSTS65001 back to the app when no grant covers the scopes", async () => {
    app = await registerWebApp(await graphClient(entra, tenantA), {
      displayName: "Unconsented",
      redirectUris: [redirectUri],
      adminConsent: "openid profile",
    });
    const location = redirected(await signIn(await authorize({ client_id: app.appId }), alice));
    expect(location.searchParams.get("error")).toBe("consent_required");
    expect(location.searchParams.get("state")).toBe("s1");
    expect(location.searchParams.get("error_description")).toMatch(
      new RegExp(
        `^AADSTS65001: The user or administrator has not consented to use the application with ID '${app.appId}' named 'Unconsented'\\.`,
      ),
    );
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("signs a user of another tenant in through `organizations` when the multi-tenant app has a service principal there", async () => {
    app = await registerWebApp(await graphClient(entra, tenantA), {
      displayName: "Multi",
      redirectUris: [redirectUri],
      signInAudience: "AzureADMultipleOrgs",
    });
    const noPrincipal = redirected(
      await signIn(await authorize({ client_id: app.appId }, "organizations"), bob, "organizations"),
    );
    expect(noPrincipal.searchParams.get("error_description")).toMatch(/^AADSTS65001:/);

    consentInTenant(entra, tenantB, app.appId, "openid profile email");
    const location = redirected(
      await signIn(await authorize({ client_id: app.appId }, "organizations"), bob, "organizations"),
    );
    const answer = await redeem(String(location.searchParams.get("code")), {}, {}, "organizations");
    expect(answer.status, answer.text).toBe(200);
    const claims = claimsOf(String(field(answer.body, "id_token")));
    expect(claims).toMatchObject({ tid: tenantB, iss: `${entra.url}/${tenantB}/v2.0`, aud: app.appId });
    // What a Logto connector configured with the `organizations` issuer checks, once `{tenantid}` is filled in.
    const discovery = await call(entra, "/organizations/v2.0/.well-known/openid-configuration");
    expect(String(field(discovery.body, "issuer")).replace("{tenantid}", String(claims.tid))).toBe(claims.iss);
    // The subject is per app, tenant and user, whichever authority signed the user in.
    const direct = redirected(await signIn(await authorize({ client_id: app.appId }, tenantB), bob, tenantB));
    const directAnswer = await redeem(String(direct.searchParams.get("code")), {}, {}, tenantB);
    expect(claimsOf(String(field(directAnswer.body, "id_token")))).toMatchObject({ sub: claims.sub, oid: claims.oid });
  });

  it("refuses a single-tenant app for a user of another tenant (AADSTS50194)", async () => {
    const location = redirected(
      await signIn(await authorize({ client_id: app.appId }, "organizations"), bob, "organizations"),
    );
    expect(location.searchParams.get("error_description")).toMatch(
      new RegExp(
        `^AADSTS50194: Application '${app.appId}'\\(Logto connector\\) is not configured as a multi-tenant application\\.`,
      ),
    );
  });

  it("keeps test users across reset, with the same object id (oid), and checks user seeds", async () => {
    const bobBefore = entra.tenant(tenantB).userByPrincipalName(bob.userPrincipalName);
    expect(bobBefore?.mail).toBeNull();
    expect(() => entra.addUser(tenantB, { userPrincipalName: alice.userPrincipalName, password: "x" })).toThrow(
      /is a user of tenant .* already/,
    );
    const carol = entra.addUser(tenantB, { userPrincipalName: "carol@b.example", password: "carol-pw" });
    expect(entra.dump()[tenantB].users.map((user) => user.userPrincipalName)).toContain("carol@b.example");
    expect(JSON.stringify(entra.dump())).not.toContain("carol-pw");
    entra.reset();
    expect(entra.tenant(tenantB).users.has(carol.id)).toBe(false);
    expect(entra.tenant(tenantB).userByPrincipalName(bob.userPrincipalName)?.id).toBe(bobBefore?.id);
    await expect(startEntraStandIn({ tenants: [tenantA], users: { [tenantB]: [] } })).rejects.toThrow(
      /users\["0a1b2c3d-0000-4000-8000-0000000000b2"\] names no tenant/,
    );
    await expect(
      startEntraStandIn({
        tenants: [tenantA],
        users: { [tenantA]: [{ userPrincipalName: "no-at-sign", password: "x" }] },
      }),
    ).rejects.toThrow(/userPrincipalName must look like name@domain/);
  });
});
