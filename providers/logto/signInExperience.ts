import * as pulumi from "@pulumi/pulumi";
import { ManagementClient, managementClient } from "./client";
import { configureFromStack } from "./support";

export interface SignInExperienceSsoInputs {
  /** The value of "Enterprise SSO" in the sign-in experience while the stack exists. */
  enabled: boolean;
}

export interface SignInExperienceSsoOutputs extends SignInExperienceSsoInputs {
  /** What the tenant had before this stack touched it; put back on delete. */
  previousEnabled: boolean;
}

interface SignInExperienceRow {
  singleSignOnEnabled: boolean;
}

/** The sign-in experience is a singleton per tenant. */
const singletonId = "sign-in-exp";

async function liveValue(client: ManagementClient): Promise<boolean> {
  const { data } = await client.send<SignInExperienceRow>({
    method: "GET",
    path: "/api/sign-in-exp",
    action: "reading the sign-in experience",
  });
  return data.singleSignOnEnabled === true;
}

async function setValue(client: ManagementClient, enabled: boolean): Promise<boolean> {
  const { data } = await client.send<SignInExperienceRow>({
    method: "PATCH",
    path: "/api/sign-in-exp",
    body: { singleSignOnEnabled: enabled },
    action: `turning enterprise SSO ${enabled ? "on" : "off"} in the sign-in experience`,
  });
  return data.singleSignOnEnabled === true;
}

export const signInExperienceSsoProvider: pulumi.dynamic.ResourceProvider<
  SignInExperienceSsoInputs,
  SignInExperienceSsoOutputs
> = {
  configure: configureFromStack,

  async check(_olds, news) {
    const failures =
      news.enabled === undefined || typeof news.enabled === "boolean"
        ? []
        : [{ property: "enabled", reason: `enabled is "${String(news.enabled)}": use true or false.` }];
    return { inputs: { ...news, enabled: news.enabled ?? true }, failures };
  },

  async diff(_id, olds, news) {
    return { changes: olds.enabled !== news.enabled };
  },

  async create(inputs) {
    const client = managementClient();
    const previousEnabled = await liveValue(client);
    const enabled = previousEnabled === inputs.enabled ? previousEnabled : await setValue(client, inputs.enabled);
    return { id: singletonId, outs: { enabled, previousEnabled } };
  },

  async read(id, props) {
    const enabled = await liveValue(managementClient());
    const outs = { enabled, previousEnabled: props?.previousEnabled ?? false };
    // ReadResult types `inputs` as outputs; the engine takes them as the refreshed inputs.
    return { id, props: outs, inputs: { enabled } as SignInExperienceSsoOutputs };
  },

  async update(_id, olds, news) {
    const enabled = await setValue(managementClient(), news.enabled);
    return { outs: { enabled, previousEnabled: olds.previousEnabled } };
  },

  async delete(_id, props) {
    const client = managementClient();
    if ((await liveValue(client)) !== props.previousEnabled) await setValue(client, props.previousEnabled);
  },
};

export interface SignInExperienceSsoArgs {
  /** Default true. */
  enabled?: pulumi.Input<boolean>;
}

/**
 * The "Enterprise SSO" switch of the tenant's sign-in experience. Deleting the resource restores the
 * value found when it was created.
 */
export class SignInExperienceSso extends pulumi.dynamic.Resource {
  // `declare`: the base constructor fills these in; an ES2022 class field would reset them to undefined.
  declare public readonly enabled: pulumi.Output<boolean>;
  declare public readonly previousEnabled: pulumi.Output<boolean>;

  constructor(name: string, args: SignInExperienceSsoArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      signInExperienceSsoProvider,
      name,
      { enabled: args.enabled ?? true, previousEnabled: undefined },
      opts,
      "logto",
      "SignInExperienceSso",
    );
  }
}
