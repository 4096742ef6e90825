import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { signInExperienceSsoProvider as provider } from "../../providers/logto/signInExperience";
import { ProviderHarness, startProviderHarness, writeCalls } from "./harness";

let h: ProviderHarness;

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

it("turns enterprise SSO on and puts back the previous value on delete", async () => {
  h.logto.state.signInExperience.singleSignOnEnabled = false;
  const created = await provider.create({ enabled: true });
  expect(h.logto.state.signInExperience.singleSignOnEnabled).toBe(true);
  expect(created.outs).toEqual({ enabled: true, previousEnabled: false });
  await provider.delete!(created.id, created.outs!);
  expect(h.logto.state.signInExperience.singleSignOnEnabled).toBe(false);
});

it("leaves a tenant that already had SSO on as it was", async () => {
  h.logto.state.signInExperience.singleSignOnEnabled = true;
  const created = await provider.create({ enabled: true });
  await provider.delete!(created.id, created.outs!);
  expect(h.logto.state.signInExperience.singleSignOnEnabled).toBe(true);
  expect(writeCalls(h.logto)).toEqual([]);
});

it("sees the switch turned off by hand and turns it back on", async () => {
  const created = await provider.create({ enabled: true });
  h.logto.state.signInExperience.singleSignOnEnabled = false;
  const read = await provider.read!(created.id, created.outs);
  expect(read.props?.enabled).toBe(false);
  expect((await provider.diff!(created.id, read.props!, { enabled: true })).changes).toBe(true);
  await provider.update!(created.id, read.props!, { enabled: true });
  expect(h.logto.state.signInExperience.singleSignOnEnabled).toBe(true);
});
