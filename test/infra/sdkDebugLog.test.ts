import { expect, it } from "vitest";
import { keepSecretsOutOfSdkDebugLog } from "../../infra/sdkDebugLog";

it("cuts RPC responses out of the SDK's debug lines, once, and passes other lines through", async () => {
  const written: string[] = [];
  const sdkLog = {
    debug: async (message: string) => {
      written.push(message);
    },
  };
  keepSecretsOutOfSdkDebugLog(sdkLog);
  keepSecretsOutOfSdkDebugLog(sdkLog);
  await sdkLog.debug("RegisterResource RPC finished: resource:app[t]; err: null, resp: urn,app-secret-value,\n");
  await sdkLog.debug("registering resource: ty=t, name=app");
  expect(written).toEqual([
    "RegisterResource RPC finished: resource:app[t]; err: null, resp: [not logged: may hold secrets]",
    "registering resource: ty=t, name=app",
  ]);
});
