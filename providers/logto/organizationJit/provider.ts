import type * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { apiError, isLogtoApiError } from "../errors";
import { idsByName } from "../organizationTemplate";
import { organizationExists } from "../organization/schema";
import { allPages } from "../lists";
import { managementClient } from "../registry";
import {
  checkWith,
  configureFromStack,
  containsUnknown,
  diffWithEndpoint,
  ifPresent,
  isPresent,
  readResult,
} from "../support";
import { changedSets, checkFailures, withDefaults } from "./check";
import {
  JitSet,
  OrganizationJitDeclared,
  OrganizationJitInputs,
  OrganizationJitOutputs,
  jitSets,
  label,
  outputsFromLive,
} from "./schema";

/** The live sets; a missing organization answers its lists 404 `entity.not_exists_with_id` (test/logto-contract/05h). */
async function liveSets(client: ManagementClient, id: string, action: string) {
  const request = { method: "GET", params: { id }, action } as const;
  const [connectors, roles, domains] = await Promise.all([
    allPages(client, { ...request, path: "/api/organizations/{id}/jit/sso-connectors" }),
    allPages(client, { ...request, path: "/api/organizations/{id}/jit/roles" }),
    allPages(client, { ...request, path: "/api/organizations/{id}/jit/email-domains" }),
  ]);
  return {
    ssoConnectorIds: connectors.map((row) => row.id),
    roles: roles.map((row) => row.name),
    emailDomains: domains.map((row) => row.emailDomain),
  };
}

/** The ids of the organization roles named, or an error naming every one the tenant does not have. */
function roleIdsOf(client: ManagementClient, names: string[], action: string): Promise<string[]> {
  const declare = "OrganizationRole) before the organizations that give it";
  return idsByName(client, "/api/organization-roles", names, "organization role", declare, action);
}

/**
 * Logto refuses a whole set with 422 `entity.relation_foreign_key_not_found` when the organization or one of
 * the ids does not exist, and keeps the old set (test/logto-contract/05d, 05e, 05g): say which.
 */
async function explainMissing(
  client: ManagementClient,
  error: unknown,
  declared: OrganizationJitDeclared,
  set: JitSet,
): Promise<unknown> {
  if (!isLogtoApiError(error) || error.code !== "entity.relation_foreign_key_not_found") return error;
  const action = `looking up what ${label(declared.organizationId)} refers to`;
  if (!(await organizationExists(client, declared.organizationId, action))) {
    return apiError(
      `${error.message} Organization ${declared.organizationId} does not exist in Logto (deleted outside this stack?): run \`pulumi refresh\`, then \`pulumi up\`.`,
      error,
    );
  }
  if (set !== "ssoConnectorIds") return error;
  const missing: string[] = [];
  for (const id of declared.ssoConnectorIds) {
    if (!(await isPresent(client, { method: "GET", path: "/api/sso-connectors/{id}", params: { id }, action }))) {
      missing.push(id);
    }
  }
  return apiError(
    `${error.message} No SSO connector has the id ${missing.join(", ") || "(none found missing; one was deleted meanwhile)"}: the set was left as it was.`,
    error,
  );
}

/** Replaces each set named by the declared one, with its own PUT. */
async function putSets(client: ManagementClient, declared: OrganizationJitDeclared, sets: JitSet[]): Promise<void> {
  const params = { id: declared.organizationId };
  for (const set of sets) {
    const action = `setting ${label(declared.organizationId)} (${set})`;
    try {
      if (set === "ssoConnectorIds") {
        const body = { ssoConnectorIds: declared.ssoConnectorIds };
        await client.send({ method: "PUT", path: "/api/organizations/{id}/jit/sso-connectors", params, body, action });
      } else if (set === "roles") {
        const body = { organizationRoleIds: await roleIdsOf(client, declared.roles, action) };
        await client.send({ method: "PUT", path: "/api/organizations/{id}/jit/roles", params, body, action });
      } else {
        const body = { emailDomains: declared.emailDomains };
        await client.send({ method: "PUT", path: "/api/organizations/{id}/jit/email-domains", params, body, action });
      }
    } catch (error) {
      throw await explainMissing(client, error, declared, set);
    }
  }
}

export const organizationJitProvider: pulumi.dynamic.ResourceProvider<OrganizationJitInputs, OrganizationJitOutputs> = {
  configure: configureFromStack,

  check: checkWith(withDefaults, checkFailures),

  async diff(id, olds, news) {
    // Another organization's settings: set there, and this one's cleared.
    const replaces = olds.organizationId !== news.organizationId ? ["organizationId"] : [];
    const changed = containsUnknown(news) || changedSets(olds, news).length > 0;
    return diffWithEndpoint(
      olds,
      news,
      { replaces, changed },
      {
        what: label(id),
        cost: "the organization itself is made anew there: this stack's Organization resource says what that costs.",
        heldBy: (client) => organizationExists(client, id, `looking up organization ${id} at ${client.endpoint}`),
      },
    );
  },

  /**
   * Three PUTs, each replacing a whole set (whatever was set before this stack managed it too): sent again after
   * a lost answer, they change nothing more.
   */
  async create(inputs) {
    await putSets(managementClient(), inputs, [...jitSets]);
    return { id: inputs.organizationId, outs: { ...inputs } };
  },

  async read(id, props) {
    const client = managementClient(props?.endpoint);
    const live = await ifPresent(() => liveSets(client, id, `reading ${label(id)}`));
    const outs = live && outputsFromLive(live, { ...props, organizationId: id, endpoint: client.endpoint });
    return readResult(id, outs, []);
  },

  async update(_id, olds, news) {
    await putSets(managementClient(), news, changedSets(olds, news));
    return { outs: { ...news } };
  },

  /** Unlinks: the organization stays, no connector's users join it any more. */
  async delete(id, props) {
    const client = managementClient(props.endpoint);
    if (!(await organizationExists(client, id, `looking up organization ${id}`))) return;
    await putSets(client, { organizationId: id, ssoConnectorIds: [], roles: [], emailDomains: [] }, [...jitSets]);
  },
};
