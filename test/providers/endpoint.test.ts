/**
 * Issue 11, item 4 and issue 23: each resource records the endpoint it was made at; read and delete go to the
 * recorded one. A changed logto:endpoint is an in-place update when that Logto holds the object (the same
 * tenant under another address), refused when it does not (another Logto), and a replacement only with the
 * opt-in logto:moveFromEndpoint. The connector's callback URI follows Logto's public origin (its issuer).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applicationProvider } from "../../providers/logto/application/provider";
import { ApplicationInputs, ApplicationOutputs } from "../../providers/logto/application/schema";
import { applicationSecretProvider } from "../../providers/logto/applicationSecret/provider";
import { ApplicationSecretInputs, ApplicationSecretOutputs } from "../../providers/logto/applicationSecret/schema";
import { signInExperienceSsoProvider } from "../../providers/logto/signInExperience/provider";
import { SignInExperienceSsoOutputs } from "../../providers/logto/signInExperience/schema";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector/provider";
import { SsoConnectorInputs, SsoConnectorOutputs } from "../../providers/logto/ssoConnector/schema";
import { LogtoStandIn, startLogtoStandIn } from "../../local/standins/logto";
import {
  ProviderHarness,
  applicationInputs,
  calls,
  connectorInputs,
  failureOf,
  noticesDuring,
  startProviderHarness,
  writeCalls,
} from "./harness";
import { FaultInjector } from "../../local/standins/shared/faults";
import { startLogtoFront } from "../engine/day2/logtoFront";

let h: ProviderHarness;
/** A second Logto that accepts the same M2M credentials (the same tenant behind another address, say). */
let second: LogtoStandIn;

beforeAll(async () => {
  h = await startProviderHarness();
  second = await startLogtoStandIn({
    m2mAppId: h.logto.m2mAppId,
    m2mAppSecret: h.logto.m2mAppSecret,
    issuerFetchTimeoutMs: 500,
  });
});
afterAll(async () => {
  await second.close();
  await h.close();
});
beforeEach(async () => {
  second.reset();
  await h.reset();
});

/** Re-configures the provider as a changed `logto:endpoint` would. */
async function configureEndpoint(endpoint: string): Promise<void> {
  await h.configure({ "logto:endpoint": endpoint });
}

describe("item 4: the endpoint and the public origin are recorded", () => {
  it("check records the configured endpoint in every resource's inputs", async () => {
    const checked = [
      await ssoConnectorProvider.check!({} as never, { ...connectorInputs(h), endpoint: undefined } as never),
      await applicationProvider.check!(
        {} as never,
        { name: "a", redirectUris: ["https://a.example.com/callback"] } as never,
      ),
      await applicationSecretProvider.check!({} as never, { applicationId: "app", name: "pulumi-managed-1" } as never),
      await signInExperienceSsoProvider.check!({} as never, { enabled: true } as never),
    ];
    expect(checked.map((result) => (result.inputs as { endpoint?: string }).endpoint)).toEqual(
      Array(4).fill(h.logto.url),
    );
  });

  it("a routine check asks Logto nothing: the public origin is recorded, fetched only for a new object or address", async () => {
    const created = await ssoConnectorProvider.create(connectorInputs(h));
    h.logto.requests.length = 0;
    const checked = await ssoConnectorProvider.check!(created.outs as SsoConnectorInputs, connectorInputs(h));
    expect(checked.inputs).toMatchObject({ publicOrigin: h.logto.url, formerPublicOrigins: [] });
    expect(calls(h.logto)).toEqual([]);
    const fresh = await ssoConnectorProvider.check!({} as SsoConnectorInputs, connectorInputs(h));
    expect(fresh.inputs).toMatchObject({ publicOrigin: h.logto.url, formerPublicOrigins: [] });
    expect(calls(h.logto)).toEqual(["GET /oidc/.well-known/openid-configuration"]);
  });
});

/** Every Logto object of a stack, made at the harness's Logto. */
async function madeObjects() {
  const connector = await ssoConnectorProvider.create(connectorInputs(h));
  const application = await applicationProvider.create(applicationInputs(h));
  const secretInputs = { applicationId: application.id, name: "pulumi-managed-1", removeDefaultSecret: true };
  const secret = await applicationSecretProvider.create({ ...secretInputs, endpoint: h.logto.url });
  const sso = await signInExperienceSsoProvider.create({ enabled: true, endpoint: h.logto.url });
  return {
    connector: { id: connector.id, outs: connector.outs as SsoConnectorOutputs },
    application: { id: application.id, outs: application.outs as ApplicationOutputs },
    secret: { id: secret.id, outs: secret.outs as ApplicationSecretOutputs, inputs: secretInputs },
    sso: { id: sso.id, outs: sso.outs as SignInExperienceSsoOutputs },
  };
}

/** Each object's check and diff as a preview at the configured endpoint runs them. */
async function previewAll(objects: Awaited<ReturnType<typeof madeObjects>>) {
  const connector = (await ssoConnectorProvider.check!(objects.connector.outs, connectorInputs(h)))
    .inputs as SsoConnectorInputs;
  const application = (await applicationProvider.check!(objects.application.outs, applicationInputs(h)))
    .inputs as ApplicationInputs;
  const secret = (await applicationSecretProvider.check!(objects.secret.outs, objects.secret.inputs as never))
    .inputs as ApplicationSecretInputs;
  const sso = (await signInExperienceSsoProvider.check!(objects.sso.outs, { enabled: true } as never))
    .inputs as SignInExperienceSsoOutputs;
  return {
    inputs: { connector, application, secret, sso },
    diffs: {
      connector: await ssoConnectorProvider.diff!(objects.connector.id, objects.connector.outs, connector),
      application: await applicationProvider.diff!(objects.application.id, objects.application.outs, application),
      secret: await applicationSecretProvider.diff!(objects.secret.id, objects.secret.outs, secret),
      sso: await signInExperienceSsoProvider.diff!(objects.sso.id, objects.sso.outs, sso),
    },
  };
}

describe("issue 23: logto:endpoint re-pointed", () => {
  it("the same Logto under another address is an in-place update of every object: nothing replaced, nothing sent, the new address recorded", async () => {
    const objects = await madeObjects();
    const tunnel = await startLogtoFront(h.logto.url, new FaultInjector(), { ownIssuer: false });
    try {
      await configureEndpoint(tunnel.url);
      h.logto.requests.length = 0;
      const { inputs, diffs } = await previewAll(objects);
      for (const [kind, diff] of Object.entries(diffs)) {
        expect(diff, kind).toMatchObject({ changes: true, replaces: [] });
      }
      // Logto still publishes its own address: the callback URI does not move.
      expect(inputs.connector).toMatchObject({
        endpoint: tunnel.url,
        publicOrigin: h.logto.url,
        formerPublicOrigins: [],
      });
      const connector = await ssoConnectorProvider.update!(
        objects.connector.id,
        objects.connector.outs,
        inputs.connector,
      );
      const application = await applicationProvider.update!(
        objects.application.id,
        objects.application.outs,
        inputs.application,
      );
      const secret = await applicationSecretProvider.update!(objects.secret.id, objects.secret.outs, inputs.secret);
      const sso = await signInExperienceSsoProvider.update!(objects.sso.id, objects.sso.outs, inputs.sso);
      expect(writeCalls(h.logto)).toEqual([]);
      expect(connector.outs).toMatchObject({
        endpoint: tunnel.url,
        connectorId: objects.connector.id,
        callbackUri: `${h.logto.url}/callback/${objects.connector.id}`,
      });
      expect(application.outs).toMatchObject({ endpoint: tunnel.url, applicationId: objects.application.id });
      expect(secret.outs).toMatchObject({ endpoint: tunnel.url, value: objects.secret.outs.value });
      expect(sso.outs).toEqual({ enabled: true, endpoint: tunnel.url });
      // And the next preview is clean.
      const after = await ssoConnectorProvider.check!(connector.outs as SsoConnectorInputs, connectorInputs(h));
      expect(
        (
          await ssoConnectorProvider.diff!(
            objects.connector.id,
            connector.outs as SsoConnectorOutputs,
            after.inputs as SsoConnectorInputs,
          )
        ).changes,
      ).toBe(false);
    } finally {
      await tunnel.close();
    }
  });

  it("a new public origin (the tenant answering with another issuer) moves the callback URI and keeps the old one registered until retired", async () => {
    const objects = await madeObjects();
    const customDomain = await startLogtoFront(h.logto.url, new FaultInjector(), { ownIssuer: true });
    try {
      await configureEndpoint(customDomain.url);
      const { inputs, diffs } = await previewAll(objects);
      expect(diffs.connector).toMatchObject({ changes: true, replaces: [] });
      expect(inputs.connector).toMatchObject({ publicOrigin: customDomain.url, formerPublicOrigins: [h.logto.url] });
      const moved = await ssoConnectorProvider.update!(objects.connector.id, objects.connector.outs, inputs.connector);
      expect(moved.outs).toMatchObject({
        callbackUri: `${customDomain.url}/callback/${objects.connector.id}`,
        formerPublicOrigins: [h.logto.url],
      });
      // Kept at every later run, without asking Logto, until logto:retiredOrigins names it.
      const again = await ssoConnectorProvider.check!(moved.outs as SsoConnectorInputs, connectorInputs(h));
      expect(again.inputs).toMatchObject({ formerPublicOrigins: [h.logto.url] });
      await h.configure({ "logto:endpoint": customDomain.url, "logto:retiredOrigins": h.logto.url });
      const retired = (await ssoConnectorProvider.check!(moved.outs as SsoConnectorInputs, connectorInputs(h)))
        .inputs as SsoConnectorInputs;
      expect(retired.formerPublicOrigins).toEqual([]);
      const diff = await ssoConnectorProvider.diff!(objects.connector.id, moved.outs as SsoConnectorOutputs, retired);
      expect(diff).toMatchObject({ changes: true, replaces: [] });
      h.logto.requests.length = 0;
      await ssoConnectorProvider.update!(objects.connector.id, moved.outs as SsoConnectorOutputs, retired);
      expect(writeCalls(h.logto)).toEqual([]);
    } finally {
      await customDomain.close();
    }
  });

  it("another Logto is refused at preview with what a move would cost and how to move on purpose; nothing is written anywhere", async () => {
    const objects = await madeObjects();
    await configureEndpoint(second.url);
    h.logto.requests.length = 0;
    const error = await failureOf(() => previewAll(objects));
    expect(error.message).toContain(
      `SSO connector "contoso" (id ${objects.connector.id}) was made at ${h.logto.url} (recorded in the state), and ${second.url} (logto:endpoint) does not hold it`,
    );
    expect(error.message).toContain("Logto deletes every user's link to the old connector");
    expect(error.message).toContain(`pulumi config set logto:moveFromEndpoint ${h.logto.url}`);
    expect(error.message).toContain("pulumi refresh");
    for (const [kind, diff] of [
      [
        "application",
        () =>
          applicationProvider.diff!(
            objects.application.id,
            objects.application.outs,
            applicationInputs(h, { endpoint: second.url }),
          ),
      ],
      [
        "secret",
        () =>
          applicationSecretProvider.diff!(objects.secret.id, objects.secret.outs, {
            ...objects.secret.outs,
            endpoint: second.url,
          }),
      ],
      [
        "switch",
        () =>
          signInExperienceSsoProvider.diff!(objects.sso.id, objects.sso.outs, { enabled: true, endpoint: second.url }),
      ],
    ] as const) {
      expect((await failureOf(diff)).message, kind).toMatch(/does not hold it: that is another Logto/);
    }
    expect(writeCalls(h.logto)).toEqual([]);
    expect(writeCalls(second)).toEqual([]);
  });

  it("with logto:moveFromEndpoint naming the recorded endpoint, another Logto is a replacement (deleted there first), and says what it costs", async () => {
    const objects = await madeObjects();
    await h.configure({ "logto:endpoint": second.url, "logto:moveFromEndpoint": h.logto.url });
    const lines = await noticesDuring(async () => {
      const { inputs, diffs } = await previewAll(objects);
      expect(diffs.connector).toMatchObject({ changes: true, replaces: ["endpoint"], deleteBeforeReplace: true });
      expect(diffs.application).toMatchObject({ changes: true, replaces: ["endpoint"], deleteBeforeReplace: true });
      expect(diffs.secret).toMatchObject({ changes: true, replaces: ["endpoint"], deleteBeforeReplace: false });
      expect(diffs.sso).toMatchObject({ changes: true, replaces: ["endpoint"], deleteBeforeReplace: true });
      // The old Logto's origin is not kept for the new connector: the stack is leaving that Logto.
      expect(inputs.connector).toMatchObject({ publicOrigin: second.url, formerPublicOrigins: [] });
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `SSO connector "contoso" .* is replaced \\(logto:moveFromEndpoint is ${h.logto.url}\\).*every user's link`,
          ),
        ),
      ]),
    );
  });

  it("read and delete act on the endpoint in the state, not on the configured one", async () => {
    const created = await ssoConnectorProvider.create(connectorInputs(h));
    const outs = created.outs as SsoConnectorOutputs;
    expect(outs.endpoint).toBe(h.logto.url);
    await configureEndpoint(second.url);
    h.logto.requests.length = 0;
    const read = await ssoConnectorProvider.read!(created.id, outs);
    expect(read.id).toBe(created.id);
    expect((read.props as SsoConnectorOutputs).callbackUri).toBe(`${h.logto.url}/callback/${created.id}`);
    await ssoConnectorProvider.delete!(created.id, outs);
    expect(h.logto.state.ssoConnectors.size).toBe(0);
    expect(calls(h.logto)).toContain(`DELETE /api/sso-connectors/${created.id}`);
    expect(writeCalls(second)).toEqual([]);
  });

  it("a recorded endpoint that refuses the configured credentials fails with how to move a stack, and drops nothing", async () => {
    const created = await ssoConnectorProvider.create(connectorInputs(h));
    const other = await startLogtoStandIn();
    try {
      await h.configure({
        "logto:endpoint": other.url,
        "logto:m2mAppId": other.m2mAppId,
        "logto:m2mAppSecret": other.m2mAppSecret,
      });
      const error = await failureOf(() => ssoConnectorProvider.read!(created.id, created.outs));
      expect(error.message).toContain("oidc.invalid_client");
      expect(error.message).toContain(
        `made at ${h.logto.url} (recorded in the state); logto:endpoint is now ${other.url}`,
      );
      expect(error.message).toContain("set the old logto:endpoint, logto:m2mAppId and logto:m2mAppSecret back");
      expect(error.message).not.toContain(other.m2mAppSecret);
      await failureOf(() => ssoConnectorProvider.delete!(created.id, created.outs as SsoConnectorOutputs));
      expect(h.logto.state.ssoConnectors.has(created.id)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("state written before the endpoint was recorded gets it by an update that sends nothing", async () => {
    const created = await ssoConnectorProvider.create(connectorInputs(h));
    const { endpoint: _recorded, ...legacy } = created.outs as SsoConnectorOutputs;
    const diff = await ssoConnectorProvider.diff!(created.id, legacy as SsoConnectorOutputs, connectorInputs(h));
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    h.logto.requests.length = 0;
    const updated = await ssoConnectorProvider.update!(created.id, legacy as SsoConnectorOutputs, connectorInputs(h));
    expect(updated.outs?.endpoint).toBe(h.logto.url);
    expect(writeCalls(h.logto)).toEqual([]);
  });
});
