import * as pulumi from "@pulumi/pulumi";
import { expect, it } from "vitest";
import { applicationProvider } from "../../providers/logto/application";
import { signInExperienceSsoProvider } from "../../providers/logto/signInExperience";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector";
import { ProviderHarness, startProviderHarness } from "./harness";

it("serialises every provider without credentials, with axios as a require", async () => {
  const h: ProviderHarness = await startProviderHarness();
  try {
    // Credentials are configured in this process (as the engine's configure would), and in the env.
    process.env.LOGTO_M2M_APP_SECRET = h.logto.m2mAppSecret;
    for (const provider of [ssoConnectorProvider, applicationProvider, signInExperienceSsoProvider]) {
      const serialized = await pulumi.runtime.serializeFunction(() => provider);
      expect(serialized.text).not.toContain(h.logto.m2mAppSecret);
      expect(serialized.text).not.toContain(h.logto.m2mAppId);
      expect(serialized.text).not.toContain(h.logto.url);
      expect(serialized.text).toMatch(/require\("axios[^"]*"\)/);
    }
  } finally {
    delete process.env.LOGTO_M2M_APP_SECRET;
    await h.close();
  }
});
