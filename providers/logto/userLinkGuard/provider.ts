import * as pulumi from "@pulumi/pulumi";
import { configureFromStack } from "../support";
import { checkUserLinkGuard, diffUserLinkGuard, recordDigest } from "./check";
import { UserLinkGuardInputs, UserLinkGuardOutputs, UserLinkGuardRecord } from "./schema";

const guardId = "user-links";

/** Inputs: the program's connections at check, the record `check` returns after it. No read: refresh keeps both. */
export const userLinkGuardProvider: pulumi.dynamic.ResourceProvider<
  UserLinkGuardInputs | UserLinkGuardRecord,
  UserLinkGuardOutputs
> = {
  configure: configureFromStack,
  // check's news are always the program's args; a record is only ever what check returned.
  check: (olds, news) => checkUserLinkGuard(olds, news as UserLinkGuardInputs),
  diff: async (_id, olds, news) => diffUserLinkGuard(olds, news),

  create: async (inputs) => ({ id: guardId, outs: { recordDigest: recordDigest(inputs) } }),
  update: async (_id, _olds, news) => ({ outs: { recordDigest: recordDigest(news) } }),

  // Nothing outside the state: the record goes with it.
  async delete() {},
};
