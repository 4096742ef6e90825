import * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { isLogtoApiError, troubleshootingLink } from "../errors";
import { managementClient } from "../registry";
import { configureFromStack, diffWithEndpoint, MovingObject, ifPresent, notice, readOrGone } from "../support";
import { checkApplicationSecret } from "./check";
import { ApplicationSecretInputs, ApplicationSecretOutputs, SecretRow, label } from "./schema";

/** The secret Logto gives every new Traditional application; nobody outside the console knows it. */
const logtoDefaultSecretName = "Default secret";

type SecretName = Pick<ApplicationSecretInputs, "applicationId" | "name">;

async function findSecret(client: ManagementClient, inputs: SecretName): Promise<SecretRow | undefined> {
  const params = { id: inputs.applicationId };
  const action = `looking up ${label(inputs)}`;
  const { data } = await client.send({ method: "GET", path: "/api/applications/{id}/secrets", params, action });
  return data.find((row) => row.name === inputs.name);
}

/** Deletes the application's secret of this name; one gone already counts as deleted. */
function deleteSecret(client: ManagementClient, secret: SecretName, action: string): Promise<void> {
  const params = { id: secret.applicationId, name: secret.name };
  return client.deleteIfPresent({ path: "/api/applications/{id}/secrets/{name}", params, action });
}

/** A secret at another endpoint: the same tenant holds it, the same value under the same name. */
function movingSecret(olds: ApplicationSecretOutputs): MovingObject {
  return {
    what: label(olds),
    cost: "a new application secret, given to the sample app in the same run.",
    async heldBy(client) {
      return (await ifPresent(() => findSecret(client, olds)))?.value === olds.value;
    },
  };
}

/** A secret of the name exists and this stack did not make it: say so without touching it. */
function notOursError(inputs: ApplicationSecretInputs): Error {
  return new Error(
    `Logto: creating ${label(inputs)} failed: a secret of this name exists already and was not made by this stack (made in the console or by another stack?); it is left alone. Delete or rename it in the Logto console (Applications > the application > Secrets), or set sampleApp.appSecretVersion to another value, then run \`pulumi up\` (${troubleshootingLink("application.secret_name_exists")}).`,
  );
}

export const applicationSecretProvider: pulumi.dynamic.ResourceProvider<
  ApplicationSecretInputs,
  ApplicationSecretOutputs
> = {
  configure: configureFromStack,

  check: async (_olds, news) => checkApplicationSecret(news),

  /**
   * Everything that identifies the secret replaces it; the engine makes the new one before deleting the old. A
   * changed endpoint of the same Logto is an update that only records it.
   */
  async diff(_id, olds, news) {
    const replaces = (["applicationId", "name"] as const).filter((key) => olds[key] !== news[key]);
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
    return diffWithEndpoint(olds, news, { changed: false }, movingSecret(olds));
  },

  async create(inputs) {
    const client = managementClient();
    // Before the new secret, so a failure leaves nothing half made: the next up simply tries again.
    if (inputs.removeDefaultSecret) {
      const action = `deleting Logto's "${logtoDefaultSecretName}" of application ${inputs.applicationId}`;
      await deleteSecret(client, { applicationId: inputs.applicationId, name: logtoDefaultSecretName }, action);
    }
    const id = `${inputs.applicationId}/${inputs.name}`;
    // Looked up first, so that a secret found after a lost answer is known to be the one this create made.
    const existing = await findSecret(client, inputs);
    if (existing) throw notOursError(inputs);
    try {
      const row = await client.createOnce(
        {
          method: "POST",
          path: "/api/applications/{id}/secrets",
          params: { id: inputs.applicationId },
          body: { name: inputs.name },
          action: `creating ${label(inputs)}`,
        },
        () => findSecret(client, inputs),
      );
      return { id, outs: { ...inputs, value: row.value } };
    } catch (error) {
      // Made by someone else since the lookup.
      if (isLogtoApiError(error) && error.code === "application.secret_name_exists") throw notOursError(inputs);
      throw error;
    }
  },

  /** Only a changed endpoint of the same Logto comes here (anything else replaces): record it. */
  async update(_id, olds, news) {
    return { outs: { ...olds, ...news, value: olds.value } };
  },

  async read(id, props) {
    return readOrGone(
      id,
      props,
      (recorded) => findSecret(managementClient(recorded.endpoint), recorded),
      (row, recorded) => ({ ...recorded, value: row.value }),
      ["value"],
    );
  },

  /** Only the secret this resource made: one of the name with another value (made again by hand) is left. */
  async delete(_id, props) {
    const client = managementClient(props.endpoint);
    const live = await ifPresent(() => findSecret(client, props));
    if (!live) return;
    if (live.value !== props.value) {
      notice(
        `${label(props)} was left in Logto: its value is not the one this stack made (it was deleted and made again outside the stack?), so it is not this stack's to delete.`,
      );
      return;
    }
    await deleteSecret(client, props, `deleting ${label(props)}`);
  },
};
