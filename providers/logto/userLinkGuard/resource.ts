import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { userLinkGuardProvider } from "./provider";
import type { GuardedConnection } from "./schema";

export interface UserLinkGuardArgs {
  connections: GuardedConnection[];
}

/**
 * The record of what each connection's users are keyed on. Declare it before the connections and make each
 * connection's first resources (its azuread provider, its connector) depend on it.
 */
export class UserLinkGuard extends ReferencedDynamicResource {
  constructor(name: string, args: UserLinkGuardArgs, opts?: pulumi.CustomResourceOptions) {
    super(userLinkGuardProvider, name, { connections: args.connections }, opts, "logto", "UserLinkGuard");
  }
}
