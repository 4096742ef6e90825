import * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { managementClient } from "../registry";
import { MovingObject, configureFromStack, diffWithEndpoint, notice } from "../support";
import { checkSignInExperienceSso } from "./check";
import { SignInExperienceSsoInputs, SignInExperienceSsoOutputs } from "./schema";

/** The sign-in experience is a singleton per tenant. */
const singletonId = "sign-in-exp";

async function liveValue(client: ManagementClient): Promise<boolean> {
  const action = "reading the sign-in experience";
  const { data } = await client.send({ method: "GET", path: "/api/sign-in-exp", action });
  return data.singleSignOnEnabled === true;
}

async function setValue(client: ManagementClient, enabled: boolean): Promise<boolean> {
  const action = `turning enterprise SSO ${enabled ? "on" : "off"} in the sign-in experience`;
  const body = { singleSignOnEnabled: enabled };
  const { data } = await client.send({ method: "PATCH", path: "/api/sign-in-exp", body, action });
  return data.singleSignOnEnabled === true;
}

/**
 * The switch at another endpoint. It has no id: the same tenant is told by its OIDC signing keys, which both
 * addresses of one tenant publish and no other tenant has. When the recorded address no longer answers, the
 * switch (a singleton that costs nobody anything to set) is moved in place.
 */
function movingSwitch(olds: Partial<SignInExperienceSsoInputs>): MovingObject {
  return {
    what: `the Enterprise SSO switch of the sign-in experience at ${olds.endpoint}`,
    cost: "the switch is turned on at the new Logto and, once no connector is left at the old one, off there.",
    async heldBy(client) {
      const [recorded, configured] = await Promise.all([
        managementClient(olds.endpoint).signingKeys(),
        client.signingKeys(),
      ]);
      if (recorded === undefined) return true;
      if (configured === undefined) {
        throw new Error(
          `Logto: ${client.endpoint}/oidc/jwks (logto:endpoint) did not answer with signing keys, so the stack cannot tell whether it is the Logto at ${olds.endpoint}: check logto:endpoint.`,
        );
      }
      return configured.some((key) => recorded.includes(key));
    },
  };
}

/**
 * Turns the switch off only when the tenant has no enterprise SSO connector left: other stacks (dev, staging)
 * share it. The stack's own connectors depend on the switch, so they are gone by the time it is deleted.
 */
async function turnOffWhenUnused(client: ManagementClient): Promise<void> {
  const action = "looking up the enterprise SSO connectors left in the tenant";
  const { data: connectors } = await client.send({ method: "GET", path: "/api/sso-connectors", action });
  if (connectors.length > 0) {
    const names = connectors.map((row) => `"${row.connectorName}"`).join(", ");
    notice(
      `left enterprise SSO on in the sign-in experience of ${client.endpoint}: ${connectors.length} enterprise SSO connector(s) still use it (${names}).`,
    );
    return;
  }
  if (await liveValue(client)) await setValue(client, false);
  notice(
    `turned enterprise SSO off in the sign-in experience of ${client.endpoint}: no enterprise SSO connector is left in the tenant.`,
  );
}

export const signInExperienceSsoProvider: pulumi.dynamic.ResourceProvider<
  SignInExperienceSsoInputs,
  SignInExperienceSsoOutputs
> = {
  configure: configureFromStack,

  check: async (_olds, news) => checkSignInExperienceSso(news),

  async diff(_id, olds, news) {
    const diff = await diffWithEndpoint(olds, news, { changed: olds.enabled !== news.enabled }, movingSwitch(olds));
    return { ...diff, deleteBeforeReplace: diff.replaces.length > 0 };
  },

  async create(inputs) {
    const client = managementClient();
    const live = await liveValue(client);
    const enabled = live === inputs.enabled ? live : await setValue(client, inputs.enabled);
    return { id: singletonId, outs: { enabled, endpoint: inputs.endpoint } };
  },

  async read(id, props) {
    const client = managementClient(props?.endpoint);
    const outs = { enabled: await liveValue(client), endpoint: client.endpoint };
    return { id, props: outs, inputs: outs };
  },

  /** Runs at the configured endpoint: the same Logto when the endpoint changed (diff checked). */
  async update(_id, olds, news) {
    const client = managementClient();
    const enabled = olds.enabled === news.enabled ? olds.enabled : await setValue(client, news.enabled);
    return { outs: { enabled, endpoint: news.endpoint } };
  },

  async delete(_id, props) {
    // A stack that never turned SSO on has nothing to take back.
    if (props.enabled === false) return;
    await turnOffWhenUnused(managementClient(props.endpoint));
  },
};
