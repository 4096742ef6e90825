/**
 * The whole product on this machine, as a user's `pulumi up` runs it: infra/ with the sample app on, under the
 * real engine, against the Entra and Logto stand-ins and a real Docker engine. The image is built and the
 * container run by the docker plugin (real or double), the command plugin runs the health checks, and then
 * people sign in through the running container in Chromium: the redirect URI the stack registered in Entra,
 * the Entra secret Logto holds, the app's callback in Logto and the app secret in the container are all the
 * ones that work. The container is confined as the stack's defaults say, read back with `docker inspect`
 * (read-only root file system, no capabilities, no-new-privileges, memory and pids limits, secrets on a
 * read-only volume). Steps share one stack, so they run in order. Screenshots: test-results/sign-in/stack-*.
 * Logto is read through its Management API (applications, secrets, connectors, users, the audit log), so the
 * suite runs over the Logto stand-in or a real Logto (LOGTO_E2E_*, local/engine/target.ts), whose sign-in UI
 * the browser driver knows too.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type Browser } from "../../local/browser/chromium";
import { freePort } from "../../local/browser/sample-app";
import { signIn, signOut, type Scenario } from "../../local/browser/sign-in";
import { type Application } from "../../local/standins/entra";
import { ChangeStep, EngineSandbox, readAll } from "../../local/engine/engine";
import type { AppSecretRow } from "../../local/engine/tenant";
import { findLeaks } from "../../local/engine/leaks";
import { containerEvents, dockerGet, ensureDockerEngine, localBaseImage } from "../../local/docker/docker";
import { realLogtoFromEnv, uniqueSuffix } from "../../local/engine/target";
import {
  LocalUser,
  LocalWorld,
  applyLocalStackConfig,
  localConnection,
  localDomain,
  localSecrets,
  localStackConfig,
  localTenants,
  localUsers,
  openLocalStack,
  type LocalStack,
} from "../../local/stack";

const stepTimeout = 10 * 60_000;
const flaskSecretKey = randomBytes(32).toString("hex");

let local: LocalStack;
let world: LocalWorld;
let adele: LocalUser;
let bianca: LocalUser;
/** Adele's Logto user, as the app showed it after her first sign-in. */
let adeleUserId: string | undefined;
let engine: EngineSandbox;
let browser: Browser;
let dockerHost: string;
let baseUrl: string;
let realPlugins: string[] = [];
const seen = { appSecrets: new Set<string>(), entraSecrets: new Set<string>() };
/** Logto users the sign-ins made: they outlive the stack's connectors, and a real Logto is shared. */
const signedInUsers = new Set<string>();

function scenario(name: string): Scenario {
  return { context: browser.context, name: `stack-${name}`, appUrl: baseUrl, entraUrl: world.entra.url };
}

function authorizeRequests(tenantId: string): number {
  return world.entra.requests.filter((entry) => entry.path === `/${tenantId}/oauth2/v2.0/authorize`).length;
}

async function signInAs(name: string, user: Pick<LocalUser, "email" | "password">) {
  await browser.context.clearCookies();
  const outcome = await signIn(scenario(name), user);
  if (outcome.claims) signedInUsers.add(outcome.claims.sub);
  return outcome;
}

/** The stack's Logto objects, through the Management API: its app is `Sample app (<stack>)`, its connectors `<stack>-*`. */
async function stackApplications() {
  return (await world.logto.tenant.applications()).filter((app) => app.name === `Sample app (${engine.stackName})`);
}

async function stackConnectors() {
  return (await world.logto.tenant.connectors()).filter((row) => row.connectorName.startsWith(`${engine.stackName}-`));
}

async function appSecrets(applicationId: string): Promise<AppSecretRow[]> {
  const secrets = await world.logto.tenant.appSecrets(applicationId);
  for (const secret of secrets) seen.appSecrets.add(secret.value);
  return secrets;
}

async function sampleApplication() {
  const apps = await stackApplications();
  expect(apps.map((app) => app.type)).toEqual(["Traditional"]);
  return { app: apps[0], secrets: await appSecrets(apps[0].id) };
}

function entraApp(tenantId: string): Application {
  const [app] = [...world.entra.tenant(tenantId).applications.values()].filter((a) =>
    a.displayName?.endsWith("(Logto SSO)"),
  );
  return app;
}

async function rememberEntraSecrets(): Promise<void> {
  for (const connector of await stackConnectors()) seen.entraSecrets.add(String(connector.config.clientSecret));
}

/**
 * The app's secrets as the Management API lists them every 100 ms while `perform` runs: when each name was
 * first and last seen. A name first seen at t was created by t; one last seen at t was deleted after t.
 */
async function watchSecrets<T>(
  applicationId: string,
  perform: () => Promise<T>,
): Promise<{ value: T; seen: Map<string, { first: number; last: number }> }> {
  const sightings = new Map<string, { first: number; last: number }>();
  let done = false;
  const watching = (async () => {
    while (!done) {
      const at = Date.now();
      for (const { name } of await world.logto.tenant.appSecrets(applicationId)) {
        const seenName = sightings.get(name);
        if (seenName) seenName.last = at;
        else sightings.set(name, { first: at, last: at });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    return { value: await perform(), seen: sightings };
  } finally {
    done = true;
    await watching;
  }
}

interface Confinement {
  ReadonlyRootfs: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  SecurityOpt: string[] | null;
  Memory: number;
  MemorySwap: number;
  PidsLimit: number | null;
}

/**
 * The sample app container (or, with `suffix`, its secrets writer) by the name the program gives it, as
 * `docker inspect` shows it; its environment is read, never printed.
 */
async function container(suffix = ""): Promise<{
  status: number;
  running: boolean;
  state: string;
  env: string[];
  id: string;
  confinement: Confinement;
  mounts: Array<{ Type: string; Name: string; Destination: string; RW: boolean }>;
  inspectText: string;
}> {
  const name = `logto-entra-sso-${engine.stackName}-sample${suffix}`;
  const { status, body } = await dockerGet(dockerHost, `/containers/${name}/json`);
  const inspect = body as {
    Id?: string;
    State?: { Running?: boolean; Status?: string };
    Config?: { Env?: string[] };
    HostConfig?: Confinement;
    Mounts?: Array<{ Type: string; Name: string; Destination: string; RW: boolean }>;
  };
  return {
    status,
    running: inspect.State?.Running === true,
    state: inspect.State?.Status ?? "",
    env: inspect.Config?.Env ?? [],
    id: inspect.Id ?? "",
    confinement: inspect.HostConfig as Confinement,
    mounts: inspect.Mounts ?? [],
    inspectText: JSON.stringify(body),
  };
}

const secretsVolume = () => `logto-entra-sso-${engine.stackName}-sample-secrets`;

/** What `docker inspect` must show of the app's container with the default confinement and these limits. */
function confined(memoryMb: number, pidsLimit: number): Partial<Confinement> {
  return {
    ReadonlyRootfs: true,
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges:true"],
    Memory: memoryMb * 1024 * 1024,
    MemorySwap: memoryMb * 1024 * 1024,
    PidsLimit: pidsLimit,
  };
}

function resourceSteps(changes: ChangeStep[]): string[] {
  return changes
    .filter((step) => !step.type.startsWith("pulumi:providers:"))
    .map((step) => `${step.op} ${step.name}`)
    .sort();
}

beforeAll(async () => {
  dockerHost = await ensureDockerEngine();
  // A shared real Logto routes domains no other connector lists: the users' domains carry a per-run suffix.
  const domainSuffix = realLogtoFromEnv(process.env) ? uniqueSuffix() : undefined;
  const users = localUsers(domainSuffix);
  [adele, bianca] = users;
  local = await openLocalStack("app", {
    standIns: { users, issuerFetchTimeoutMs: 1000 },
    env: { DOCKER_HOST: dockerHost },
  });
  ({ engine, world } = local);
  realPlugins = local.plugins.real;
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  await applyLocalStackConfig(
    engine.stack,
    localStackConfig(world, {
      connections: [
        localConnection("contoso", localTenants.contoso, { domains: [localDomain("contoso", domainSuffix)] }),
        localConnection("fabrikam", localTenants.fabrikam, { domains: [localDomain("fabrikam", domainSuffix)] }),
      ],
      // The Docker engine here has no bridge network (local/docker/docker-engine.sh): host networking throughout.
      sampleApp: {
        enabled: true,
        port,
        baseUrl,
        networkMode: "host",
        buildNetwork: "host",
        baseImage: await localBaseImage(dockerHost),
      },
      sampleAppSecretKey: flaskSecretKey,
    }),
  );
  browser = await launchChromium();
}, 30 * 60_000);

afterAll(async () => {
  await browser?.close();
  for (const id of signedInUsers) await world.logto.tenant.deleteUser(id).catch(() => undefined);
  await local?.close();
}, 10 * 60_000);

describe.sequential("engine: infra/ with the sample app container, and people signing in through it", () => {
  it(
    "1. up builds the image, runs the container with the app's id and secret, passes the checks; a second preview is clean",
    async () => {
      const up = await engine.up();
      expect(up.result.summary.result).toBe("succeeded");
      const { app, secrets } = await sampleApplication();
      expect(secrets.map((secret) => secret.name)).toEqual(["pulumi-managed-1"]);
      const running = await container();
      expect(running).toMatchObject({ status: 200, running: true });
      expect(running.env).toEqual(
        expect.arrayContaining([`LOGTO_APP_ID=${app.id}`, "LOGTO_APP_SECRET_FILE=/run/secrets/logto-app-secret"]),
      );
      // The secrets are files in the container: nothing docker inspect shows (or a provider logs) holds them.
      expect(running.inspectText.includes(secrets[0].value)).toBe(false);
      expect(running.inspectText.includes(flaskSecretKey)).toBe(false);
      // Confined by the defaults (sampleApp.readOnlyRootFilesystem, …, pidsLimit), as docker inspect reads it.
      expect(running.confinement).toMatchObject(confined(256, 128));
      expect(running.confinement.CapAdd ?? []).toEqual([]);
      expect(running.mounts).toEqual([
        expect.objectContaining({ Type: "volume", Name: secretsVolume(), Destination: "/run/secrets", RW: false }),
      ]);
      // The secrets reached the volume through a writer that was created and never started.
      const writer = await container("-secrets-writer");
      expect(writer).toMatchObject({ status: 200, running: false, state: "created" });
      expect(writer.mounts).toEqual([expect.objectContaining({ Name: secretsVolume(), RW: true })]);
      expect(writer.inspectText.includes(secrets[0].value)).toBe(false);
      expect(app.oidcClientMetadata.redirectUris).toEqual([`${baseUrl}/callback`]);
      const outputs = await engine.stack.outputs();
      expect(outputs.sampleAppSignInUrl?.value).toBe(`${baseUrl}/sign-in`);
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "2. a user of tenant 1 signs in and sees their claims, then signs out; a user of tenant 2 goes to tenant 2's Entra",
    async () => {
      const before = {
        contoso: authorizeRequests(localTenants.contoso),
        fabrikam: authorizeRequests(localTenants.fabrikam),
      };
      const first = await signInAs("tenant-1", adele);
      expect(first.claims, first.text).toMatchObject({ name: adele.displayName });
      expect(first.entraSignInUrl).toContain(`/${localTenants.contoso}/oauth2/v2.0/authorize`);
      adeleUserId = first.claims?.sub;
      // The Logto user the app shows is the one linked to the stack's contoso connector, by Entra's issuer.
      const [contosoConnector] = (await stackConnectors()).filter((row) => row.connectorName.endsWith("-contoso"));
      expect((await world.logto.tenant.user(String(adeleUserId))).ssoIdentities).toEqual([
        expect.objectContaining({
          ssoConnectorId: contosoConnector.id,
          issuer: world.entra.issuerFor(localTenants.contoso),
        }),
      ]);
      const out = await signOut(scenario("tenant-1"));
      expect(out.claims).toBeUndefined();

      const second = await signInAs("tenant-2", bianca);
      expect(second.claims, second.text).toMatchObject({ name: bianca.displayName });
      expect(authorizeRequests(localTenants.fabrikam)).toBe(before.fabrikam + 1);
      expect(authorizeRequests(localTenants.contoso)).toBe(before.contoso + 1);
    },
    stepTimeout,
  );

  it(
    "3. an address of a domain no connection lists is not sent to Entra",
    async () => {
      const before = [localTenants.contoso, localTenants.fabrikam].map(authorizeRequests);
      const outcome = await signInAs("unlisted", {
        email: `someone@${localDomain("unlisted", world.domainSuffix)}`,
        password: "not-used",
      });
      expect(outcome.claims).toBeUndefined();
      expect(outcome.entraSignInUrl).toBeUndefined();
      expect(outcome.text).toContain("Single Sign-On is not enabled for this email account");
      expect([localTenants.contoso, localTenants.fabrikam].map(authorizeRequests)).toEqual(before);
    },
    stepTimeout,
  );

  it(
    "4. the Entra password deleted by hand: sign-in fails with Logto's short message (AADSTS7000215 in its audit log); up --refresh repairs it",
    async () => {
      await rememberEntraSecrets();
      entraApp(localTenants.contoso).passwordCredentials = [];
      const attempted = Date.now();
      const failed = await signInAs("deleted-password", adele);
      expect(failed.claims).toBeUndefined();
      expect(failed.text).toContain("The user's authorization process is unsuccessful.");
      // The console's audit log (GET /api/logs) holds Entra's answer; a shared Logto logs others' sign-ins too.
      const [contoso] = (await stackConnectors()).filter((row) => row.connectorName.endsWith("-contoso"));
      const logged = (await world.logto.tenant.logs("Interaction.SignIn.Verification.EnterpriseSso.Submit")).filter(
        (row) =>
          row.createdAt >= attempted &&
          row.payload.result === "Error" &&
          JSON.stringify(row.payload).includes(contoso.id),
      );
      expect(logged.map((row) => JSON.stringify(row.payload.error))).toEqual([
        expect.stringContaining("AADSTS7000215"),
      ]);

      const up = await engine.up({ refresh: true });
      expect(resourceSteps(up.changes)).toEqual(["create contoso-entra-secret", "update contoso-sso-connector"]);
      await rememberEntraSecrets();
      const again = await signInAs("repaired", adele);
      // The same Logto user as in step 2: the connector was updated, not replaced.
      expect(adeleUserId).toBeDefined();
      expect(again.claims, again.text).toMatchObject({ name: adele.displayName, sub: adeleUserId });
    },
    stepTimeout,
  );

  it(
    "5. rotating the app secret: the new secret exists before the container is replaced, the old one goes after it",
    async () => {
      const {
        app,
        secrets: [old],
      } = await sampleApplication();
      const before = await container();
      const started = Date.now();
      await engine.stack.setConfig("logto-entra-sso:sampleApp.appSecretVersion", { value: "2" }, true);
      const { value: up, seen: sightings } = await watchSecrets(app.id, () => engine.up());
      expect(up.result.summary.result).toBe("succeeded");
      const { secrets } = await sampleApplication();
      expect(secrets.map((secret) => secret.name)).toEqual(["pulumi-managed-2"]);
      const after = await container();
      expect(after).toMatchObject({ running: true });
      expect(after.id).not.toBe(before.id);
      expect(after.confinement).toMatchObject(confined(256, 128));
      expect(after.inspectText.includes(secrets[0].value)).toBe(false);

      // Seen through the Management API while up ran: the new secret listed before the new container started
      // (so made before), the old one still listed after it started (so deleted after).
      const created = sightings.get(secrets[0].name);
      const deleted = sightings.get(old.name);
      const starts = (await containerEvents(dockerHost, started, Date.now())).filter(
        (event) => event.action === "start" && event.name === `logto-entra-sso-${engine.stackName}-sample`,
      );
      expect(
        created && deleted && starts.length === 1,
        JSON.stringify({ created: !!created, deleted: !!deleted, starts }),
      ).toBe(true);
      expect(created!.first).toBeLessThan(starts[0].atMs);
      expect(deleted!.last).toBeGreaterThan(starts[0].atMs);

      const signedIn = await signInAs("rotated-app-secret", bianca);
      expect(signedIn.claims, signedIn.text).toMatchObject({ name: bianca.displayName });
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "6. the memory and pids limits change in place: the same container, its new limits read back; a second preview is clean",
    async () => {
      const before = await container();
      await engine.stack.setConfig("logto-entra-sso:sampleApp.memoryLimitMb", { value: "384" }, true);
      await engine.stack.setConfig("logto-entra-sso:sampleApp.pidsLimit", { value: "200" }, true);
      const up = await engine.up();
      expect(up.result.summary.result).toBe("succeeded");
      expect(resourceSteps(up.changes)).toEqual(["update sample-container", "update sample-pids-limit"]);
      const after = await container();
      expect(after).toMatchObject({ id: before.id, running: true });
      expect(after.confinement).toMatchObject(confined(384, 200));
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "7. destroy removes the container, its writer, volume and image, leaves no application or connector of the stack in Logto, and no secret was written or printed",
    async () => {
      const exported = await engine.cli(["stack", "export"]);
      const destroy = await engine.destroy();
      expect(destroy.result.summary.result).toBe("succeeded");
      expect((await container()).status).toBe(404);
      expect((await container("-secrets-writer")).status).toBe(404);
      expect((await dockerGet(dockerHost, `/volumes/${secretsVolume()}`)).status).toBe(404);
      // This stack's build is gone (the same image may stay under another stack's tag, as builds are cached).
      expect((await dockerGet(dockerHost, `/images/logto-entra-sso-sample:${engine.stackName}/json`)).status).toBe(404);
      expect(await stackApplications()).toEqual([]);
      expect(await stackConnectors()).toEqual([]);
      // The stand-in's tenant is this run's alone: nothing at all is left in it.
      if (world.logto.standIn)
        expect(await world.logto.tenant.snapshot()).toMatchObject({ connectorIds: [], applicationIds: [] });

      const secrets = {
        ...localSecrets(world, [localTenants.contoso, localTenants.fabrikam]),
        "Logto app secret": [...seen.appSecrets],
        "Entra client secret": [...seen.entraSecrets],
        "Flask secret key": [flaskSecretKey],
      };
      const sources = [
        { where: "pulumi stack export", text: exported },
        ...engine.transcript,
        ...(await readAll(await engine.files())),
      ];
      const leaks = findLeaks(secrets, sources);
      expect(leaks.filter((leak) => leak.upstream === undefined)).toEqual([]);
      if (!realPlugins.includes("azuread")) expect(leaks).toEqual([]);
    },
    stepTimeout,
  );
});
