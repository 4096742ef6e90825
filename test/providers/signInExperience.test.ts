import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signInExperienceSsoProvider as provider } from "../../providers/logto/signInExperience/provider";
import { SignInExperienceSsoOutputs } from "../../providers/logto/signInExperience/schema";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector/provider";
import { ProviderHarness, connectorInputs, noticesDuring, startProviderHarness, writeCalls } from "./harness";

let h: ProviderHarness;

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

async function deleteSaying(outs: SignInExperienceSsoOutputs): Promise<string[]> {
  return noticesDuring(() => provider.delete!("sign-in-exp", outs));
}

/** A connector some stack made (the switch's own stack deletes its connectors before the switch). */
async function connectorOfAnotherStack(connectorName: string) {
  return ssoConnectorProvider.create(connectorInputs(h, { connectorName, domains: [`${connectorName}.example`] }));
}

it("turns enterprise SSO on", async () => {
  h.logto.state.signInExperience.singleSignOnEnabled = false;
  const created = await provider.create({ enabled: true, endpoint: h.logto.url });
  expect(h.logto.state.signInExperience.singleSignOnEnabled).toBe(true);
  expect(created.outs).toEqual({ enabled: true, endpoint: h.logto.url });
});

it("sees the switch turned off by hand and turns it back on", async () => {
  const created = await provider.create({ enabled: true, endpoint: h.logto.url });
  h.logto.state.signInExperience.singleSignOnEnabled = false;
  const read = await provider.read!(created.id, created.outs);
  expect(read.props?.enabled).toBe(false);
  expect((await provider.diff!(created.id, read.props!, { enabled: true, endpoint: h.logto.url })).changes).toBe(true);
  await provider.update!(created.id, read.props!, { enabled: true, endpoint: h.logto.url });
  expect(h.logto.state.signInExperience.singleSignOnEnabled).toBe(true);
});

describe("item 2: the tenant-wide switch is not one stack's to restore", () => {
  it("delete turns it off only when no enterprise SSO connector is left in the tenant, and says so", async () => {
    h.logto.state.signInExperience.singleSignOnEnabled = false;
    const created = await provider.create({ enabled: true, endpoint: h.logto.url });
    const said = await deleteSaying(created.outs as SignInExperienceSsoOutputs);
    expect(h.logto.state.signInExperience.singleSignOnEnabled).toBe(false);
    expect(said).toEqual([expect.stringMatching(/turned enterprise SSO off.*no enterprise SSO connector is left/)]);
  });

  it("destroying one of two stacks leaves SSO on for the other, whatever the first one found when it was made", async () => {
    h.logto.state.signInExperience.singleSignOnEnabled = false;
    // Stack A (dev) is made first and finds SSO off; stack B (test-1) is made next and finds it on.
    const dev = await provider.create({ enabled: true, endpoint: h.logto.url });
    await connectorOfAnotherStack("dev-contoso");
    const test1 = await provider.create({ enabled: true, endpoint: h.logto.url });
    // dev's destroy deleted its connectors; test-1's connector still needs SSO.
    h.logto.state.ssoConnectors.clear();
    await connectorOfAnotherStack("test1-contoso");
    h.logto.requests.length = 0;
    const said = await deleteSaying(dev.outs as SignInExperienceSsoOutputs);
    expect(h.logto.state.signInExperience.singleSignOnEnabled).toBe(true);
    expect(writeCalls(h.logto)).toEqual([]);
    expect(said).toEqual([
      expect.stringMatching(/left enterprise SSO on .*: 1 enterprise SSO connector.*"test1-contoso"/),
    ]);
    expect(test1.outs).toEqual({ enabled: true, endpoint: h.logto.url });
  });

  it("never turns on what it did not: a stack that declared enabled: false leaves the switch on delete", async () => {
    h.logto.state.signInExperience.singleSignOnEnabled = true;
    const created = await provider.create({ enabled: false, endpoint: h.logto.url });
    h.logto.state.signInExperience.singleSignOnEnabled = true;
    h.logto.requests.length = 0;
    await deleteSaying(created.outs as SignInExperienceSsoOutputs);
    expect(writeCalls(h.logto)).toEqual([]);
  });
});
