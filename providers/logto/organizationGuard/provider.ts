import * as pulumi from "@pulumi/pulumi";
import { managementClient } from "../registry";
import { configureFromStack, notice } from "../support";
import { checkOrganizationGuard, diffOrganizationGuard, liveOrganizations, reviewRemovals } from "./check";
import { OrganizationGuardInputs, OrganizationGuardOutputs, guardedIn } from "./schema";

const guardId = "organizations";

function recorded(props: Partial<OrganizationGuardInputs> | undefined): OrganizationGuardOutputs {
  return { organizations: guardedIn(props), ...(props?.endpoint !== undefined ? { endpoint: props.endpoint } : {}) };
}

export const organizationGuardProvider: pulumi.dynamic.ResourceProvider<
  OrganizationGuardInputs,
  OrganizationGuardOutputs
> = {
  configure: configureFromStack,
  check: checkOrganizationGuard,
  diff: async (_id, olds, news) => diffOrganizationGuard(olds, news),

  create: async (inputs) => ({ id: guardId, outs: recorded(inputs) }),
  read: async (id, props) => ({ id, props: recorded(props), inputs: recorded(props) }),
  update: async (_id, _olds, news) => ({ outs: recorded(news) }),

  /**
   * The record goes with the state. The guard goes before the organizations it depends on, so on `pulumi destroy`
   * (which runs no program and whose preview calls no provider) and when the program stops declaring it, this is
   * where each recorded organization's fate is said, before any of them is deleted; a kept organization's own
   * delete is never called (retainOnDelete).
   */
  async delete(_id, props) {
    (await reviewRemovals(guardedIn(props), [], liveOrganizations(managementClient(props.endpoint)))).forEach(notice);
  },
};
