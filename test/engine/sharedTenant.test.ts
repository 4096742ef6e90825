/**
 * Issue 11 under the real engine: stacks sharing one Logto tenant, as a platform team runs them (dev, test-*),
 * over the Logto stand-in (or a real Logto, see local/engine/target.ts; fault injection needs the stand-in; a
 * second address of either is a front before it, day2/logtoFront.ts, whose log shows what the stack wrote). Each case makes its own stacks of test/engine/program and is self-contained:
 *   (a) rotating the app secret: the new secret is made, the dependant updated, and only then the old one deleted;
 *   (b) two stacks on one tenant: destroying one leaves the other's SSO switch on and its connector working;
 *   (c) a changed logto:endpoint: the same Logto under another address is updated in place (ids and links kept),
 *       another Logto is refused at preview, and replaced (old objects deleted first) with logto:moveFromEndpoint;
 * The dependant in (a) is test/engine/program/secretConsumer.ts, a resource that takes the secret the way
 * the sample app container does and checks it with Logto when it is created or updated (no Docker engine here).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeStep, EngineSandbox, createEngineSandbox, readAll, stateResources } from "../../local/engine/engine";
import { findLeaks } from "../../local/engine/leaks";
import { writeCalls } from "../providers/harness";
import { startLogtoStandIn, type RecordedRequest } from "../../local/standins/logto";
import { LogtoTarget, openLogtoTarget, realLogtoFromEnv, uniqueSuffix } from "../../local/engine/target";
import { FaultInjector } from "../../local/standins/shared/faults";
import { startLogtoFront } from "./day2/logtoFront";

const stepTimeout = 180_000;
const againstRealLogto = realLogtoFromEnv(process.env) !== undefined;
const names = {
  connector: "entra-sso-connector",
  application: "sample-application",
  appSecret: "sample-application-secret",
  signInSwitch: "sign-in-experience-sso",
  consumer: "sample-secret-consumer",
};

let target: LogtoTarget;
const stacks: TestStack[] = [];
/** Every app secret seen, for the leak check at the end. */
const appSecretsSeen: string[] = [];
const entraSecret = `entra-${randomBytes(18).toString("base64url")}`;

interface TestStack {
  engine: EngineSandbox;
  connectorName: string;
  appName: string;
  domain: string;
  destroyed: boolean;
}

/** A stack of the engine program on the shared target, with its own names (as dev and test-* would have). */
async function newStack(label: string, extra: Record<string, string> = {}): Promise<TestStack> {
  const suffix = `${label}-${uniqueSuffix()}`;
  const engine = await createEngineSandbox(`shared-${suffix}`);
  const stack: TestStack = {
    engine,
    connectorName: `shared-${suffix}`,
    appName: `shared-${suffix}`,
    domain: `${suffix}.shared-test.example`,
    destroyed: false,
  };
  stacks.push(stack);
  await engine.stack.setAllConfig({
    connectorName: { value: stack.connectorName },
    domains: { value: JSON.stringify([stack.domain]) },
    entraClientId: { value: "6a1d0f43-3c39-4a8e-9c1e-2f0b7d5e8a61" },
    entraClientSecret: { value: entraSecret, secret: true },
    entraIssuer: { value: target.issuer },
    appName: { value: stack.appName },
    appBaseUrl: { value: "http://127.0.0.1:5999" },
    "logto:endpoint": { value: target.endpoint },
    "logto:m2mAppId": { value: target.m2mAppId },
    "logto:m2mAppSecret": { value: target.m2mAppSecret, secret: true },
    ...Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, { value }])),
  });
  return stack;
}

async function outputsOf(stack: TestStack) {
  const map = await stack.engine.stack.outputs();
  const appSecret = String(map.appSecret?.value);
  appSecretsSeen.push(appSecret);
  return { connectorId: String(map.connectorId?.value), applicationId: String(map.applicationId?.value), appSecret };
}

async function connectorsOf(stack: TestStack) {
  return (await target.tenant.connectors()).filter((row) => row.connectorName === stack.connectorName);
}

async function applicationsOf(stack: TestStack) {
  return (await target.tenant.applications()).filter((row) => row.name === stack.appName);
}

async function secretsOf(applicationId: string) {
  const rows = await target.tenant.appSecrets(applicationId);
  appSecretsSeen.push(...rows.map((row) => row.value));
  return rows.map((row) => ({ name: row.name, value: row.value }));
}

/** Resource steps as "op name", without the default provider's. */
function resourceSteps(changes: ChangeStep[]): string[] {
  return changes.filter((step) => !step.type.startsWith("pulumi:providers:")).map((step) => `${step.op} ${step.name}`);
}

/** All the engine printed for a stack so far, one text. */
function transcriptOf(stack: TestStack): string {
  return stack.engine.transcript.map((source) => source.text).join("\n");
}

async function destroy(stack: TestStack) {
  const result = await stack.engine.destroy();
  stack.destroyed = true;
  return result;
}

/** The stand-in's requests while `perform` runs (undefined against a real Logto). */
async function requestsDuring<T>(
  perform: () => Promise<T>,
): Promise<{ value: T; requests: RecordedRequest[] | undefined }> {
  const standIn = target.standIn;
  const earlier = standIn ? standIn.requests.length : 0;
  const value = await perform();
  return { value, requests: standIn?.requests.slice(earlier) };
}

beforeAll(async () => {
  target = await openLogtoTarget();
}, 30 * 60_000);

afterAll(async () => {
  const problems: string[] = [];
  for (const stack of stacks) {
    try {
      if (!stack.destroyed) await stack.engine.stack.destroy({ refresh: true });
      await stack.engine.stack.workspace.removeStack(stack.engine.stackName, { force: true });
    } catch (error) {
      problems.push(
        `${stack.engine.stackName}: ${error instanceof Error ? error.message.slice(0, 1500) : String(error)}`,
      );
    }
    // Whatever the engine could not remove goes through the Management API.
    for (const row of await connectorsOf(stack).catch(() => []))
      await target.tenant.deleteConnector(row.id).catch(() => undefined);
    for (const row of await applicationsOf(stack).catch(() => []))
      await target.tenant.deleteApplication(row.id).catch(() => undefined);
    await stack.engine.dispose();
  }
  await target?.close();
  if (problems.length > 0) throw new Error(`shared-tenant engine test teardown:\n${problems.join("\n")}`);
}, 10 * 60_000);

describe.sequential("engine: stacks sharing one Logto tenant (issue 11)", () => {
  it(
    "(a) rotating the app secret: new secret created, dependant updated, old secret deleted, in that order",
    async () => {
      const stack = await newStack("rotation", { secretConsumer: "true" });
      await stack.engine.up();
      const { applicationId, appSecret: first } = await outputsOf(stack);

      await stack.engine.stack.setConfig("appSecretVersion", { value: "2" });
      const { value: rotation, requests } = await requestsDuring(() => stack.engine.up());
      expect(resourceSteps(rotation.changes)).toEqual([
        `create-replacement ${names.appSecret}`,
        `replace ${names.appSecret}`,
        `update ${names.consumer}`,
        `delete-replaced ${names.appSecret}`,
      ]);
      const second = (await outputsOf(stack)).appSecret;
      expect(second).not.toBe(first);
      expect(await secretsOf(applicationId)).toEqual([{ name: "pulumi-managed-2", value: second }]);
      if (requests) {
        const secretsPath = `/api/applications/${applicationId}/secrets`;
        const order = requests.flatMap((request) => {
          if (request.method === "POST" && request.path === secretsPath && request.status === 201)
            return ["new secret created"];
          if (request.method === "GET" && request.path === secretsPath && request.query.consumer)
            return ["dependant updated"];
          if (request.method === "DELETE" && request.path === `${secretsPath}/pulumi-managed-1`)
            return ["old secret deleted"];
          return [];
        });
        expect(order).toEqual(["new secret created", "dependant updated", "old secret deleted"]);
      }
    },
    stepTimeout,
  );

  it.skipIf(againstRealLogto)(
    "(a) when the dependant fails to take the new secret, the old one stays valid; the next up finishes the rotation",
    async () => {
      const standIn = target.standIn!;
      const stack = await newStack("rotation-fails", { secretConsumer: "true" });
      await stack.engine.up();
      const { applicationId, appSecret: held } = await outputsOf(stack);
      await stack.engine.stack.setConfig("appSecretVersion", { value: "2" });
      // The new secret's own lookup before its create passes; the dependant's check of the new secret fails.
      standIn.faults.add({ method: "GET", path: `/api/applications/${applicationId}/secrets`, delayMs: 0 });
      standIn.faults.add({ method: "GET", path: `/api/applications/${applicationId}/secrets`, status: 500 });
      await expect(stack.engine.up()).rejects.toThrow(/HTTP 500/);
      // What the running app holds still opens the door.
      const during = await secretsOf(applicationId);
      expect(during.map((row) => row.name).sort()).toEqual(["pulumi-managed-1", "pulumi-managed-2"]);
      expect(during.find((row) => row.name === "pulumi-managed-1")?.value).toBe(held);

      await stack.engine.up();
      expect((await secretsOf(applicationId)).map((row) => row.name)).toEqual(["pulumi-managed-2"]);
      expect((await stack.engine.preview()).changes).toEqual([]);
      await destroy(stack);
    },
    stepTimeout,
  );

  it(
    "(b) two stacks on one tenant: destroying one leaves the other's SSO switch on and its connector working",
    async () => {
      const dev = await newStack("dev");
      const test1 = await newStack("test1");
      await dev.engine.up();
      await test1.engine.up();
      expect(await target.tenant.singleSignOnEnabled()).toBe(true);

      await destroy(test1);
      expect(await connectorsOf(test1)).toEqual([]);
      expect(await target.tenant.singleSignOnEnabled()).toBe(true);
      expect(transcriptOf(test1)).toMatch(
        /left enterprise SSO on in the sign-in experience of .*enterprise SSO connector\(s\) still use it/,
      );
      const [devConnector] = await connectorsOf(dev);
      expect(devConnector.id).toBe((await outputsOf(dev)).connectorId);
      expect(devConnector.providerConfig).toMatchObject({ issuer: target.issuer });
      expect((await dev.engine.preview({ refresh: true })).changes).toEqual([]);

      await destroy(dev);
      if ((await target.tenant.connectors()).length === 0) {
        expect(await target.tenant.singleSignOnEnabled()).toBe(false);
        expect(transcriptOf(dev)).toMatch(
          /turned enterprise SSO off .*no enterprise SSO connector is left in the tenant/,
        );
      }
    },
    stepTimeout,
  );

  it(
    "(c) a changed logto:endpoint: the same Logto under another address is an in-place update that keeps every id and link (a new issuer moves the callback URI, the old one kept until retired); another Logto is refused at preview with the cost; with logto:moveFromEndpoint it is replaced, deleted at the old address first",
    async () => {
      const stack = await newStack("endpoint");
      await stack.engine.up();
      const before = await outputsOf(stack);
      const logtoSteps = (changes: ChangeStep[]) =>
        resourceSteps(changes).filter((step) =>
          [names.connector, names.application, names.appSecret, names.signInSwitch].some((name) =>
            step.endsWith(` ${name}`),
          ),
        );

      // The same Logto behind a second address (a new reverse proxy, a tunnel, an internal address).
      const forwarder = await startLogtoFront(target.endpoint, new FaultInjector());
      const customDomain = await startLogtoFront(target.endpoint, new FaultInjector(), { ownIssuer: true });
      try {
        await stack.engine.stack.setConfig("logto:endpoint", { value: forwarder.url });
        const preview = await stack.engine.preview();
        expect(logtoSteps(preview.changes).sort()).toEqual(
          [names.connector, names.application, names.appSecret, names.signInSwitch].map((n) => `update ${n}`).sort(),
        );
        const throughForwarder = forwarder.requests.length;
        const moved = await stack.engine.up();
        expect(logtoSteps(moved.changes).every((step) => step.startsWith("update "))).toBe(true);
        // Nothing is written to Logto (the front saw every call of the stack): the objects stay, with their ids
        // and every user's SSO link.
        expect(forwarder.requests.length).toBeGreaterThan(throughForwarder);
        expect(
          forwarder.requests
            .slice(throughForwarder)
            .filter(
              (request) => request.method !== "GET" && request.path.startsWith("/api/") && request.status !== undefined,
            ),
        ).toEqual([]);
        const after = await outputsOf(stack);
        expect(after).toEqual(before);
        // Logto still publishes its own address as issuer: the callback URI does not move.
        expect((await stack.engine.stack.outputs()).callbackUri?.value).toBe(
          `${target.endpoint}/callback/${before.connectorId}`,
        );
        const recorded = (await stateResources(stack.engine.stack))
          .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/logto:"))
          .map((r) => r.outputs?.endpoint);
        expect(recorded.length).toBe(4);
        expect(new Set(recorded)).toEqual(new Set([forwarder.url]));
        expect((await stack.engine.preview()).changes).toEqual([]);

        // The tenant answering at an address with its own issuer (a custom domain, a second Logto core with
        // another ENDPOINT): still in place, but the callback URI moves there and the old one is kept until retired.
        await stack.engine.stack.setConfig("logto:endpoint", { value: customDomain.url });
        expect(logtoSteps((await stack.engine.up()).changes)).toContain(`update ${names.connector}`);
        expect(await outputsOf(stack)).toEqual(before);
        expect((await stack.engine.stack.outputs()).callbackUri?.value).toBe(
          `${customDomain.url}/callback/${before.connectorId}`,
        );
        const connectorState = async () =>
          (await stateResources(stack.engine.stack)).find((r) => r.urn.endsWith(`::${names.connector}`))?.outputs;
        expect(await connectorState()).toMatchObject({
          publicOrigin: customDomain.url,
          formerPublicOrigins: [target.endpoint],
        });
        await stack.engine.stack.setConfig("logto:retiredOrigins", { value: target.endpoint });
        await stack.engine.up();
        expect(await connectorState()).toMatchObject({ publicOrigin: customDomain.url, formerPublicOrigins: [] });
        expect((await connectorsOf(stack)).map((row) => row.id)).toEqual([before.connectorId]);
        const current = customDomain.url;

        // Another Logto with its own credentials: refused at preview, with what a move would cost.
        const other = await startLogtoStandIn({ issuerFetchTimeoutMs: 500, trustedCaPem: target.issuerCaPem });
        try {
          await stack.engine.stack.setAllConfig({
            "logto:endpoint": { value: other.url },
            "logto:m2mAppId": { value: other.m2mAppId },
            "logto:m2mAppSecret": { value: other.m2mAppSecret, secret: true },
          });
          const writesBefore = target.standIn ? writeCalls(target.standIn).length : 0;
          const secretsBefore = await secretsOf(before.applicationId);
          const refused = stack.engine.preview();
          await expect(refused).rejects.toThrow(/does not hold it: that is another Logto/);
          await expect(refused).rejects.toThrow(`pulumi config set logto:moveFromEndpoint ${current}`);
          await expect(stack.engine.up()).rejects.toThrow(/does not hold it: that is another Logto/);
          expect(writeCalls(other)).toEqual([]);
          // Nothing changed at the Logto that holds the objects (its own log, where it is the stand-in).
          if (target.standIn) expect(writeCalls(target.standIn).length).toBe(writesBefore);
          expect((await connectorsOf(stack)).map((row) => row.id)).toEqual([before.connectorId]);
          expect((await applicationsOf(stack)).map((row) => row.id)).toEqual([before.applicationId]);
          expect(await secretsOf(before.applicationId)).toEqual(secretsBefore);
        } finally {
          await other.close();
        }

        // Moving on purpose to another Logto (credentials that work at both): replaced, deleted at the old first.
        const next = await startLogtoStandIn({
          m2mAppId: target.m2mAppId,
          m2mAppSecret: target.m2mAppSecret,
          issuerFetchTimeoutMs: 500,
          trustedCaPem: target.issuerCaPem,
        });
        try {
          await stack.engine.stack.setAllConfig({
            "logto:endpoint": { value: next.url },
            "logto:m2mAppId": { value: target.m2mAppId },
            "logto:m2mAppSecret": { value: target.m2mAppSecret, secret: true },
            "logto:moveFromEndpoint": { value: current },
          });
          const planned = await stack.engine.preview();
          expect(
            logtoSteps(planned.changes)
              .filter((step) => step.startsWith("replace "))
              .sort(),
          ).toEqual(
            [names.connector, names.application, names.appSecret, names.signInSwitch].map((n) => `replace ${n}`).sort(),
          );
          expect(transcriptOf(stack)).toMatch(/is replaced \(logto:moveFromEndpoint is .*every user's link/);
          const { requests: moveRequests } = await requestsDuring(() => stack.engine.up());
          // The stand-in's log shows the one write at the old Logto; a real Logto shows the connector gone (below).
          if (moveRequests) {
            const oldConnectorWrites = moveRequests
              .filter((request) => request.path.startsWith("/api/sso-connectors") && request.method !== "GET")
              .map((request) => `${request.method} ${request.path} ${request.status}`);
            expect(oldConnectorWrites).toEqual([`DELETE /api/sso-connectors/${before.connectorId} 204`]);
          }
          const movedOutputs = await outputsOf(stack);
          expect(await connectorsOf(stack)).toEqual([]);
          expect(await applicationsOf(stack)).toEqual([]);
          const nextConnectors = [...next.state.ssoConnectors.values()].filter(
            (row) => row.connectorName === stack.connectorName,
          );
          expect(nextConnectors.map((row) => row.id)).toEqual([movedOutputs.connectorId]);
          expect((await stack.engine.stack.outputs()).callbackUri?.value).toBe(
            `${next.url}/callback/${movedOutputs.connectorId}`,
          );
          // Unset once moved: no object is recorded at the old endpoint any more (only the provider's config changes).
          await stack.engine.stack.removeConfig("logto:moveFromEndpoint");
          expect(resourceSteps((await stack.engine.preview()).changes)).toEqual([]);
          await destroy(stack);
          expect([...next.state.ssoConnectors.values()]).toEqual([]);
        } finally {
          await next.close();
        }
      } finally {
        await Promise.all([forwarder.close(), customDomain.close()]);
      }
    },
    stepTimeout,
  );

  it("no app secret, Entra secret or M2M secret is in plain text in anything these stacks' engines wrote or printed", async () => {
    const sources = [];
    for (const stack of stacks)
      sources.push(...stack.engine.transcript, ...(await readAll(await stack.engine.files())));
    const leaks = findLeaks(
      { "Logto app secret": appSecretsSeen, "Entra client secret": [entraSecret], "M2M secret": [target.m2mAppSecret] },
      sources,
    );
    expect(leaks).toEqual([]);
  });
});
