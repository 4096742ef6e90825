/** The JIT settings' check and diff: defaults, what Logto would refuse, which sets changed. */
import type * as pulumi from "@pulumi/pulumi";
import { duplicateFailures } from "../organizationFields";
import { configuredEndpoint, containsUnknown, sameStringSet } from "../support";
import { JitSet, OrganizationJitInputs, jitSets } from "./schema";

/** organization_jit_email_domains.email_domain is varchar(128). */
const emailDomainLimit = 128;

export function withDefaults(news: Partial<OrganizationJitInputs>): OrganizationJitInputs {
  return {
    ...news,
    organizationId: news.organizationId ?? "",
    ssoConnectorIds: news.ssoConnectorIds ?? [],
    roles: news.roles ?? [],
    emailDomains: news.emailDomains ?? [],
    endpoint: configuredEndpoint(),
  };
}

export function checkFailures(news: OrganizationJitInputs): pulumi.dynamic.CheckFailure[] {
  const failures = jitSets.flatMap((set) => duplicateFailures(set, news[set]));
  if (!containsUnknown(news.organizationId) && news.organizationId === "") {
    failures.push({ property: "organizationId", reason: "organizationId is empty: give the organization's id." });
  }
  if (!containsUnknown(news.emailDomains)) {
    news.emailDomains.forEach((domain, index) => {
      if (domain === "" || domain.length > emailDomainLimit) {
        failures.push({
          property: "emailDomains",
          reason: `emailDomains[${index}] is ${domain === "" ? "empty" : `${domain.length} characters long`}: Logto takes 1 to ${emailDomainLimit} characters.`,
        });
      }
    });
  }
  return failures;
}

export function changedSets(olds: Partial<OrganizationJitInputs>, news: OrganizationJitInputs): JitSet[] {
  return jitSets.filter((set) => !sameStringSet(olds[set] ?? [], news[set]));
}
