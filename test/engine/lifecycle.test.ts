/**
 * The real Pulumi engine over the Logto stand-in (or a real Logto, see target.ts): one stack of
 * test/engine/program taken through up, a clean second preview, drift made by hand, a vanished object, secret
 * rotations, a failure in the middle of an update, and destroy. The steps share the stack, so they run in
 * order; afterAll tears everything down whatever happened.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeStep, EngineSandbox, createEngineSandbox, readAll, stateResources } from "../../local/engine/engine";
import { findLeaks, TextSource } from "../../local/engine/leaks";
import { writeCalls } from "../providers/harness";
import { LogtoTarget, openLogtoTarget, realLogtoFromEnv } from "../../local/engine/target";
import { ConnectorRow, TenantSnapshot } from "../../local/engine/tenant";

const types = {
  connector: "pulumi-nodejs:dynamic/logto:SsoConnector",
  application: "pulumi-nodejs:dynamic/logto:Application",
  appSecret: "pulumi-nodejs:dynamic/logto:ApplicationSecret",
  signInSwitch: "pulumi-nodejs:dynamic/logto:SignInExperienceSso",
};
const names = {
  connector: "entra-sso-connector",
  application: "sample-application",
  appSecret: "sample-application-secret",
  signInSwitch: "sign-in-experience-sso",
};

/** How the state marks a secret value (Pulumi's secret signature key). */
const secretSignatureKey = "4dabf18193072939515e22adb298388d";
const entraClientId = "6a1d0f43-3c39-4a8e-9c1e-2f0b7d5e8a61";
const appBaseUrl = "http://127.0.0.1:5999";
const stepTimeout = 120_000;
const againstRealLogto = realLogtoFromEnv(process.env) !== undefined;

function entraSecret(): string {
  return `entra-${randomBytes(18).toString("base64url")}`;
}

let target: LogtoTarget;
let engine: EngineSandbox;
let before: TenantSnapshot;
let stackRemoved = false;

/** Every secret value the run used or produced, for the leak checks. */
const secrets = { entra: [] as string[], appSecret: [] as string[], m2m: [] as string[] };
let declaredEntraSecret = entraSecret();
const declaredDomains = () => [target.names.domain];

async function ourConnectors(): Promise<ConnectorRow[]> {
  return (await target.tenant.connectors()).filter((row) => row.connectorName === target.names.connectorName);
}

async function ourApplications() {
  return (await target.tenant.applications()).filter((row) => row.name === target.names.appName);
}

/** The application's secrets in Logto; their values join the ones the leak checks look for. */
async function secretsOf(applicationId: string) {
  const rows = await target.tenant.appSecrets(applicationId);
  secrets.appSecret.push(...rows.map((row) => row.value));
  return rows;
}

async function outputs() {
  const map = await engine.stack.outputs();
  return {
    connectorId: String(map.connectorId?.value),
    applicationId: String(map.applicationId?.value),
    appSecret: { value: String(map.appSecret?.value), secret: map.appSecret?.secret },
  };
}

async function resourcesInState(): Promise<string[]> {
  return (await stateResources(engine.stack)).map((resource) => resource.type);
}

/** The write calls of one engine operation, when the target can observe them (the stand-in). */
async function writesDuring<T>(perform: () => Promise<T>): Promise<{ value: T; writes: string[] | undefined }> {
  const { standIn } = target;
  const earlier = standIn ? writeCalls(standIn).length : 0;
  const value = await perform();
  return { value, writes: standIn ? writeCalls(standIn).slice(earlier) : undefined };
}

/** Resource steps as "op name"; the default provider's steps are left to `providerSteps`. */
function resourceSteps(changes: ChangeStep[]): string[] {
  return changes.filter((step) => !step.type.startsWith("pulumi:providers:")).map((step) => `${step.op} ${step.name}`);
}

/**
 * The default dynamic provider's inputs are the whole stack config (the engine hands dynamic providers every
 * key), so a config change updates it. Updating is harmless; replacing it would not be.
 */
function providerSteps(changes: ChangeStep[]): string[] {
  return changes.filter((step) => step.type.startsWith("pulumi:providers:")).map((step) => `${step.op} ${step.type}`);
}

/** Everything the engine wrote or printed: transcript, state, history, backups, PULUMI_HOME, TMPDIR, stack settings. */
async function leakSources(extra: TextSource[]): Promise<TextSource[]> {
  return [...extra, ...engine.transcript, ...(await readAll(await engine.files()))];
}

function secretValues() {
  return {
    "Entra client secret": secrets.entra,
    "Logto app secret": secrets.appSecret,
    "M2M secret": secrets.m2m,
  };
}

beforeAll(async () => {
  target = await openLogtoTarget();
  secrets.m2m.push(target.m2mAppSecret);
  secrets.entra.push(declaredEntraSecret);
  before = await target.tenant.snapshot();
  engine = await createEngineSandbox(`engine-${target.names.suffix}`);
  await engine.stack.setAllConfig({
    connectorName: { value: target.names.connectorName },
    domains: { value: JSON.stringify(declaredDomains()) },
    entraClientId: { value: entraClientId },
    entraClientSecret: { value: declaredEntraSecret, secret: true },
    entraIssuer: { value: target.issuer },
    appName: { value: target.names.appName },
    appBaseUrl: { value: appBaseUrl },
    appSecretVersion: { value: "1" },
    // How real users configure the provider; the engine sandbox blanks the LOGTO_* fallbacks.
    "logto:endpoint": { value: target.endpoint },
    "logto:m2mAppId": { value: target.m2mAppId },
    "logto:m2mAppSecret": { value: target.m2mAppSecret, secret: true },
  });
}, 30 * 60_000); // a cold engine build (no cache yet) takes minutes

afterAll(async () => {
  const problems: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message.slice(0, 2000) : String(error)}`);
    }
  };
  if (engine && !stackRemoved) {
    const stacks = await engine.stack.workspace.listStacks().catch(() => []);
    if (stacks.some((summary) => summary.name === engine.stackName)) {
      await attempt("destroy", () => engine.stack.destroy({ refresh: true }));
      await attempt("stack rm", () => engine.stack.workspace.removeStack(engine.stackName, { force: true }));
    }
  }
  if (target) {
    // Whatever the engine could not remove (a failed step, a lost state) goes through the Management API.
    await attempt("sweep connectors", async () => {
      for (const row of await ourConnectors()) await target.tenant.deleteConnector(row.id);
    });
    await attempt("sweep applications", async () => {
      for (const row of await ourApplications()) await target.tenant.deleteApplication(row.id);
    });
    // On a tenant others share the snapshot leaves the switch out: it is theirs too, so it is left alone.
    const switchBefore = before?.singleSignOnEnabled;
    if (switchBefore !== undefined) {
      await attempt("restore the SSO switch", async () => {
        if ((await target.tenant.singleSignOnEnabled()) !== switchBefore) {
          await target.tenant.setSingleSignOnEnabled(switchBefore);
        }
      });
    }
  }
  await engine?.dispose();
  await target?.close();
  if (problems.length > 0) throw new Error(`engine test teardown:\n${problems.join("\n")}`);
}, 5 * 60_000);

describe.sequential("engine: stack lifecycle over Logto", () => {
  it(
    "1. up creates the connector, the application with its secret and the SSO switch; the tenant holds exactly them",
    async () => {
      const { result, changes } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      expect(
        changes
          .filter((step) => step.type.startsWith("pulumi-nodejs:"))
          .map((s) => `${s.op} ${s.type}`)
          .sort(),
      ).toEqual(
        [
          `create ${types.application}`,
          `create ${types.appSecret}`,
          `create ${types.connector}`,
          `create ${types.signInSwitch}`,
        ].sort(),
      );
      expect(changes.filter((step) => step.op !== "create")).toEqual([]);

      const after = await target.tenant.snapshot();
      const newConnectors = after.connectorIds.filter((id) => !before.connectorIds.includes(id));
      const newApplications = after.applicationIds.filter((id) => !before.applicationIds.includes(id));
      const out = await outputs();
      expect(newConnectors).toEqual([out.connectorId]);
      expect(newApplications).toEqual([out.applicationId]);
      expect(await target.tenant.singleSignOnEnabled()).toBe(true);

      const [connector] = await ourConnectors();
      expect(connector).toMatchObject({
        id: out.connectorId,
        providerName: "AzureAdOidc",
        domains: declaredDomains(),
        config: { clientId: entraClientId, clientSecret: declaredEntraSecret, issuer: target.issuer },
      });
      const [application] = await ourApplications();
      expect(application).toMatchObject({
        type: "Traditional",
        oidcClientMetadata: { redirectUris: [`${appBaseUrl}/callback`], postLogoutRedirectUris: [`${appBaseUrl}/`] },
      });
      const appSecrets = await secretsOf(out.applicationId);
      expect(appSecrets.map((row) => row.name)).toEqual(["pulumi-managed-1"]);
      expect(out.appSecret).toEqual({ value: appSecrets[0].value, secret: true });
    },
    stepTimeout,
  );

  it(
    "2. a second preview reports no changes, and up again changes nothing",
    async () => {
      const preview = await engine.preview();
      expect(preview.changes).toEqual([]);
      expect(Object.keys(preview.result.changeSummary)).toEqual(["same"]);

      const { value: up, writes } = await writesDuring(() => engine.up());
      expect(up.changes).toEqual([]);
      expect(Object.keys(up.result.summary.resourceChanges ?? {})).toEqual(["same"]);
      if (writes) expect(writes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "3. preview --refresh reports an update of exactly the connector edited by hand; up --refresh puts it back",
    async () => {
      const [connector] = await ourConnectors();
      const handEditedSecret = entraSecret();
      secrets.entra.push(handEditedSecret);
      await target.tenant.editConnector(connector.id, {
        domains: [`hand-edited-${target.names.domain}`],
        config: { ...connector.config, clientSecret: handEditedSecret },
      });

      const preview = await engine.preview({ refresh: true });
      expect(preview.changes.map((step) => `${step.op} ${step.type} ${step.name}`)).toEqual([
        `update ${types.connector} ${names.connector}`,
      ]);

      const { value: up, writes } = await writesDuring(() => engine.up({ refresh: true }));
      expect(resourceSteps(up.changes)).toEqual([`update ${names.connector}`]);
      if (writes) expect(writes).toEqual([`PATCH /api/sso-connectors/${connector.id}`]);
      const [restored] = await ourConnectors();
      expect(restored.domains).toEqual(declaredDomains());
      expect(restored.config.clientSecret).toBe(declaredEntraSecret);
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "4. an application deleted by hand: refresh drops it (and its secret) from the state and up recreates them",
    async () => {
      const { applicationId: deletedId } = await outputs();
      await target.tenant.deleteApplication(deletedId);

      const refresh = await engine.refresh();
      expect(refresh.result.summary.result).toBe("succeeded");
      expect(await resourcesInState()).not.toContain(types.application);
      expect(await resourcesInState()).not.toContain(types.appSecret);

      const up = await engine.up();
      expect(resourceSteps(up.changes).sort()).toEqual(
        [`create ${names.application}`, `create ${names.appSecret}`].sort(),
      );
      const out = await outputs();
      expect(out.applicationId).not.toBe(deletedId);
      expect((await ourApplications()).map((row) => row.id)).toEqual([out.applicationId]);
      const appSecrets = await secretsOf(out.applicationId);
      expect(appSecrets.map((row) => row.name)).toEqual(["pulumi-managed-1"]);
      expect(out.appSecret.value).toBe(appSecrets[0].value);
    },
    stepTimeout,
  );

  it(
    "5. rotating the application secret replaces the secret only (new one first); the Entra secret is one connector update",
    async () => {
      const { applicationId, appSecret: oldAppSecret } = await outputs();
      await engine.stack.setConfig("appSecretVersion", { value: "2" });
      const rotateApp = await engine.up();
      expect(resourceSteps(rotateApp.changes)).toEqual([
        `create-replacement ${names.appSecret}`,
        `replace ${names.appSecret}`,
        `delete-replaced ${names.appSecret}`,
      ]);
      expect(providerSteps(rotateApp.changes).filter((step) => !step.startsWith("update "))).toEqual([]);
      const out = await outputs();
      expect(out.applicationId).toBe(applicationId);
      const appSecrets = await secretsOf(applicationId);
      expect(appSecrets.map((row) => row.name)).toEqual(["pulumi-managed-2"]);
      expect(out.appSecret.value).toBe(appSecrets[0].value);
      expect(out.appSecret.value).not.toBe(oldAppSecret.value);

      declaredEntraSecret = entraSecret();
      secrets.entra.push(declaredEntraSecret);
      await engine.stack.setConfig("entraClientSecret", { value: declaredEntraSecret, secret: true });
      const rotateEntra = await engine.up();
      expect(resourceSteps(rotateEntra.changes)).toEqual([`update ${names.connector}`]);
      expect(providerSteps(rotateEntra.changes).filter((step) => !step.startsWith("update "))).toEqual([]);
      const [connector] = await ourConnectors();
      expect(connector.id).toBe(out.connectorId);
      expect(connector.config.clientSecret).toBe(declaredEntraSecret);
    },
    stepTimeout,
  );

  it(
    "6. pulumi stack export, the state files and every engine log hold no secret in plain text",
    async () => {
      const exported = await engine.cli(["stack", "export"]);
      // The values searched for are the ones the state really holds (visible only with --show-secrets).
      const shown = JSON.stringify(await engine.stack.exportStack());
      expect(shown).toContain(declaredEntraSecret);
      expect(shown).toContain((await outputs()).appSecret.value);
      expect(exported).toContain('"ciphertext"');
      // Item 7 (issue 11): the connector's whole config output is secret (additionalSecretOutputs), not only the
      // client secret the engine would copy the secretness of from the input.
      const connector = (await stateResources(engine.stack)).find((r) => r.type === types.connector);
      expect(Object.keys(connector?.outputs?.config ?? {})).toContain(secretSignatureKey);

      const leaks = findLeaks(secretValues(), await leakSources([{ where: "pulumi stack export", text: exported }]));
      expect(leaks).toEqual([]);
    },
    stepTimeout,
  );

  it("6b. debug diagnostics carry no secret: config secrets are masked, RPC responses are cut (infra/sdkDebugLog.ts)", async () => {
    const debugEvents = engine.transcript.filter((source) => source.debugDiagnostic);
    // The SDK's own response lines are still there, only without the response (which carries outputs). The root
    // Stack is registered before the program's first line runs; its response is its URN only.
    const responseLines = debugEvents.filter(
      (source) =>
        source.text.includes("RegisterResource RPC finished: ") && !source.text.includes("[pulumi:pulumi:Stack]"),
    );
    expect(responseLines.length).toBeGreaterThan(0);
    const unredacted = responseLines.filter((source) => !source.text.includes("resp: [not logged: may hold secrets]"));
    expect(unredacted.map((source) => source.text.slice(0, 300))).toEqual([]);
    expect(findLeaks(secretValues(), debugEvents)).toEqual([]);
  });

  it(
    "7. destroy leaves the tenant as it was before step 1, SSO switch included",
    async () => {
      const destroy = await engine.destroy();
      expect(destroy.result.summary.result).toBe("succeeded");
      expect(await target.tenant.snapshot()).toEqual(before);
      expect(await resourcesInState()).toEqual([]);
    },
    stepTimeout,
  );

  it.skipIf(againstRealLogto)(
    "8. a failure in the middle of up (the app secret's POST) leaves a state from which the next up converges with no duplicate (stand-in only: fault injection)",
    async () => {
      const standIn = target.standIn;
      if (!standIn) throw new Error("step 8 needs the stand-in's fault hooks");
      standIn.faults.add({ method: "POST", path: /^\/api\/applications\/[^/]+\/secrets$/, status: 500 });
      await expect(engine.up()).rejects.toThrow(/HTTP 500/);
      expect(standIn.faults.pending).toEqual([]);
      // The application was made before its secret failed: the state keeps it, so nothing is orphaned. (The
      // connector runs in parallel and may or may not have been made before the engine stopped.)
      const idsInState = (await stateResources(engine.stack)).map((resource) => resource.id);
      expect(await resourcesInState()).toContain(types.application);
      expect(await resourcesInState()).not.toContain(types.appSecret);
      for (const row of [...(await ourApplications()), ...(await ourConnectors())])
        expect(idsInState).toContain(row.id);

      const up = await engine.up();
      const converged = resourceSteps(up.changes);
      expect(converged).toContain(`create ${names.appSecret}`);
      expect(
        converged.filter((step) => step !== `create ${names.appSecret}` && step !== `create ${names.connector}`),
      ).toEqual([]);
      expect(await ourConnectors()).toHaveLength(1);
      const applications = await ourApplications();
      expect(applications).toHaveLength(1);
      expect((await secretsOf(applications[0].id)).map((row) => row.name)).toEqual(["pulumi-managed-2"]);
      expect((await engine.preview()).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "the final destroy restores the tenant, the whole run leaked no secret, and the stack can be removed",
    async () => {
      const exported = await engine.cli(["stack", "export"]);
      await engine.destroy();
      expect(await target.tenant.snapshot()).toEqual(before);
      const leaks = findLeaks(secretValues(), await leakSources([{ where: "pulumi stack export", text: exported }]));
      expect(leaks).toEqual([]);

      await engine.stack.workspace.removeStack(engine.stackName);
      stackRemoved = true;
      const stacks = await engine.stack.workspace.listStacks();
      expect(stacks.map((summary) => summary.name)).not.toContain(engine.stackName);
    },
    stepTimeout,
  );
});
