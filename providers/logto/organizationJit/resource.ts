import type * as pulumi from "@pulumi/pulumi";
import { logtoResourceClass } from "../logtoResource";
import { organizationJitProvider } from "./provider";
import type { OrganizationJitOutputs } from "./schema";

export interface OrganizationJitArgs {
  organizationId: pulumi.Input<string>;
  /** Enterprise SSO connectors (ids) whose users become members on their first sign-in. */
  ssoConnectorIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Organization roles (names) those new members get. */
  roles?: pulumi.Input<pulumi.Input<string>[]>;
  /** Email domains whose verified-email sign-ups join too (not SSO sign-ins). */
  emailDomains?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * An organization's just-in-time provisioning, each set replaced whole. Deleting it unlinks (empties the sets)
 * and keeps the organization and its members.
 */
export class OrganizationJit extends logtoResourceClass<OrganizationJitArgs, Omit<OrganizationJitOutputs, "endpoint">>(
  organizationJitProvider,
  "OrganizationJit",
  (args) => ({
    organizationId: args.organizationId,
    ssoConnectorIds: args.ssoConnectorIds ?? [],
    roles: args.roles ?? [],
    emailDomains: args.emailDomains ?? [],
  }),
  { outputs: ["endpoint"] },
) {}
