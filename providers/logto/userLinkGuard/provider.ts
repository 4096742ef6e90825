import * as pulumi from "@pulumi/pulumi";
import { configureFromStack, notice } from "../support";
import { liveClientIds, reviewUserLinks } from "./check";
import { UserLinkGuardInputs, UserLinkGuardOutputs, guardedIn } from "./schema";

const guardId = "user-links";

export const userLinkGuardProvider: pulumi.dynamic.ResourceProvider<UserLinkGuardInputs, UserLinkGuardOutputs> = {
  configure: configureFromStack,

  async check(olds, news) {
    const connections = guardedIn(news);
    const { refused, accepted } = await reviewUserLinks(guardedIn(olds), connections, liveClientIds());
    // Said at preview and again at up: the person running either sees what the change costs.
    accepted.forEach(notice);
    return { inputs: { connections }, failures: refused.map((reason) => ({ property: "", reason })) };
  },

  async diff(_id, olds, news) {
    // The opt-in matters only to the change it is set for: turning it on or off is no update of the record.
    const record = (props: Partial<UserLinkGuardInputs>) =>
      JSON.stringify(guardedIn(props).map(({ allowUserRelink: _optIn, ...rest }) => rest));
    return { changes: record(olds) !== record(news) };
  },

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
