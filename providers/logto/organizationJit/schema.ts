/**
 * The organization's just-in-time provisioning: the enterprise SSO connectors whose users join it on sign-in,
 * the organization roles they get, and the email domains whose verified-email sign-ups join it. Logto keeps
 * each as a set that its PUT route replaces whole (test/logto-contract/05b, 06, 07).
 */
import { inDeclaredOrder } from "../lists";
import type { OnEndpoint } from "../support";

/** What the program declares, with defaults filled. */
export interface OrganizationJitDeclared {
  organizationId: string;
  /** Ids of the enterprise SSO connectors whose users become members on their first sign-in. */
  ssoConnectorIds: string[];
  /** The organization roles (by name) those members get. */
  roles: string[];
  /** Email domains whose users join on sign-up with a verified email (not through SSO); case kept. */
  emailDomains: string[];
}

export interface OrganizationJitInputs extends OrganizationJitDeclared, OnEndpoint {}

export type OrganizationJitOutputs = OrganizationJitInputs;

/** The three sets, each behind its own PUT route. */
export const jitSets = ["ssoConnectorIds", "roles", "emailDomains"] as const;
export type JitSet = (typeof jitSets)[number];

export function label(organizationId: string): string {
  return `JIT provisioning of organization ${organizationId}`;
}

/** The live sets as Logto lists them; each kept in the declared order when it is the same set. */
export function outputsFromLive(
  live: Omit<OrganizationJitDeclared, "organizationId">,
  recorded: OnEndpoint & Pick<OrganizationJitDeclared, "organizationId"> & Partial<OrganizationJitDeclared>,
): OrganizationJitOutputs {
  return {
    organizationId: recorded.organizationId,
    ssoConnectorIds: inDeclaredOrder(live.ssoConnectorIds, recorded.ssoConnectorIds),
    roles: inDeclaredOrder(live.roles, recorded.roles),
    emailDomains: inDeclaredOrder(live.emailDomains, recorded.emailDomains),
    endpoint: recorded.endpoint,
  };
}
