/**
 * Issue 11, item 9: one list of public mail domains, Logto's own, in the provider's check and in the stand-in.
 * Logto refuses exactly the domains of `singleSignOnDomainBlackList` in logto-io/logto
 * packages/schemas/src/types/sso-connector.ts (matched exactly, after lowercasing; see
 * packages/core/src/routes/sso-connector/utils.ts `validateConnectorDomains`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ssoConnectorProvider as provider } from "../../providers/logto/ssoConnector/provider";
import { SsoConnectorInputs } from "../../providers/logto/ssoConnector/schema";
import { domainProblems, publicEmailDomains } from "../../providers/logto/validation";
import { singleSignOnDomainBlackList } from "../../local/standins/logto/public-email-domains";
import { ProviderHarness, connectorInputs, failureOf, startProviderHarness } from "./harness";

let h: ProviderHarness;
beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

function connector(domains: string[]): SsoConnectorInputs {
  return connectorInputs(h, { connectorName: `blocklist-${domains.join("-")}`, domains });
}

describe("item 9: public mail domains are Logto's list, in check and in the stand-in", () => {
  it("the provider's list is the stand-in's copy of Logto's, no domain more or less", () => {
    expect([...publicEmailDomains].sort()).toEqual([...singleSignOnDomainBlackList].sort());
  });

  it("check refuses what Logto refuses (mail.ru, sina.com, sohu.com, yanex.com) and the stand-in answers 422", async () => {
    for (const domain of ["mail.ru", "sina.com", "sohu.com", "yanex.com"]) {
      expect(domainProblems("domains", [domain])).toEqual([expect.stringContaining("public email domains")]);
      const error = await failureOf(() => provider.create(connector([domain])));
      expect(error.message).toContain("single_sign_on.forbidden_domains");
    }
  });

  it("check accepts what Logto accepts (googlemail.com, proton.me, gmx.net, me.com), and so does the stand-in", async () => {
    for (const domain of ["googlemail.com", "proton.me", "gmx.net", "me.com"]) {
      expect(domainProblems("domains", [domain])).toEqual([]);
      const created = await provider.create(connector([domain]));
      expect(h.logto.state.ssoConnectors.get(created.id)?.domains).toEqual([domain]);
    }
  });
});
