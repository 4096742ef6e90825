import * as pulumi from "@pulumi/pulumi";
import { configureFromStack } from "../support";
import { checkUserLinkGuard, diffUserLinkGuard } from "./check";
import { UserLinkGuardInputs, UserLinkGuardRecord, guardedIn, recorded } from "./schema";

const guardId = "user-links";

/** Inputs: the program's connections at check, the record `check` returns after it. */
export const userLinkGuardProvider: pulumi.dynamic.ResourceProvider<
  UserLinkGuardInputs | UserLinkGuardRecord,
  UserLinkGuardRecord
> = {
  configure: configureFromStack,
  // check's news are always the program's args; a record is only ever what check returned.
  check: (olds, news) => checkUserLinkGuard(olds, news as UserLinkGuardInputs),
  diff: async (_id, olds, news) => diffUserLinkGuard(olds, news),

  async create(inputs) {
    return { id: guardId, outs: { connections: guardedIn(inputs).map(recorded) } };
  },

  async read(id, props) {
    const outs = { connections: guardedIn(props) };
    return { id, props: outs, inputs: outs };
  },

  async update(_id, _olds, news) {
    return { outs: { connections: guardedIn(news).map(recorded) } };
  },

  // Nothing outside the state: the record goes with it.
  async delete() {},
};
