/**
 * The whole enterprise SSO sign-in, in Chromium, without Pulumi: the Flask sample app (gunicorn from
 * app/.venv) → Logto (the stand-in: oidc-provider, sign-in page, connector; or a real Logto named by
 * LOGTO_E2E_*, local/engine/target.ts: its sign-in UI, the experience app) → the Entra stand-in (authorize,
 * sign-in page, token, userinfo) → back, signed in. Logto and Entra are seeded as the stack seeds them; Logto is
 * read through its Management API. Against a shared real Logto every object has a name and email domain of its
 * own, and is deleted at the end. Screenshots of every step: test-results/sign-in/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { pairwiseSubject, type EntraStandIn } from "../../local/standins/entra";
import type { LogtoStandIn } from "../../local/standins/logto";
import { localDomain, openLocalWorld, type LocalWorld } from "../../local/stack";
import { realLogtoFromEnv } from "../../local/engine/target";
import type { LogRow } from "../../local/engine/tenant";
import {
  addEntraPassword,
  connectEntraApp,
  createJitOrganization,
  createTraditionalApp,
  enableSingleSignOn,
  logtoManagementApi,
  registerEntraApp,
  type EntraApp,
  type JitOrganization,
  type LogtoCall,
  type TraditionalApp,
} from "../../local/browser/chain";
import { launchChromium, type Browser } from "../../local/browser/chromium";
import { freePort, startSampleApp, type SampleApp } from "../../local/browser/sample-app";
import { signIn, signOut, type Scenario } from "../../local/browser/sign-in";

const againstRealLogto = realLogtoFromEnv(process.env) !== undefined;
/** The run owns the real Logto's tenant (LOGTO_E2E_EXCLUSIVE=true): tenant-wide settings may be flipped, then put back. */
const ownsTenant = !againstRealLogto || process.env.LOGTO_E2E_EXCLUSIVE === "true";
/** A shared real Logto routes domains no other connector lists, and names objects no one else uses. */
const suffix = againstRealLogto ? `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}` : "";
const named = (name: string) => (suffix ? `${name} (browser test ${suffix})` : name);
const contoso = { tenantId: "c0a1b2c3-0000-4000-8000-00000000c001", domain: localDomain("contoso", suffix) };
const fabrikam = { tenantId: "fab1b2c3-0000-4000-8000-00000000fab2", domain: localDomain("fabrikam", suffix) };
const adele = { email: `adele@${contoso.domain}`, password: "Adele-Passw0rd!", displayName: "Adele Vance" };
const bianca = { email: `bianca@${fabrikam.domain}`, password: "Bianca-Passw0rd!", displayName: "Bianca Pisani" };
/** Contoso's organization, which its connector's users join on their first sign-in with the default role. */
const contosoOrganizationName = named("Contoso");
const defaultRole = named("member");

// Four sign-ins and a second app in one test: a real Logto's experience app takes some 8 s per sign-in here.
describe("signing in to the sample app through Logto and Entra, in Chromium", () => {
  let world: LocalWorld;
  let entra: EntraStandIn;
  /** Logto's origin, as the browser and the app reach it. */
  let logtoUrl: string;
  /** The stand-in, when Logto is one: the OIDC sessions it holds, which a real Logto's API does not show. */
  let standIn: LogtoStandIn | undefined;
  let logtoApi: LogtoCall;
  /** The SSO switch as found, put back at the end (a shared Logto's is others' too). */
  let singleSignOnWas: boolean;
  const madeConnectors: string[] = [];
  const signedInUsers = new Set<string>();
  let contosoApp: EntraApp;
  let contosoConnectorId: string;
  let contosoOrganization: JitOrganization | undefined;
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
  /** The sign-in page where Logto tells a person their address has no SSO: the stand-in's form, or the SPA's. */
  /**
   * What reached Entra apart from Logto's reads of its published metadata (discovery and keys, no user's data):
   * a real Logto reads them whenever anyone lists the connectors, on its own schedule.
   */
  const entraRequestsOfPeople = () =>
    entra.requests.filter(
      (entry) => !/\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.test(entry.path),
    ).length;
  /** A page without its query (a real Logto's pages carry `?app_id=`). */
  const pageOf = (url: string) => `${new URL(url).origin}${new URL(url).pathname}`;
  const emailPage = () => `${logtoUrl}${standIn ? "/sign-in" : "/single-sign-on/email"}`;
  /**
   * Errors of the enterprise SSO verification through `connectorId` in the audit log since `since` (a shared
   * Logto logs others' too; the connector id is in the payload, where each Logto puts it).
   */
  const ssoErrorsSince = async (since: number, connectorId: string): Promise<LogRow[]> =>
    (await world.logto.tenant.logs("Interaction.SignIn.Verification.EnterpriseSso.Submit")).filter(
      (row) =>
        row.createdAt >= since && row.payload.result === "Error" && JSON.stringify(row.payload).includes(connectorId),
    );

  beforeAll(async () => {
    world = await openLocalWorld({
      tenantIds: [contoso.tenantId, fabrikam.tenantId],
      users: [
        { tenantId: contoso.tenantId, ...adele },
        { tenantId: fabrikam.tenantId, ...bianca },
      ],
    });
    ({ entra } = world);
    logtoUrl = world.logto.url;
    standIn = world.logto.standIn;
    logtoApi = await logtoManagementApi(world.logto);
    singleSignOnWas = await world.logto.tenant.singleSignOnEnabled();

    contosoApp = await registerEntraApp(entra, contoso.tenantId, "Logto SSO (contoso)");
    contosoConnectorId = await connectEntraApp(logtoApi, logtoUrl, {
      name: named("contoso"),
      app: contosoApp,
      issuer: entra.issuerFor(contoso.tenantId),
      domains: [contoso.domain],
    });
    madeConnectors.push(contosoConnectorId);
    // What a connection's `organization` makes (Fabrikam's connection has none).
    contosoOrganization = await createJitOrganization(logtoApi, {
      name: contosoOrganizationName,
      roleName: defaultRole,
      ssoConnectorId: contosoConnectorId,
    });
    const fabrikamApp = await registerEntraApp(entra, fabrikam.tenantId, "Logto SSO (fabrikam)");
    const fabrikamConnectorId = await connectEntraApp(logtoApi, logtoUrl, {
      name: named("fabrikam"),
      app: fabrikamApp,
      issuer: entra.issuerFor(fabrikam.tenantId),
      domains: [fabrikam.domain],
      trustUnverifiedEmail: true,
    });
    madeConnectors.push(fabrikamConnectorId);
    await enableSingleSignOn(logtoApi, true);

    const port = await freePort();
    webApp = await createTraditionalApp(logtoApi, named("Sample app"), [
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${await portB}`,
    ]);
    sampleApp = await startSampleApp({ logtoEndpoint: logtoUrl, appId: webApp.id, appSecret: webApp.secret, port });
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
    if (logtoApi) {
      // What this run made in Logto is deleted (a real Logto is shared), and the SSO switch put back as found.
      for (const id of signedInUsers) await logtoApi("DELETE", `/api/users/${id}`);
      for (const id of madeConnectors) await logtoApi("DELETE", `/api/sso-connectors/${id}`);
      if (contosoOrganization) {
        await logtoApi("DELETE", `/api/organizations/${contosoOrganization.id}`);
        await logtoApi("DELETE", `/api/organization-roles/${contosoOrganization.roleId}`);
      }
      if (webApp) await logtoApi("DELETE", `/api/applications/${webApp.id}`);
      await enableSingleSignOn(logtoApi, singleSignOnWas);
    }
    await world?.close();
  });

  it("signs a user of tenant 1 in: the app shows the Logto user, Entra's email kept unverified, the organization joined with the default role, then signs out", async () => {
    const run = scenario("tenant-1");
    const outcome = await signIn(run, adele);
    expect(outcome.entraSignInUrl).toMatch(new RegExp(`^${entra.url}/${contoso.tenantId}/oauth2/v2.0/authorize\\?`));
    expect(outcome.claims, outcome.text).toBeDefined();
    const userId = String(outcome.claims?.sub);
    signedInUsers.add(userId);
    const user = await world.logto.tenant.user(userId);
    const contosoUser = entra.tenant(contoso.tenantId).userByPrincipalName(adele.email);
    expect(outcome.claims).toEqual({ name: adele.displayName, email: "(not shared)", sub: user.id });
    // Just in time: the first sign-in through Contoso's connector made her a member with the default role.
    expect(outcome.organizations).toEqual([`${contosoOrganizationName} (${defaultRole})`]);
    // trustUnverifiedEmail is off and Entra sends no email_verified: the address stays out of the profile.
    expect(user.primaryEmail).toBeNull();
    expect(user.ssoIdentities).toEqual([
      expect.objectContaining({
        userId: user.id,
        issuer: entra.issuerFor(contoso.tenantId),
        identityId: pairwiseSubject(contosoApp.appId, contoso.tenantId, contosoUser?.id ?? ""),
        ssoConnectorId: contosoConnectorId,
        detail: expect.objectContaining({ unverifiedEmail: adele.email, name: adele.displayName }),
      }),
    ]);
    // Logto's own sessions are seen in the stand-in only (a real Logto's Management API does not list them).
    if (standIn) expect(standIn.sessions().map((session) => session.accountId)).toEqual([user.id]);

    const signedOut = await signOut(run);
    expect(signedOut.title).toMatch(/^Not signed in/);
    if (standIn) expect(standIn.sessions()).toEqual([]);
  });

  it("sends a user of tenant 2 to tenant 2's Entra, whose connector trusts its email", async () => {
    const before = authorizeRequests(contoso.tenantId);
    const outcome = await signIn(scenario("tenant-2"), bianca);
    expect(outcome.entraSignInUrl).toMatch(new RegExp(`^${entra.url}/${fabrikam.tenantId}/oauth2/v2.0/authorize\\?`));
    expect(authorizeRequests(contoso.tenantId)).toBe(before);
    expect(outcome.claims).toMatchObject({ name: bianca.displayName, email: bianca.email });
    // Her connector provisions into no organization: Contoso's is not hers.
    expect(outcome.organizations).toEqual([]);
    signedInUsers.add(String(outcome.claims?.sub));
    await signOut(scenario("tenant-2"));
  });

  it("does not send an address of an unlisted domain to any IdP", async () => {
    const before = entraRequestsOfPeople();
    const outcome = await signIn(scenario("unlisted-domain"), {
      email: `someone@${localDomain("unlisted", suffix)}`,
      password: "unused",
    });
    expect(outcome.entraSignInUrl).toBeUndefined();
    expect(pageOf(outcome.url)).toBe(emailPage());
    expect(outcome.text).toContain("Single Sign-On is not enabled for this email account.");
    expect(entraRequestsOfPeople()).toBe(before);
  });

  it.skipIf(!ownsTenant)(
    "(the switch is tenant-wide: on a real Logto only with LOGTO_E2E_EXCLUSIVE=true, when no one else uses the tenant) does not send anyone to Entra while the sign-in experience's SSO switch is off",
    async () => {
      const switchWas = await world.logto.tenant.singleSignOnEnabled();
      const before = entraRequestsOfPeople();
      try {
        if (standIn) {
          await enableSingleSignOn(logtoApi, false);
          const outcome = await signIn(scenario("sso-off"), adele);
          expect(outcome.entraSignInUrl).toBeUndefined();
          expect(outcome.text).toContain("Single Sign-On is not enabled for this email account.");
        } else {
          // A real Logto's sign-in page offers no SSO at all then: no "Single Sign-On" link (logto-io/logto
          // packages/experience pages/SignIn), no connector for any email (core sign-in-experience-validator.ts
          // getEnabledSsoConnectorsByEmail, which the page asks as the person types). Seen on, then off.
          const page = await browser.context.newPage();
          try {
            await page.goto(sampleApp.url);
            await Promise.all([
              page.waitForURL((url) => url.pathname === "/sign-in"),
              page.getByRole("button", { name: "Sign in", exact: true }).click(),
            ]);
            const offered = async () => {
              await page.locator('input[name="identifier"]').waitFor();
              const connectors: unknown = await page.evaluate(
                async (email) =>
                  (await fetch(`/api/experience/sso-connectors?email=${encodeURIComponent(email)}`)).json(),
                adele.email,
              );
              return { link: await page.getByText("Single Sign-On", { exact: true }).count(), connectors };
            };
            expect(await offered()).toEqual({ link: 1, connectors: { connectorIds: [contosoConnectorId] } });
            await enableSingleSignOn(logtoApi, false);
            await page.reload();
            expect(await offered()).toEqual({ link: 0, connectors: { connectorIds: [] } });
          } finally {
            await page.close();
          }
        }
        expect(entraRequestsOfPeople()).toBe(before);
      } finally {
        await enableSingleSignOn(logtoApi, switchWas);
      }
    },
  );

  it("shows Logto's short message when the Entra password was deleted (AADSTS7000215 only in the audit log), and signs the same user in again once the connector has a new one", async () => {
    const [before] = [...signedInUsers];
    expect(
      (
        await contosoApp.graph("POST", `/v1.0/applications/${contosoApp.objectId}/removePassword`, {
          keyId: contosoApp.keyId,
        })
      ).status,
    ).toBe(204);
    const attempted = Date.now();
    const failed = await signIn(scenario("password-deleted"), adele);
    // Back on Logto's sign-in page with the toast real Logto shows, nothing of Entra's answer.
    expect(pageOf(failed.url)).toBe(`${logtoUrl}/sign-in`);
    expect(failed.text).toContain("The user's authorization process is unsuccessful.");
    expect(failed.text).not.toContain("AADSTS");
    expect(failed.claims).toBeUndefined();
    expect(
      (await ssoErrorsSince(attempted, contosoConnectorId)).map((row) => JSON.stringify(row.payload.error)),
    ).toEqual([expect.stringContaining("AADSTS7000215: Invalid client secret provided.")]);

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
    expect(repaired.claims).toMatchObject({ name: adele.displayName, sub: before });
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
      logtoEndpoint: logtoUrl,
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
  }, 120_000);
});
