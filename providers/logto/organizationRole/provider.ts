import type { ManagementClient } from "../client";
import { allPages } from "../lists";
import { patchChanged } from "../organizationFields";
import { idsByName, templateLabel, templateProvider } from "../organizationTemplate";
import { organizationRoleUsage } from "../templateUsage";
import { notice, sameStringSet } from "../support";
import { changedFields, checkFailures, withDefaults } from "./check";
import {
  OrganizationRoleInputs,
  OrganizationRoleOutputs,
  OrganizationRoleRow,
  outputsFromRow,
  requestBody,
} from "./schema";

const noun = "organization role";
const label = (name: string) => templateLabel(noun, name);

/** The role of this name with its scopes (`q` is a substring search; names are unique). */
async function findRoleByName(client: ManagementClient, name: string) {
  const action = `looking up ${label(name)}`;
  const rows = await allPages(client, { method: "GET", path: "/api/organization-roles", query: { q: name }, action });
  return rows.find((row) => row.name === name);
}

/** The ids of the scopes named, or an error naming every one the tenant does not have. */
function scopeIdsOf(client: ManagementClient, names: string[], action: string): Promise<string[]> {
  const declare = "OrganizationScope) before the roles that grant it";
  return idsByName(client, "/api/organization-scopes", names, "organization scope", declare, action);
}

export const organizationRoleProvider = templateProvider<
  OrganizationRoleInputs,
  OrganizationRoleOutputs,
  OrganizationRoleRow
>({
  noun,
  path: "/api/organization-roles/{id}",
  idOutput: "roleId",
  withDefaults,
  checkFailures,
  changedFields,
  cost: {
    move: "members holding the role there keep it there; the organizations of this stack get the new role as JIT default.",
    deletion: "no organization of the tenant has it as JIT default role or a member holding it.",
  },
  usage: organizationRoleUsage,

  // GET by id answers a missing role 404 `entity.not_found` (test/logto-contract/03q), which ifPresent knows.
  async get(client, id, action) {
    const params = { id };
    const { data: row } = await client.send({ method: "GET", path: "/api/organization-roles/{id}", params, action });
    const path = "/api/organization-roles/{id}/scopes";
    const scopes = await allPages(client, { method: "GET", path, params, action });
    return { ...row, scopes };
  },

  find: findRoleByName,

  async create(client, inputs, action) {
    const scopeIds = await scopeIdsOf(client, inputs.scopes, action);
    const made = await client.createOnce(
      { method: "POST", path: "/api/organization-roles", body: requestBody(inputs, scopeIds), action },
      () => findRoleByName(client, inputs.name),
    );
    return { ...made, scopes: inputs.scopes.map((name, index) => ({ id: scopeIds[index], name })) };
  },

  usedAsItIs(row, inputs) {
    const scopeNames = row.scopes.map((scope) => scope.name);
    if (sameStringSet(scopeNames, inputs.scopes)) return;
    notice(
      `${label(inputs.name)} exists already (made by another stack or in the Logto console) and grants ${scopeNames.join(", ") || "no scope"}; this stack uses it as it is and does not change its scopes (declared: ${inputs.scopes.join(", ") || "none"}).`,
    );
  },

  async update(client, id, { olds, news, changed, action, what }) {
    const scopesChanged = changed.includes("scopes");
    // Resolved before anything is sent: an unknown scope changes nothing.
    const scopeIds = scopesChanged ? await scopeIdsOf(client, news.scopes, action) : [];
    const fields = changed.filter((field) => field !== "scopes");
    const body = requestBody(news, scopeIds);
    const row =
      fields.length > 0
        ? await patchChanged(
            client,
            { path: "/api/organization-roles/{id}", params: { id }, body, action },
            fields,
            what,
          )
        : { id, name: olds.name, description: olds.description };
    if (scopesChanged) {
      // Replaces the role's scopes whole (test/logto-contract/03h).
      const path = "/api/organization-roles/{id}/scopes";
      await client.send({ method: "PUT", path, params: { id }, body: { organizationScopeIds: scopeIds }, action });
    }
    return { ...row, scopes: (scopesChanged ? news.scopes : olds.scopes).map((name) => ({ name })) };
  },

  flatten: outputsFromRow,
});
