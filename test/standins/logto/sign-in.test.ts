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
} from "../../browser/chain";
import { startEntraStandIn, type EntraStandIn } from "../entra";
import { call as entraCall, registerWebApp } from "../entra/testing";
import { startLogtoStandIn, type LogtoStandIn } from "./index";

const tenantId = "c0a1b2c3-0000-4000-8000-00000000c0de";
const appUrl = "http://127.0.0.1:9";
const user = { userPrincipalName: "dana@contoso.example", password: "dana-pw", displayName: "Dana" };

interface Page {
  status: number;
  location?: string;
  text: string;
}

/** A browser without a browser: cookies per origin, redirects not followed. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  async fetch(
    logto: LogtoStandIn,
    entra: EntraStandIn,
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Page> {
    const headers: Record<string, string> = { accept: "text/html" };
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (cookie && url.startsWith(logto.url)) headers.cookie = cookie;
    const body = init.form === undefined ? undefined : new URLSearchParams(init.form).toString();
    if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    if (url.startsWith(entra.url)) {
      const answer = await entraCall(entra, url.slice(entra.url.length), {
        method: init.method ?? (body ? "POST" : "GET"),
        headers,
        body,
      });
      const location = answer.headers.location;
      return { status: answer.status, text: answer.text, ...(typeof location === "string" ? { location } : {}) };
    }
    const answer = await fetch(url, {
      method: init.method ?? (body ? "POST" : "GET"),
      headers,
      body,
      redirect: "manual",
    });
    for (const setCookie of answer.headers.getSetCookie()) {
      const [pair] = setCookie.split(";");
      const separator = pair.indexOf("=");
      this.cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
    const location = answer.headers.get("location");
    return {
      status: answer.status,
      text: await answer.text(),
      ...(location ? { location: new URL(location, url).href } : {}),
    };
  }
}

describe("Logto stand-in sign-in side", () => {
  let entra: EntraStandIn;
  let logto: LogtoStandIn;
  let api: LogtoCall;
  let entraApp: EntraApp;
  let connectorId: string;
  let webApp: TraditionalApp;

  const authorizeUrl = (params: Record<string, string> = {}) =>
    `${logto.url}/oidc/auth?${new URLSearchParams({ client_id: webApp.id, redirect_uri: `${appUrl}/callback`, response_type: "code", scope: "openid profile email", state: "app-state", ...params })}`;

  /** App → Logto sign-in page → email → Entra sign-in page (not submitted). */
  async function toEntra(jar: CookieJar): Promise<Page> {
    const toSignIn = await jar.fetch(logto, entra, authorizeUrl());
    expect(toSignIn.location).toBe(`${logto.url}/sign-in`);
    expect((await jar.fetch(logto, entra, `${logto.url}/sign-in`)).text).toContain(
      "Enter your enterprise email address",
    );
    const toIdp = await jar.fetch(logto, entra, `${logto.url}/sign-in`, { form: { email: user.userPrincipalName } });
    expect(toIdp.status, toIdp.text).toBe(303);
    return jar.fetch(logto, entra, String(toIdp.location));
  }

  async function submitEntra(jar: CookieJar, page: Page): Promise<Page> {
    const flow = /name="flow" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1] ?? "";
    const back = await jar.fetch(logto, entra, `${entra.url}${action}`, {
      form: { flow, loginfmt: user.userPrincipalName, passwd: user.password },
    });
    expect(back.status, back.text).toBe(303);
    return jar.fetch(logto, entra, String(back.location));
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

  it("answers session.not_found on the sign-in pages without a sign-in in progress, and connector.not_found for an unknown connector", async () => {
    const jar = new CookieJar();
    const noSession = await jar.fetch(logto, entra, `${logto.url}/sign-in`);
    expect(noSession.status).toBe(400);
    expect(noSession.text).toContain("session.not_found");
    expect(noSession.text).toContain("Session not found. Please go back and sign in again.");
    await jar.fetch(logto, entra, authorizeUrl());
    const unknown = await jar.fetch(logto, entra, `${logto.url}/sign-in/sso/nope`, {
      form: { email: user.userPrincipalName },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("connector.not_found");
  });

  it("signs in over plain HTTP too, and finds the same user again by the SSO identity on the next sign-in", async () => {
    for (const round of [1, 2]) {
      const jar = new CookieJar();
      let page = await submitEntra(jar, await toEntra(jar));
      // Logto's login prompt is done; the consent prompt's page grants; then the code goes to the app.
      const visited: string[] = [];
      while (page.location?.startsWith(logto.url) && visited.length < 5) {
        visited.push(new URL(page.location).pathname.replace(/\/auth\/.+$/, "/auth/{uid}"));
        page = await jar.fetch(logto, entra, page.location);
      }
      expect(visited, `round ${round}`).toEqual(["/oidc/auth/{uid}", "/consent", "/oidc/auth/{uid}"]);
      expect(page.location).toMatch(new RegExp(`^${appUrl}/callback\\?code=[^&]+&state=app-state`));
    }
    expect(logto.state.users.size).toBe(1);
    expect(logto.state.userSsoIdentities).toHaveLength(1);
  });

  it("refuses a callback whose state is not the one sent, and one after the SSO switch went off", async () => {
    const jar = new CookieJar();
    const entraPage = await toEntra(jar);
    const forged = await jar.fetch(logto, entra, `${logto.url}/callback/${connectorId}?code=x&state=forged`);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain("The authorization is invalid");

    const again = new CookieJar();
    const page = await toEntra(again);
    await enableSingleSignOn(api, false);
    const switchedOff = await submitEntra(again, page);
    expect(switchedOff.status).toBe(422);
    expect(switchedOff.text).toContain("user.sign_in_method_not_enabled");
    expect(logto.state.users.size).toBe(0);
    expect(entraPage.status).toBe(200);
  });

  it("shows the IdP's token error (AADSTS7000215) when the connector's secret is no longer Entra's", async () => {
    await entraApp.graph("POST", `/v1.0/applications/${entraApp.objectId}/removePassword`, { keyId: entraApp.keyId });
    await addEntraPassword(entraApp);
    const jar = new CookieJar();
    const failed = await submitEntra(jar, await toEntra(jar));
    expect(failed.status).toBe(500);
    expect(failed.text).toContain("connector.authorization_failed");
    expect(failed.text).toContain("Fail to fetch token");
    expect(failed.text).toContain("AADSTS7000215");
    expect(failed.text).not.toContain(entraApp.secret);
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
    const jar = new CookieJar();
    const entraPage = await toEntra(jar);
    expect(entraPage.text).toContain('action="/organizations/login"');
    const back = await submitEntra(jar, entraPage);
    expect(back.status, back.text).toBe(303);
    expect(logto.state.userSsoIdentities).toEqual([expect.objectContaining({ issuer: organizationsIssuer })]);
  });

  it("lets M2M tokens keep working beside the sign-in side", async () => {
    const answer = await api("GET", "/api/applications");
    expect(answer.status).toBe(200);
  });
});
