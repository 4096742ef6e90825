/**
 * infra/ under the real engine through the day-2 changes that would cut users off their Logto accounts: a rename
 * without formerNames, single → multi-tenant, a corrected tenant id, and managed → provided keeping the stack's
 * app registration. Logto finds a returning SSO user by the ID token's issuer and subject, its identities go with
 * a deleted connector, and Entra's subject is pairwise per app registration: so "the same Logto user" is the same
 * connector id and the same (iss, sub) from Entra. Each check signs a user in on the Entra side exactly as
 * Logto's connector does (authorize with the connector's client id and callback URI, the user's sign-in, the code
 * redeemed with its client secret) and reads the ID token's iss and sub. Steps share one stack, in order.
 * Logto is read through its Management API, so the suite runs over the stand-in or a real Logto (LOGTO_E2E_*,
 * local/engine/target.ts). The order of Logto's and Entra's writes in step 5 is read from request logs: the
 * stand-in's own, or, with a real Logto, that of a front the stack reaches it through (day2/logtoFront.ts, which
 * rewrites only the Host, so Logto's issuer and the connector's callback URIs stay the real Logto's).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeStep, EngineSandbox } from "../../local/engine/engine";
import type { RecordedEntraRequest } from "../../local/standins/entra";
import type { RecordedExchange } from "../../local/standins/shared/exchange";
import { FaultInjector } from "../../local/standins/shared/faults";
import {
  LocalConnection,
  LocalUser,
  LocalWorld,
  applyLocalStackConfig,
  localConnection,
  localDomain,
  localStackConfig,
  localTenants,
  localUsers,
  openLocalStack,
  type LocalStack,
} from "../../local/stack";
import { addPassword, call, field, graphClient } from "../../local/standins/entra/testing";
import { startLogtoFront, type LogtoFront } from "./day2/logtoFront";

const stepTimeout = 10 * 60_000;

let local: LocalStack;
let world: LocalWorld;
/** With a real Logto: the address the stack reaches it at, whose log shows what the stack wrote. */
let front: LogtoFront | undefined;
/** The connection's email domain: its own per run where a real Logto is shared. */
let domain: string;
let domains: string[];
let engine: EngineSandbox;
let adele: LocalUser;
let bianca: LocalUser;
/** What users are keyed on, as recorded after the first up. */
let first: { connectorId: string; clientId: string; adele: IdToken };
/** What Logto (the stand-in, or the front before a real Logto) and Entra received during step 5's up. */
let moveRequests: { logto: RecordedExchange[]; entra: RecordedEntraRequest[] } | undefined;

interface IdToken {
  iss: string;
  sub: string;
}

/** The connection list of Pulumi.<stack>.yaml; provided connections' secrets are set by path. */
async function setConnections(connections: LocalConnection[], providedSecrets: { [index: number]: string } = {}) {
  const logto = front ? { ...world.logto, url: front.url } : world.logto;
  const config = localStackConfig({ logto, entra: world.entra }, { connections });
  for (const [index, secret] of Object.entries(providedSecrets)) {
    config.pathSecrets[`logto-entra-sso:connections[${index}].clientSecret`] = { value: secret, secret: true };
  }
  // Settings a former list had and this one has not (credentials of a now provided connection) go first.
  await engine.stack.removeConfig("logto-entra-sso:connections").catch(() => undefined);
  await applyLocalStackConfig(engine.stack, config);
}

/** The app registrations the stack made (or kept) in a tenant: all but the deployer's own. */
function appsIn(tenantId: string) {
  return [...world.entra.tenant(tenantId).applications.values()].filter(
    (app) => app.appId !== world.entra.deployer(tenantId).clientId,
  );
}

/** The stack's connectors in Logto (named `<stack>-<connection>`), as the Management API lists them. */
async function connectors() {
  return (await world.logto.tenant.connectors()).filter((row) => row.connectorName.startsWith(`${engine.stackName}-`));
}

function connector(id: string) {
  return world.logto.tenant.connector(id);
}

function resourceSteps(changes: ChangeStep[]): string[] {
  return changes.filter((step) => !step.type.startsWith("pulumi:providers:")).map((step) => `${step.op} ${step.name}`);
}

/** The state as a stack from before the user-link guard has it: the same, without the guard and the dependencies on it. */
async function dropGuardFromState(): Promise<void> {
  const exported = await engine.stack.exportStack();
  const resources = (exported.deployment as { resources: unknown }).resources as Array<{
    urn: string;
    type: string;
    dependencies?: string[];
    propertyDependencies?: { [property: string]: string[] };
  }>;
  const guardUrn = resources.find((resource) => resource.type.endsWith(":UserLinkGuard"))?.urn;
  if (!guardUrn) throw new Error("no user-link guard in the state");
  const withoutGuard = resources
    .filter((resource) => resource.urn !== guardUrn)
    .map((resource) => ({
      ...resource,
      dependencies: (resource.dependencies ?? []).filter((urn) => urn !== guardUrn),
      propertyDependencies: Object.fromEntries(
        Object.entries(resource.propertyDependencies ?? {}).map(([key, urns]) => [
          key,
          urns.filter((urn) => urn !== guardUrn),
        ]),
      ),
    }));
  await engine.stack.importStack({ ...exported, deployment: { ...exported.deployment, resources: withoutGuard } });
}

async function failureOf(operation: Promise<unknown>): Promise<string> {
  return operation.then(
    () => {
      throw new Error("expected the operation to fail; it succeeded");
    },
    (error: Error) => error.message,
  );
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = { "content-type": "application/x-www-form-urlencoded" };

/**
 * Signs `user` in on the Entra side through the connector as Logto's AzureAdOidc connector does: authorize with
 * its client id and its callback URI as redirect URI, the user's password, the code redeemed with its client
 * secret. Returns the ID token's iss and sub, which Logto keys the user's SSO identity on.
 */
async function signIn(connectorId: string, user: LocalUser): Promise<IdToken> {
  const { clientId, clientSecret, issuer } = (await connector(connectorId)).config as Record<string, string>;
  const authority = issuer.slice(world.entra.url.length + 1, -"/v2.0".length);
  const redirectUri = `${world.logto.url}/callback/${connectorId}`;
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: "openid profile email",
    state: "s",
    nonce: "n",
  });
  const page = await call(world.entra, `/${authority}/oauth2/v2.0/authorize?${query.toString()}`);
  const flow = /name="flow" value="([^"]+)"/.exec(page.text)?.[1];
  if (!flow) throw new Error(`${user.email}: no sign-in page (${page.status}): ${page.text.slice(0, 400)}`);
  const login = await call(world.entra, `/${authority}/login`, {
    method: "POST",
    headers: formHeaders,
    body: form({ flow, loginfmt: user.email, passwd: user.password }),
  });
  const location = String(login.headers.location ?? "");
  if (login.status !== 303 || !location.startsWith(redirectUri)) {
    throw new Error(`${user.email}: not sent back to the connector (${login.status}): ${login.text.slice(0, 400)}`);
  }
  const token = await call(world.entra, `/${authority}/oauth2/v2.0/token`, {
    method: "POST",
    headers: formHeaders,
    body: form({
      grant_type: "authorization_code",
      code: String(new URL(location).searchParams.get("code")),
      redirect_uri: redirectUri,
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  const idToken = field(token.body, "id_token");
  if (typeof idToken !== "string") throw new Error(`${user.email}: no ID token (${token.status}): ${token.text}`);
  const claims = JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString("utf8")) as {
    iss: string;
    sub: string;
  };
  return { iss: claims.iss, sub: claims.sub };
}

beforeAll(async () => {
  [adele, bianca] = localUsers();
  local = await openLocalStack("links", { standIns: { issuerFetchTimeoutMs: 1000, users: [adele, bianca] } });
  ({ engine, world } = local);
  if (!world.logto.standIn) front = await startLogtoFront(new URL(world.logto.url).origin, new FaultInjector());
  domain = localDomain("contoso", world.domainSuffix);
  domains = [domain];
  await setConnections([localConnection("contoso", localTenants.contoso, { domains })]);
}, 30 * 60_000);

afterAll(async () => {
  // The stack is destroyed through the front, so the front closes after it.
  await local?.close();
  await front?.close();
}, 10 * 60_000);

describe.sequential("engine: day-2 changes that would cut users off their Logto accounts", () => {
  it(
    "1. up: a user of the customer tenant signs in through the connector",
    async () => {
      expect((await engine.up()).result.summary.result).toBe("succeeded");
      const [row] = await connectors();
      const [app] = appsIn(localTenants.contoso);
      expect(row.config.clientId).toBe(app.appId);
      first = { connectorId: row.id, clientId: app.appId, adele: await signIn(row.id, adele) };
      expect(first.adele.iss).toBe(world.entra.issuerFor(localTenants.contoso));
    },
    stepTimeout,
  );

  it(
    "2. a rename without formerNames is refused at preview and by up, with the fix, before anything is made",
    async () => {
      await setConnections([localConnection("contoso-eu", localTenants.contoso, { domains })]);
      const refusal = await failureOf(engine.preview());
      expect(refusal).toContain(
        `(contoso-eu) is new and takes over the email domains ${domain} of connection contoso, which this change removes: a rename?`,
      );
      expect(refusal).toContain("pulumi config set --path 'connections[0].formerNames[0]' contoso");
      // Without a preview too (the Automation API's up, or --skip-preview): nothing reaches Entra or Logto.
      const requestsBefore = world.entra.requests.length;
      expect(await failureOf(engine.up())).toContain("a rename?");
      expect(world.entra.requests.slice(requestsBefore).filter((r) => r.method !== "GET")).toEqual([]);
      expect(appsIn(localTenants.contoso).map((app) => app.appId)).toEqual([first.clientId]);
      expect((await connectors()).map((row) => row.id)).toEqual([first.connectorId]);
    },
    stepTimeout,
  );

  it(
    "3. a stack that renamed without formerNames before the guard (or in the up that first records it) stops half-way; the documented recovery keeps every user",
    async () => {
      // The state of a stack from before this version: no guard yet, so nothing to compare the rename with.
      await dropGuardFromState();
      const halfWay = await failureOf(engine.up());
      expect(halfWay).toContain("is already routed to SSO connector");
      expect(appsIn(localTenants.contoso)).toHaveLength(2);

      // README "Rename a connection": put the old name back with the half-made one in formerNames.
      await setConnections([
        localConnection("contoso", localTenants.contoso, { domains, formerNames: ["contoso-eu"] }),
      ]);
      const preview = await engine.preview();
      expect(resourceSteps(preview.changes).filter((step) => !step.startsWith("delete contoso-eu-"))).toEqual([
        "update user-link-guard",
      ]);
      expect((await engine.up()).result.summary.result).toBe("succeeded");
      expect(appsIn(localTenants.contoso).map((app) => app.appId)).toEqual([first.clientId]);
      expect((await connectors()).map((row) => row.id)).toEqual([first.connectorId]);
      expect(await signIn(first.connectorId, adele)).toEqual(first.adele);

      // Then the rename, with formerNames: updates only, same connector and app registration.
      await setConnections([
        localConnection("contoso-eu", localTenants.contoso, { domains, formerNames: ["contoso"] }),
      ]);
      const renamed = await engine.up();
      expect(renamed.changes.filter((step) => !["update", "same"].includes(step.op))).toEqual([]);
      expect((await connectors()).map((row) => row.id)).toEqual([first.connectorId]);
      expect(appsIn(localTenants.contoso).map((app) => app.appId)).toEqual([first.clientId]);
      expect(await signIn(first.connectorId, adele)).toEqual(first.adele);
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "4. single → multi-tenant is refused at preview: the connector's issuer would change",
    async () => {
      await setConnections([
        localConnection("contoso-eu", localTenants.contoso, {
          domains,
          formerNames: ["contoso"],
          signInAudience: "AzureADMultipleOrgs",
        }),
      ]);
      const refusal = await failureOf(engine.preview());
      expect(refusal).toContain('signInAudience changes from "AzureADMyOrg" to "AzureADMultipleOrgs"');
      expect(refusal).toContain("allowUserRelink");
    },
    stepTimeout,
  );

  it(
    "5. a corrected tenant id: refused without the opt-in; with it the Entra side is made in the new tenant, the connector (same id) points there, then the old registration is deleted",
    async () => {
      const moved = localConnection("contoso-eu", localTenants.fabrikam, { domains, formerNames: ["contoso"] });
      await setConnections([moved]);
      const refusal = await failureOf(engine.preview());
      expect(refusal).toContain(
        `tenantId changes from "${localTenants.contoso}" to "${localTenants.fabrikam}", so the issuer changes`,
      );
      expect(await failureOf(engine.up())).toContain("tenantId changes");
      expect(appsIn(localTenants.fabrikam)).toEqual([]);
      expect(await signIn(first.connectorId, adele)).toEqual(first.adele);

      await setConnections([{ ...moved, allowUserRelink: true }]);
      const preview = await engine.preview();
      const replaced = preview.changes.filter((step) => step.op === "replace").map((step) => step.name);
      expect(replaced.sort()).toEqual([
        "contoso-eu-azuread",
        "contoso-eu-entra-admin-consent",
        "contoso-eu-entra-graph-access",
        "contoso-eu-entra-registration",
        "contoso-eu-entra-secret",
        "contoso-eu-entra-service-principal",
        "contoso-eu-sso-redirect-uris",
      ]);
      const updated = resourceSteps(preview.changes).filter((step) => step.startsWith("update "));
      expect(updated.sort()).toEqual(["update contoso-eu-sso-connector", "update user-link-guard"]);
      const said = engine.transcript.map((source) => source.text).join("\n");
      expect(said).toContain("Applied because allowUserRelink is on");

      const entraBefore = world.entra.requests.length;
      const logtoLog = world.logto.standIn?.requests ?? front?.requests ?? [];
      const logtoBefore = logtoLog.length;
      expect((await engine.up()).result.summary.result).toBe("succeeded");
      moveRequests = { logto: logtoLog.slice(logtoBefore), entra: world.entra.requests.slice(entraBefore) };
      const [newApp] = appsIn(localTenants.fabrikam);
      expect(appsIn(localTenants.contoso)).toEqual([]);
      const row = await connector(first.connectorId);
      expect(row.config).toMatchObject({
        clientId: newApp.appId,
        issuer: world.entra.issuerFor(localTenants.fabrikam),
      });
      expect(newApp.web.redirectUris).toEqual([`${world.logto.url}/callback/${first.connectorId}`]);
      // The new tenant's users sign in.
      const biancaToken = await signIn(first.connectorId, bianca);
      expect(biancaToken.iss).toBe(world.entra.issuerFor(localTenants.fabrikam));

      // Only the default dynamic provider, whose inputs are the whole stack config, notices the opt-in go.
      await setConnections([moved]);
      expect(resourceSteps((await engine.preview()).changes)).toEqual([]);
    },
    stepTimeout,
  );

  it("5b. in step 5 the old registration was deleted only after the connector pointed at the new one", () => {
    if (!moveRequests) throw new Error("step 5 did not record the requests of its up");
    const connectorPatch = moveRequests.logto.find(
      (r) => r.method === "PATCH" && r.path === `/api/sso-connectors/${first.connectorId}`,
    );
    const oldAppDelete = moveRequests.entra.find(
      (r) => r.method === "DELETE" && r.path.includes("/applications/") && r.tenant === localTenants.contoso,
    );
    expect(connectorPatch?.sequence).toBeLessThan(oldAppDelete?.sequence ?? -1);
  });

  it(
    "6. managed → provided keeping the app registration: refused while the stack would delete it; with keepAppRegistration first, users keep their accounts",
    async () => {
      const [app] = appsIn(localTenants.fabrikam);
      const bianca1 = await signIn(first.connectorId, bianca);
      // The customer's admin, who takes the app registration over, makes a client secret for the platform team.
      const customerSecret = (await addPassword(await graphClient(world.entra, localTenants.fabrikam), app.id)).secret;
      const handedOver: LocalConnection = {
        ...localConnection("contoso-eu", localTenants.fabrikam, { domains }),
        mode: "provided",
        clientId: app.appId,
      };
      await setConnections([handedOver], { 0: customerSecret });
      const refusal = await failureOf(engine.preview());
      expect(refusal).toContain(
        `mode changes to provided with clientId ${app.appId}, the app registration this stack made, but the stack deletes what it made when it stops managing it`,
      );
      expect(refusal).toContain("pulumi config set --path 'connections[0].keepAppRegistration' true");
      expect(await failureOf(engine.up())).toContain("the app registration this stack made");
      expect(appsIn(localTenants.fabrikam).map((kept) => kept.appId)).toEqual([app.appId]);
      expect(await signIn(first.connectorId, bianca)).toEqual(bianca1);

      await setConnections([
        localConnection("contoso-eu", localTenants.fabrikam, { domains, keepAppRegistration: true }),
      ]);
      const keep = await engine.up();
      expect(resourceSteps(keep.changes).sort()).toEqual(["update contoso-eu-sso-connector", "update user-link-guard"]);

      await setConnections([handedOver], { 0: customerSecret });
      const switched = await engine.up();
      expect(switched.result.summary.result).toBe("succeeded");
      expect(
        resourceSteps(switched.changes)
          .filter((step) => !step.startsWith("delete "))
          .sort(),
      ).toEqual(["update contoso-eu-sso-connector", "update user-link-guard"]);
      const [kept] = appsIn(localTenants.fabrikam);
      expect(kept.appId).toBe(app.appId);
      expect(kept.web.redirectUris).toEqual([`${world.logto.url}/callback/${first.connectorId}`]);
      // The stack's own client secret went; the customer's is the connector's.
      expect((await connector(first.connectorId)).config).toMatchObject({
        clientId: app.appId,
        clientSecret: customerSecret,
      });
      expect(kept.passwordCredentials.map((password) => password.displayName)).toEqual(["test"]);
      expect(await signIn(first.connectorId, bianca)).toEqual(bianca1);
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "7. destroy deletes the connector and leaves the app registration the customer now owns",
    async () => {
      const [kept] = appsIn(localTenants.fabrikam);
      expect((await engine.destroy()).result.summary.result).toBe("succeeded");
      expect(await connectors()).toEqual([]);
      expect(appsIn(localTenants.fabrikam).map((app) => app.appId)).toEqual([kept.appId]);
    },
    stepTimeout,
  );
});
