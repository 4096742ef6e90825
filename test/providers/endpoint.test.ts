/**
 * Issue 11, item 4: the Logto a resource lives at is part of the resource. Each resource records the endpoint
 * it was made at; a different configured endpoint is a replacement, and read/delete go to the recorded one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applicationProvider } from "../../providers/logto/application";
import { applicationSecretProvider } from "../../providers/logto/applicationSecret";
import { signInExperienceSsoProvider } from "../../providers/logto/signInExperience";
import { SsoConnectorOutputs, ssoConnectorProvider } from "../../providers/logto/ssoConnector";
import { LogtoStandIn, startLogtoStandIn } from "../standins/logto";
import { ProviderHarness, calls, connectorInputs, failureOf, startProviderHarness, writeCalls } from "./harness";

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

describe("item 4: the endpoint is recorded and decides replacement", () => {
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

  it("a changed endpoint is a replacement (delete first: names are unique in one Logto)", async () => {
    const created = await ssoConnectorProvider.create(connectorInputs(h));
    const diff = await ssoConnectorProvider.diff!(
      created.id,
      created.outs as SsoConnectorOutputs,
      connectorInputs(h, { endpoint: second.url }),
    );
    expect(diff).toMatchObject({ changes: true, replaces: ["endpoint"], deleteBeforeReplace: true });
    expect(
      (await ssoConnectorProvider.diff!(created.id, created.outs as SsoConnectorOutputs, connectorInputs(h))).changes,
    ).toBe(false);
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
