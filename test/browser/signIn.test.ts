/**
 * The whole enterprise SSO sign-in, in Chromium, without Pulumi: the Flask sample app (gunicorn from
 * app/.venv) → the Logto stand-in (oidc-provider, sign-in page, connector) → the Entra stand-in (authorize,
 * sign-in page, token, userinfo) → back, signed in. The stand-ins are seeded as the stack seeds them.
 * Screenshots of every step: test-results/sign-in/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { pairwiseSubject, startEntraStandIn, type EntraStandIn } from "../../local/standins/entra";
import { startLogtoStandIn, type LogtoStandIn } from "../../local/standins/logto";
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
} from "../../local/browser/chain";
import { launchChromium, type Browser } from "../../local/browser/chromium";
import { freePort, startSampleApp, type SampleApp } from "../../local/browser/sample-app";
import { signIn, signOut, type Scenario } from "../../local/browser/sign-in";

const contoso = { tenantId: "c0a1b2c3-0000-4000-8000-00000000c001", domain: "contoso.example" };
const fabrikam = { tenantId: "fab1b2c3-0000-4000-8000-00000000fab2", domain: "fabrikam.example" };
const adele = { email: "adele@contoso.example", password: "Adele-Passw0rd!", displayName: "Adele Vance" };
const bianca = { email: "bianca@fabrikam.example", password: "Bianca-Passw0rd!", displayName: "Bianca Pisani" };

describe("signing in to the sample app through Logto and Entra, in Chromium", () => {
  let entra: EntraStandIn;
  let logto: LogtoStandIn;
  let logtoApi: LogtoCall;
  let contosoApp: EntraApp;
  let contosoConnectorId: string;
  let webApp: TraditionalApp;
  let sampleApp: SampleApp;
  let browser: Browser;
  const portB = freePort();
  const startedApps: SampleApp[] = [];

  const scenario = (name: string, appUrl = sampleApp.url): Scenario => ({
    context: browser.context,
    name,
    appUrl,
    entraUrl: entra.url,
  });
  const authorizeRequests = (tenantId: string) =>
    entra.requests.filter((entry) => entry.path === `/${tenantId}/oauth2/v2.0/authorize`).length;

  beforeAll(async () => {
    entra = await startEntraStandIn({
      tenants: [contoso.tenantId, fabrikam.tenantId],
      users: {
        [contoso.tenantId]: [
          {
            userPrincipalName: adele.email,
            password: adele.password,
            displayName: adele.displayName,
            mail: adele.email,
          },
        ],
        [fabrikam.tenantId]: [
          {
            userPrincipalName: bianca.email,
            password: bianca.password,
            displayName: bianca.displayName,
            mail: bianca.email,
          },
        ],
      },
    });
    logto = await startLogtoStandIn({ trustedCaPem: entra.caPem });
    logtoApi = await logtoManagementApi(logto);

    contosoApp = await registerEntraApp(entra, contoso.tenantId, "Logto SSO (contoso)");
    contosoConnectorId = await connectEntraApp(logtoApi, logto.url, {
      name: "contoso",
      app: contosoApp,
      issuer: entra.issuerFor(contoso.tenantId),
      domains: [contoso.domain],
    });
    const fabrikamApp = await registerEntraApp(entra, fabrikam.tenantId, "Logto SSO (fabrikam)");
    await connectEntraApp(logtoApi, logto.url, {
      name: "fabrikam",
      app: fabrikamApp,
      issuer: entra.issuerFor(fabrikam.tenantId),
      domains: [fabrikam.domain],
      trustUnverifiedEmail: true,
    });
    await enableSingleSignOn(logtoApi, true);

    const port = await freePort();
    webApp = await createTraditionalApp(logtoApi, "Sample app", [
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${await portB}`,
    ]);
    sampleApp = await startSampleApp({ logtoEndpoint: logto.url, appId: webApp.id, appSecret: webApp.secret, port });
    startedApps.push(sampleApp);
    browser = await launchChromium();
  }, 90_000);

  // Each scenario starts from a browser that has no session anywhere.
  beforeEach(async () => {
    await browser.context.clearCookies();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(startedApps.map((app) => app.stop()));
    await logto?.close();
    await entra?.close();
  });

  it("signs a user of tenant 1 in: the app shows the Logto user, Entra's email kept unverified, then signs out", async () => {
    const run = scenario("tenant-1");
    const outcome = await signIn(run, adele);
    expect(outcome.entraSignInUrl).toMatch(new RegExp(`^${entra.url}/${contoso.tenantId}/oauth2/v2.0/authorize\\?`));
    expect(outcome.claims, outcome.text).toBeDefined();
    const [user] = [...logto.state.users.values()];
    const contosoUser = entra.tenant(contoso.tenantId).userByPrincipalName(adele.email);
    expect(outcome.claims).toEqual({ name: adele.displayName, email: "(not shared)", sub: user.id });
    // trustUnverifiedEmail is off and Entra sends no email_verified: the address stays out of the profile.
    expect(user.primaryEmail).toBeNull();
    expect(logto.state.userSsoIdentities).toEqual([
      expect.objectContaining({
        userId: user.id,
        issuer: entra.issuerFor(contoso.tenantId),
        identityId: pairwiseSubject(contosoApp.appId, contoso.tenantId, contosoUser?.id ?? ""),
        ssoConnectorId: contosoConnectorId,
        detail: expect.objectContaining({ unverifiedEmail: adele.email, name: adele.displayName }),
      }),
    ]);
    expect(logto.sessions().map((session) => session.accountId)).toEqual([user.id]);

    const signedOut = await signOut(run);
    expect(signedOut.title).toMatch(/^Not signed in/);
    expect(logto.sessions()).toEqual([]);
  });

  it("sends a user of tenant 2 to tenant 2's Entra, whose connector trusts its email", async () => {
    const before = authorizeRequests(contoso.tenantId);
    const outcome = await signIn(scenario("tenant-2"), bianca);
    expect(outcome.entraSignInUrl).toMatch(new RegExp(`^${entra.url}/${fabrikam.tenantId}/oauth2/v2.0/authorize\\?`));
    expect(authorizeRequests(contoso.tenantId)).toBe(before);
    expect(outcome.claims).toMatchObject({ name: bianca.displayName, email: bianca.email });
    await signOut(scenario("tenant-2"));
  });

  it("does not send an address of an unlisted domain to any IdP", async () => {
    const before = entra.requests.length;
    const outcome = await signIn(scenario("unlisted-domain"), { email: "someone@example.org", password: "unused" });
    expect(outcome.entraSignInUrl).toBeUndefined();
    expect(outcome.url).toBe(`${logto.url}/sign-in`);
    expect(outcome.text).toContain("Single Sign-On is not enabled for this email account.");
    expect(entra.requests.length).toBe(before);
  });

  it("does not send anyone to Entra while the sign-in experience's SSO switch is off", async () => {
    await enableSingleSignOn(logtoApi, false);
    try {
      const outcome = await signIn(scenario("sso-off"), adele);
      expect(outcome.entraSignInUrl).toBeUndefined();
      expect(outcome.text).toContain("Single Sign-On is not enabled for this email account.");
    } finally {
      await enableSingleSignOn(logtoApi, true);
    }
  });

  it("shows Logto's short message when the Entra password was deleted (AADSTS7000215 only in the audit log), and signs the same user in again once the connector has a new one", async () => {
    const before = [...logto.state.users.values()].find((user) => user.name === adele.displayName);
    expect(
      (
        await contosoApp.graph("POST", `/v1.0/applications/${contosoApp.objectId}/removePassword`, {
          keyId: contosoApp.keyId,
        })
      ).status,
    ).toBe(204);
    const failed = await signIn(scenario("password-deleted"), adele);
    // Back on Logto's sign-in page with the toast real Logto shows, nothing of Entra's answer.
    expect(failed.url).toBe(`${logto.url}/sign-in`);
    expect(failed.text).toContain("The user's authorization process is unsuccessful.");
    expect(failed.text).not.toContain("AADSTS");
    expect(failed.claims).toBeUndefined();
    const logs = await logtoApi(
      "GET",
      `/api/logs?${new URLSearchParams({ logKey: "Interaction.SignIn.Verification.EnterpriseSso.Submit" })}`,
    );
    expect(JSON.stringify((logs.body as unknown[])[0])).toContain("AADSTS7000215: Invalid client secret provided.");

    // What `pulumi up --refresh` does: a new password, and the connector's config sent whole with it.
    const { secret, keyId } = await addEntraPassword(contosoApp);
    Object.assign(contosoApp, { secret, keyId });
    const config = {
      clientId: contosoApp.appId,
      clientSecret: secret,
      issuer: entra.issuerFor(contoso.tenantId),
      trustUnverifiedEmail: false,
    };
    expect((await logtoApi("PATCH", `/api/sso-connectors/${contosoConnectorId}`, { config })).status).toBe(200);
    await browser.context.clearCookies();
    const repaired = await signIn(scenario("password-repaired"), adele);
    expect(repaired.claims).toMatchObject({ name: adele.displayName, sub: before?.id });
    await signOut(scenario("password-repaired"));
  });

  it("keeps the app signing in while a rotated app secret and the old one both exist, and with the new one after the old is deleted", async () => {
    const rotated = await logtoApi("POST", `/api/applications/${webApp.id}/secrets`, { name: "rotated" });
    expect(rotated.status).toBe(201);
    const newSecret = String((rotated.body as { value: string }).value);
    const withOldSecret = await signIn(scenario("rotation-old-secret"), adele);
    expect(withOldSecret.claims?.name).toBe(adele.displayName);
    await signOut(scenario("rotation-old-secret"));

    const appWithNewSecret = await startSampleApp({
      logtoEndpoint: logto.url,
      appId: webApp.id,
      appSecret: newSecret,
      port: await portB,
    });
    startedApps.push(appWithNewSecret);
    await browser.context.clearCookies();
    const withNewSecret = await signIn(scenario("rotation-new-secret", appWithNewSecret.url), adele);
    expect(withNewSecret.claims?.name).toBe(adele.displayName);
    await signOut(scenario("rotation-new-secret", appWithNewSecret.url));

    expect(
      (await logtoApi("DELETE", `/api/applications/${webApp.id}/secrets/${encodeURIComponent("Default secret")}`))
        .status,
    ).toBe(204);
    await browser.context.clearCookies();
    const afterDeletion = await signIn(scenario("rotation-old-deleted", appWithNewSecret.url), adele);
    expect(afterDeletion.claims?.name).toBe(adele.displayName);
    await signOut(scenario("rotation-old-deleted", appWithNewSecret.url));

    await browser.context.clearCookies();
    const deletedSecret = await signIn(scenario("rotation-deleted-secret"), adele);
    expect(deletedSecret.claims).toBeUndefined();
    expect(deletedSecret.url).toMatch(new RegExp(`^${sampleApp.url}/callback\\?`));
    expect(deletedSecret.text).toContain("invalid_client");
  });
});
