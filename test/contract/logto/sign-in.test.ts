import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  addEntraPassword,
  connectEntraApp,
  createTraditionalApp,
  enableSingleSignOn,
  logtoManagementApi,
  registerEntraApp,
  type EntraApp,
  type LogtoCall,
  type TraditionalApp,
} from "../../../local/browser/chain";
import { CookieJar, signInOverHttp, type HttpPage, type RelyingParty } from "../../../local/browser/http-sign-in";
import { pairwiseSubject, startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import { registerWebApp } from "../../../local/standins/entra/testing";
import { startLogtoStandIn, type LogRow, type LogtoStandIn } from "../../../local/standins/logto";

const tenantId = "c0a1b2c3-0000-4000-8000-00000000c0de";
const appUrl = "http://127.0.0.1:9";
const user = {
  userPrincipalName: "dana@contoso.example",
  password: "dana-pw",
  displayName: "Dana",
  mail: "dana@contoso.example",
};
const account = { email: user.userPrincipalName, password: user.password };

describe("Logto stand-in sign-in side", () => {
  let entra: EntraStandIn;
  let logto: LogtoStandIn;
  let api: LogtoCall;
  let entraApp: EntraApp;
  let connectorId: string;
  let webApp: TraditionalApp;

  const authorizeUrl = (params: Record<string, string> = {}) =>
    `${logto.url}/oidc/auth?${new URLSearchParams({ client_id: webApp.id, redirect_uri: `${appUrl}/callback`, response_type: "code", scope: "openid profile email", state: "app-state", ...params })}`;

  const newJar = () => new CookieJar(entra.caPem);
  const relyingParty = (): RelyingParty => ({
    logtoUrl: logto.url,
    clientId: webApp.id,
    clientSecret: webApp.secret,
    redirectUri: `${appUrl}/callback`,
  });
  const signInOnce = () => signInOverHttp(relyingParty(), account, entra.caPem);
  const entraConfig = () => ({
    clientId: entraApp.appId,
    clientSecret: entraApp.secret,
    issuer: entra.issuerFor(tenantId),
  });

  /** App → Logto sign-in page → email → Entra sign-in page (not submitted). */
  async function toEntra(jar: CookieJar): Promise<HttpPage> {
    const toSignIn = await jar.fetch(authorizeUrl());
    expect(toSignIn.location).toBe(`${logto.url}/sign-in`);
    expect((await jar.fetch(`${logto.url}/sign-in`)).text).toContain("Enter your enterprise email address");
    const toIdp = await jar.fetch(`${logto.url}/sign-in`, { form: { email: user.userPrincipalName } });
    expect(toIdp.status, toIdp.text).toBe(303);
    return jar.fetch(String(toIdp.location));
  }

  /** Entra's form submitted: the answer at Logto's connector callback. */
  async function submitEntra(jar: CookieJar, page: HttpPage): Promise<HttpPage> {
    const flow = /name="flow" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1] ?? "";
    const back = await jar.fetch(`${entra.url}${action}`, {
      form: { flow, loginfmt: user.userPrincipalName, passwd: user.password },
    });
    expect(back.status, back.text).toBe(303);
    return jar.fetch(String(back.location));
  }

  /** Where a failed step sends the person: back to Logto's sign-in page, with the toast. */
  async function backOnSignInPage(jar: CookieJar, answer: HttpPage): Promise<string> {
    expect(answer.status, answer.text).toBe(303);
    expect(answer.location).toBe(`${logto.url}/sign-in`);
    const page = await jar.fetch(String(answer.location));
    expect(page.status).toBe(200);
    expect(page.text).toContain("Enter your enterprise email address");
    return /<p id="toast"[^>]*>([^<]*)<\/p>/.exec(page.text)?.[1] ?? "";
  }

  /** The audit log's newest entry of a key, through the Management API. */
  async function newestLog(logKey: string): Promise<LogRow["payload"] | undefined> {
    const answer = await api("GET", `/api/logs?${new URLSearchParams({ logKey })}`);
    expect(answer.status).toBe(200);
    return (answer.body as LogRow[])[0]?.payload;
  }

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: [tenantId], users: { [tenantId]: [user] } });
    logto = await startLogtoStandIn({ trustedCaPem: entra.caPem });
  });
  afterAll(async () => {
    await logto.close();
    await entra.close();
  });
  beforeEach(async () => {
    logto.reset();
    entra.reset();
    api = await logtoManagementApi(logto);
    entraApp = await registerEntraApp(entra, tenantId, "Logto SSO");
    connectorId = await connectEntraApp(api, logto.url, {
      name: "contoso",
      app: entraApp,
      issuer: entra.issuerFor(tenantId),
      domains: ["contoso.example"],
    });
    webApp = await createTraditionalApp(api, "Web app", [appUrl]);
    await enableSingleSignOn(api, true);
  });

  it("publishes Logto's discovery document at {endpoint}/oidc, ES384-signed ID tokens", async () => {
    const discovery = (await (await fetch(`${logto.url}/oidc/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({
      issuer: `${logto.url}/oidc`,
      authorization_endpoint: `${logto.url}/oidc/auth`,
      token_endpoint: `${logto.url}/oidc/token`,
      end_session_endpoint: `${logto.url}/oidc/session/end`,
      userinfo_endpoint: `${logto.url}/oidc/me`,
    });
    const keys = (await (await fetch(String(discovery.jwks_uri))).json()) as { keys: Array<Record<string, string>> };
    expect(keys.keys).toEqual([expect.objectContaining({ kty: "EC", crv: "P-384", alg: "ES384" })]);
    expect(JSON.stringify(keys)).not.toMatch(/"d":/);
  });

  it("answers an unregistered redirect URI with Logto's oidc.invalid_redirect_uri, without a sign-in page", async () => {
    const answer = await fetch(authorizeUrl({ redirect_uri: `${appUrl}/elsewhere` }), { redirect: "manual" });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({
      code: "oidc.invalid_redirect_uri",
      message: "`redirect_uri` did not match any of the client's registered `redirect_uris`.",
      error: "invalid_redirect_uri",
    });
  });

  it("takes every existing, unexpired app secret at the token endpoint, Basic or form, and refuses deleted and expired ones", async () => {
    const second = await api("POST", `/api/applications/${webApp.id}/secrets`, { name: "second" });
    const expired = await api("POST", `/api/applications/${webApp.id}/secrets`, {
      name: "soon",
      expiresAt: Date.now() + 300,
    });
    const redeem = (secret: string, basic: boolean) =>
      fetch(`${logto.url}/oidc/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...(basic ? { authorization: `Basic ${Buffer.from(`${webApp.id}:${secret}`).toString("base64")}` } : {}),
        },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: "not-a-code",
          redirect_uri: `${appUrl}/callback`,
          ...(basic ? {} : { client_id: webApp.id, client_secret: secret }),
        }),
      }).then(async (answer) => ({ status: answer.status, body: (await answer.json()) as Record<string, unknown> }));
    // Authenticated: the code is what is wrong.
    for (const secret of [webApp.secret, String((second.body as { value: string }).value)]) {
      expect(await redeem(secret, true)).toMatchObject({
        status: 400,
        body: { code: "oidc.invalid_grant", message: "Grant request is invalid." },
      });
      expect(await redeem(secret, false)).toMatchObject({ status: 400, body: { code: "oidc.invalid_grant" } });
    }
    expect(await redeem("not-a-secret", true)).toMatchObject({
      status: 401,
      body: { code: "oidc.invalid_client", error_description: "client authentication failed" },
    });
    await api("DELETE", `/api/applications/${webApp.id}/secrets/${encodeURIComponent("Default secret")}`);
    expect(await redeem(webApp.secret, false)).toMatchObject({ status: 401, body: { code: "oidc.invalid_client" } });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await redeem(String((expired.body as { value: string }).value), true)).toMatchObject({
      status: 400,
      body: { code: "oidc.invalid_request", error_description: "client secret has expired" },
    });
  });

  it("refuses a post-logout redirect URI the app did not register", async () => {
    const answer = await fetch(
      `${logto.url}/oidc/session/end?${new URLSearchParams({ client_id: webApp.id, post_logout_redirect_uri: `${appUrl}/other` })}`,
    );
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({
      code: "oidc.invalid_request",
      error_description: "post_logout_redirect_uri not registered",
    });
  });

  it("shows session.not_found's message without a sign-in in progress, and an unknown connector's as a toast on the sign-in page", async () => {
    const jar = newJar();
    const noSession = await jar.fetch(`${logto.url}/sign-in`);
    expect(noSession.status).toBe(400);
    expect(noSession.text).toContain("Session not found. Please go back and sign in again.");
    await jar.fetch(authorizeUrl());
    const unknown = await jar.fetch(`${logto.url}/sign-in/sso/nope`, { form: { email: user.userPrincipalName } });
    expect(await backOnSignInPage(jar, unknown)).toBe("Cannot find any available connector for type: SSO.");
    // Shown once: the next render of the page has no toast.
    expect((await jar.fetch(`${logto.url}/sign-in`)).text).not.toContain('id="toast"');
    expect(await newestLog("Interaction.SignIn.Verification.EnterpriseSso.Create")).toMatchObject({
      result: "Error",
      applicationId: webApp.id,
      error: { code: "connector.not_found" },
    });
  });

  it("signs in over plain HTTP too, and finds the same user again by the SSO identity on the next sign-in", async () => {
    for (const round of [1, 2]) {
      const jar = newJar();
      let page = await submitEntra(jar, await toEntra(jar));
      // Logto's login prompt is done; the consent prompt's page grants; then the code goes to the app.
      const visited: string[] = [];
      while (page.location?.startsWith(logto.url) && visited.length < 5) {
        visited.push(new URL(page.location).pathname.replace(/\/auth\/.+$/, "/auth/{uid}"));
        page = await jar.fetch(page.location);
      }
      expect(visited, `round ${round}`).toEqual(["/oidc/auth/{uid}", "/consent", "/oidc/auth/{uid}"]);
      expect(page.location).toMatch(new RegExp(`^${appUrl}/callback\\?code=[^&]+&state=app-state`));
    }
    expect(logto.state.users.size).toBe(1);
    expect(logto.state.userSsoIdentities).toHaveLength(1);
    const keys = (await api("GET", "/api/logs?page_size=100")).body as LogRow[];
    expect(keys.map((row) => `${row.key} ${row.payload.result}`).reverse()).toEqual([
      "Interaction.SignIn.Verification.EnterpriseSso.Create Success",
      "Interaction.SignIn.Verification.EnterpriseSso.Submit Success",
      "Interaction.SignIn.Identifier.Submit Error",
      "Interaction.Register.Identifier.Submit Success",
      "Interaction.Register.Submit Success",
      "Interaction.SignIn.Verification.EnterpriseSso.Create Success",
      "Interaction.SignIn.Verification.EnterpriseSso.Submit Success",
      "Interaction.SignIn.Identifier.Submit Success",
      "Interaction.SignIn.Submit Success",
    ]);
  });

  it("serves users as the Management API does, with their SSO identities keyed on (issuer, Entra's pairwise sub)", async () => {
    const outcome = await signInOnce();
    expect(outcome.userId, outcome.problem).toBeDefined();
    const list = await api("GET", "/api/users");
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      {
        id: outcome.userId,
        username: null,
        // Entra sends no email_verified and the connector does not trust unverified ones.
        primaryEmail: null,
        primaryPhone: null,
        name: user.displayName,
        avatar: expect.any(String),
        customData: {},
        identities: {},
        lastSignInAt: expect.any(Number),
        createdAt: expect.any(Number),
        updatedAt: expect.any(Number),
        profile: {},
        applicationId: null,
        cimdClientId: null,
        isSuspended: false,
        hasPassword: false,
      },
    ]);
    const entraUser = entra.tenant(tenantId).userByPrincipalName(user.userPrincipalName);
    const one = await api("GET", `/api/users/${outcome.userId}?includeSsoIdentities=true`);
    expect(one.body).toMatchObject({
      id: outcome.userId,
      ssoIdentities: [
        {
          tenantId: "default",
          userId: outcome.userId,
          issuer: entra.issuerFor(tenantId),
          identityId: pairwiseSubject(entraApp.appId, tenantId, entraUser?.id ?? ""),
          ssoConnectorId: connectorId,
          detail: expect.objectContaining({ unverifiedEmail: user.mail, oid: entraUser?.id }),
          createdAt: expect.any(Number),
          updatedAt: expect.any(Number),
        },
      ],
    });
    expect((await api("GET", `/api/users/${outcome.userId}`)).body).not.toHaveProperty("ssoIdentities");
    expect(await newestLog("Interaction.Register.Submit")).toMatchObject({
      userId: outcome.userId,
      applicationId: webApp.id,
    });
  });

  it("deletes a connector's SSO identities with it: the person's next sign-in through a new connector makes a new user", async () => {
    const first = await signInOnce();
    await api("DELETE", `/api/sso-connectors/${connectorId}`);
    expect(logto.state.userSsoIdentities).toEqual([]);
    expect(logto.state.users.has(String(first.userId))).toBe(true);
    await connectEntraApp(api, logto.url, {
      name: "contoso-again",
      app: entraApp,
      issuer: entra.issuerFor(tenantId),
      domains: ["contoso.example"],
    });
    const second = await signInOnce();
    expect(second.userId, second.problem).toBeDefined();
    expect(second.userId).not.toBe(first.userId);
    expect((await api("GET", "/api/users")).body).toHaveLength(2);
  });

  it("keys identities on the app registration: another registration gives the person another sub, hence another user", async () => {
    const first = await signInOnce();
    const other = await registerEntraApp(entra, tenantId, "Logto SSO (customer's own)");
    await api("PATCH", `/api/sso-connectors/${connectorId}`, {
      config: { clientId: other.appId, clientSecret: other.secret, issuer: entra.issuerFor(tenantId) },
    });
    await other.graph("PATCH", `/v1.0/applications/${other.objectId}`, {
      web: { redirectUris: [`${logto.url}/callback/${connectorId}`] },
    });
    const second = await signInOnce();
    expect(second.userId, second.problem).toBeDefined();
    expect(second.userId).not.toBe(first.userId);
    expect(logto.state.userSsoIdentities.map((row) => row.ssoConnectorId)).toEqual([connectorId, connectorId]);
  });

  it("links by email only when the connector trusts unverified email (Entra sends no email_verified)", async () => {
    await api("PATCH", `/api/sso-connectors/${connectorId}`, {
      config: { ...entraConfig(), trustUnverifiedEmail: true },
    });
    const first = await signInOnce();
    expect(logto.state.users.get(String(first.userId))?.primaryEmail).toBe(user.mail);
    // The identity is gone (as after a connector replacement); the email still finds the user.
    logto.state.userSsoIdentities.length = 0;
    const linked = await signInOnce();
    expect(linked.userId).toBe(first.userId);
    expect(logto.state.userSsoIdentities).toHaveLength(1);
    // Without trust the same email is only the identity's unverifiedEmail: a new user.
    await api("PATCH", `/api/sso-connectors/${connectorId}`, { config: entraConfig() });
    logto.state.userSsoIdentities.length = 0;
    const stranger = await signInOnce();
    expect(stranger.userId).not.toBe(first.userId);
    expect(logto.state.users.get(String(stranger.userId))?.primaryEmail).toBeNull();
  });

  it('refuses an unregistered SSO account in "sign in only" mode with user.sso_identity_not_exist, and lets registered ones in', async () => {
    const registered = await signInOnce();
    await api("PATCH", "/api/sign-in-exp", { signInMode: "SignIn" });
    expect((await signInOnce()).userId).toBe(registered.userId);
    await api("DELETE", `/api/users/${registered.userId}`);
    const refused = await signInOnce();
    expect(refused.userId).toBeUndefined();
    expect(refused.problem).toBe("The enterprise SSO account has not been registered yet.");
    expect(refused.ended?.url).toBe(`${logto.url}/sign-in`);
    expect(logto.state.users.size).toBe(0);
    expect(await newestLog("Interaction.SignIn.Identifier.Submit")).toMatchObject({
      result: "Error",
      error: { code: "user.sso_identity_not_exist" },
    });
  });

  it("deletes a user with their SSO identities and sessions; the id is then entity.not_exists_with_id", async () => {
    const outcome = await signInOnce();
    expect(logto.sessions().map((session) => session.accountId)).toContain(outcome.userId);
    expect((await api("DELETE", `/api/users/${outcome.userId}`)).status).toBe(204);
    expect(logto.state.userSsoIdentities).toEqual([]);
    expect(logto.sessions().map((session) => session.accountId)).not.toContain(outcome.userId);
    expect(await api("GET", `/api/users/${outcome.userId}`)).toEqual({
      status: 404,
      body: { code: "entity.not_exists_with_id", message: `The users with ID \`${outcome.userId}\` does not exist.` },
    });
  });

  it("sends a callback whose state is not the one sent, and one after the SSO switch went off, back to the sign-in page", async () => {
    const jar = newJar();
    const entraPage = await toEntra(jar);
    const forged = await jar.fetch(`${logto.url}/callback/${connectorId}?code=x&state=forged`);
    expect(await backOnSignInPage(jar, forged)).toBe("The authorization is invalid");

    const again = newJar();
    const page = await toEntra(again);
    await enableSingleSignOn(api, false);
    const switchedOff = await submitEntra(again, page);
    expect(await backOnSignInPage(again, switchedOff)).toBe("This sign-in method is not enabled.");
    expect(await newestLog("Interaction.SignIn.Identifier.Submit")).toMatchObject({
      result: "Error",
      error: { code: "user.sign_in_method_not_enabled" },
    });
    expect(logto.state.users.size).toBe(0);
    expect(entraPage.status).toBe(200);
  });

  it("shows a short message when Entra refuses the connector's secret, and keeps AADSTS7000215 in the audit log", async () => {
    await entraApp.graph("POST", `/v1.0/applications/${entraApp.objectId}/removePassword`, { keyId: entraApp.keyId });
    await addEntraPassword(entraApp);
    const jar = newJar();
    const failed = await submitEntra(jar, await toEntra(jar));
    expect(await backOnSignInPage(jar, failed)).toBe("The user's authorization process is unsuccessful.");
    const logged = await newestLog("Interaction.SignIn.Verification.EnterpriseSso.Submit");
    expect(logged).toMatchObject({
      result: "Error",
      connectorId,
      error: { code: "connector.authorization_failed", data: { message: "Fail to fetch token" } },
    });
    expect(JSON.stringify(logged)).toContain("AADSTS7000215");
    expect(JSON.stringify(logto.state.logs)).not.toContain(entraApp.secret);
  });

  it("checks the ID token of a multi-tenant connector (`organizations` issuer) against the issuer with `{tenantid}` filled in", async () => {
    await api("DELETE", `/api/sso-connectors/${connectorId}`);
    const graph = entraApp.graph;
    const multi = await registerWebApp(graph, {
      displayName: "Logto SSO (any org)",
      signInAudience: "AzureADMultipleOrgs",
    });
    const organizationsIssuer = `${entra.url}/organizations/v2.0`;
    await connectEntraApp(api, logto.url, {
      name: "any-org",
      app: { ...multi, tenantId, graph },
      issuer: organizationsIssuer,
      domains: ["contoso.example"],
    });
    const jar = newJar();
    const entraPage = await toEntra(jar);
    expect(entraPage.text).toContain('action="/organizations/login"');
    const back = await submitEntra(jar, entraPage);
    expect(back.status, back.text).toBe(303);
    expect(logto.state.userSsoIdentities).toEqual([expect.objectContaining({ issuer: organizationsIssuer })]);
  });

  it("answers as the same tenant at a second address: same data and tokens, its own issuer and callback URIs", async () => {
    const first = await signInOnce();
    const second = await logto.addAddress();
    expect(second).not.toBe(logto.url);
    const discovery = (await (await fetch(`${second}/oidc/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    expect(discovery.issuer).toBe(`${second}/oidc`);
    // One tenant, one set of signing keys, whichever address: how the provider tells the same Logto from another.
    const jwksAt = async (origin: string) => (await fetch(`${origin}/oidc/jwks`)).json();
    expect(await jwksAt(second)).toEqual(await jwksAt(logto.url));
    // A Management API token from the first address works at the second, on the same rows.
    const tokenAnswer = await fetch(`${logto.url}/oidc/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${logto.m2mAppId}:${logto.m2mAppSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        resource: "https://default.logto.app/api",
        scope: "all",
      }),
    });
    const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
    const users = await fetch(`${second}/api/users`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await users.json()) as Array<{ id: string }>).map((row) => row.id)).toEqual([first.userId]);
    // Signing in there: Entra is sent the second address's callback, which the app registration must list.
    const refused = await signInOverHttp({ ...relyingParty(), logtoUrl: second }, account, entra.caPem);
    expect(refused.problem).toMatch(/^AADSTS50011: .*\/callback\//);
    expect(refused.problem).toContain(`${second}/callback/${connectorId}`);
    await entraApp.graph("PATCH", `/v1.0/applications/${entraApp.objectId}`, {
      web: { redirectUris: [`${logto.url}/callback/${connectorId}`, `${second}/callback/${connectorId}`] },
    });
    const moved = await signInOverHttp({ ...relyingParty(), logtoUrl: second }, account, entra.caPem);
    expect(moved.userId, moved.problem).toBe(first.userId);
    expect(moved.idTokenClaims?.iss).toBe(`${second}/oidc`);
  });

  it("lets M2M tokens keep working beside the sign-in side", async () => {
    const answer = await api("GET", "/api/applications");
    expect(answer.status).toBe(200);
  });
});
