import type * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { patchOrExplain } from "../organizationFields";
import { createOrUse, deleteIfOwned, idsByName, templateDiff } from "../organizationTemplate";
import { allPages } from "../lists";
import { organizationRoleUsage } from "../templateUsage";
import { managementClient } from "../registry";
import { configureFromStack, ifPresent, notice, readResult, sameStringSet } from "../support";
import { changedFields, checkFailures, withDefaults } from "./check";
import {
  OrganizationRoleInputs,
  OrganizationRoleOutputs,
  OrganizationRoleRow,
  label,
  outputsFromRow,
  requestBody,
} from "./schema";

function getRole(client: ManagementClient, id: string, action: string): Promise<OrganizationRoleRow> {
  return client
    .send({ method: "GET", path: "/api/organization-roles/{id}", params: { id }, action })
    .then((r) => r.data);
}

async function scopeNamesOf(client: ManagementClient, id: string, action: string): Promise<string[]> {
  const rows = await allPages(client, {
    method: "GET",
    path: "/api/organization-roles/{id}/scopes",
    params: { id },
    action,
  });
  return rows.map((row) => row.name);
}

/** The role of this name with its scopes (`q` is a substring search; names are unique). */
export async function findRoleByName(client: ManagementClient, name: string) {
  const rows = await allPages(client, {
    method: "GET",
    path: "/api/organization-roles",
    query: { q: name },
    action: `looking up ${label(name)}`,
  });
  return rows.find((row) => row.name === name);
}

/** The ids of the scopes named, or an error naming every one the tenant does not have. */
async function scopeIdsOf(client: ManagementClient, names: string[], action: string): Promise<string[]> {
  if (names.length === 0) return [];
  const scopes = await allPages(client, { method: "GET", path: "/api/organization-scopes", action });
  return idsByName(scopes, names, "organization scope", "OrganizationScope) before the roles that grant it", action);
}

export const organizationRoleProvider: pulumi.dynamic.ResourceProvider<
  OrganizationRoleInputs,
  OrganizationRoleOutputs
> = {
  configure: configureFromStack,

  async check(_olds, news) {
    const inputs = withDefaults(news);
    return { inputs, failures: checkFailures(inputs) };
  },

  async diff(id, olds, news) {
    // Another maker's role under another name is another role: used anew, this one left alone.
    return templateDiff(id, olds, news, {
      what: label(olds.name ?? id),
      cost: "members holding the role there keep it there; the organizations of this stack get the new role as JIT default.",
      changed: changedFields(olds, news),
      exists: async (client) =>
        (await ifPresent(() => getRole(client, id, `looking up ${label(olds.name ?? id)}`))) !== undefined,
    });
  },

  async create(inputs) {
    const client = managementClient();
    const action = `creating ${label(inputs.name)}`;
    const { row, ownership } = await createOrUse(
      () => findRoleByName(client, inputs.name),
      async () => {
        const scopeIds = await scopeIdsOf(client, inputs.scopes, action);
        const made = await client.createOnce(
          { method: "POST", path: "/api/organization-roles", body: requestBody(inputs, scopeIds), action },
          () => findRoleByName(client, inputs.name),
        );
        return { ...made, scopes: inputs.scopes.map((name, index) => ({ id: scopeIds[index], name })) };
      },
    );
    const scopeNames = row.scopes.map((scope) => scope.name);
    if (ownership === "external" && !sameStringSet(scopeNames, inputs.scopes)) {
      notice(
        `${label(inputs.name)} exists already (made by another stack or in the Logto console) and grants ${scopeNames.join(", ") || "no scope"}; this stack uses it as it is and does not change its scopes (declared: ${inputs.scopes.join(", ") || "none"}).`,
      );
    }
    return { id: row.id, outs: outputsFromRow(row, scopeNames, { ...inputs, ownership }) };
  },

  async read(id, props) {
    const endpoint = props?.endpoint ?? managementClient().endpoint;
    const client = managementClient(endpoint);
    const action = `reading organization role ${id}`;
    // GET by id answers a missing role 404 `entity.not_found` (test/logto-contract/03q), which ifPresent knows.
    const found = await ifPresent(async () => ({
      row: await getRole(client, id, action),
      scopes: await scopeNamesOf(client, id, action),
    }));
    const outs =
      found &&
      outputsFromRow(found.row, found.scopes, {
        endpoint,
        ownership: props?.ownership ?? "external",
        scopes: props?.scopes,
      });
    return readResult(id, outs, ["roleId", "ownership"]);
  },

  async update(id, olds, news) {
    const client = managementClient();
    const changed = changedFields(olds, news);
    const recorded = { endpoint: news.endpoint, ownership: olds.ownership, scopes: news.scopes };
    if (changed.length === 0)
      return { outs: { ...olds, name: news.name, ...recorded, scopes: olds.scopes, roleId: id } };
    const action = `updating ${label(news.name)} (${changed.join(", ")})`;
    const what = `${label(olds.name)} (id ${id})`;
    // Resolved before anything is sent: an unknown scope changes nothing.
    const scopeIds = changed.includes("scopes") ? await scopeIdsOf(client, news.scopes, action) : [];
    const body = requestBody(news, scopeIds);
    const fields = changed.filter((field) => field !== "scopes");
    const row =
      fields.length > 0
        ? (
            await patchOrExplain(what, () =>
              client.send({
                method: "PATCH",
                path: "/api/organization-roles/{id}",
                params: { id },
                body: Object.fromEntries(fields.map((field) => [field, body[field]])),
                action,
              }),
            )
          ).data
        : { id, name: olds.name, description: olds.description };
    if (changed.includes("scopes")) {
      // Replaces the role's scopes whole (test/logto-contract/03h).
      await client.send({
        method: "PUT",
        path: "/api/organization-roles/{id}/scopes",
        params: { id },
        body: { organizationScopeIds: scopeIds },
        action,
      });
    }
    const scopes = changed.includes("scopes") ? news.scopes : olds.scopes;
    return { outs: outputsFromRow(row, scopes, recorded) };
  },

  async delete(id, props) {
    await deleteIfOwned(
      "/api/organization-roles/{id}",
      id,
      props,
      label(props.name),
      "no organization of the tenant has it as JIT default role or a member holding it.",
      (client) => organizationRoleUsage(client, id, label(props.name)),
    );
  },
};
