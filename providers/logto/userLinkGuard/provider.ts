import * as pulumi from "@pulumi/pulumi";
import { configureFromStack } from "../support";
import { checkUserLinkGuard, diffUserLinkGuard } from "./check";
import { UserLinkGuardInputs, UserLinkGuardOutputs, guardedIn } from "./schema";

const guardId = "user-links";

export const userLinkGuardProvider: pulumi.dynamic.ResourceProvider<UserLinkGuardInputs, UserLinkGuardOutputs> = {
  configure: configureFromStack,
  check: checkUserLinkGuard,
  diff: async (_id, olds, news) => diffUserLinkGuard(olds, news),

  async create(inputs) {
    return { id: guardId, outs: { connections: guardedIn(inputs) } };
  },

  async read(id, props) {
    const outs = { connections: guardedIn(props) };
    return { id, props: outs, inputs: outs };
  },

  async update(_id, _olds, news) {
    return { outs: { connections: guardedIn(news) } };
  },

  // Nothing outside the state: the record goes with it.
  async delete() {},
};
