import type * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { patchOrExplain } from "../organizationFields";
import { createOrUse, deleteIfOwned, templateDiff } from "../organizationTemplate";
import { allPages } from "../lists";
import { organizationScopeUsage } from "../templateUsage";
import { managementClient } from "../registry";
import { configureFromStack, ifPresent, readResult } from "../support";
import { changedFields, checkFailures, withDefaults } from "./check";
import {
  OrganizationScopeInputs,
  OrganizationScopeOutputs,
  OrganizationScopeRow,
  label,
  outputsFromRow,
  requestBody,
} from "./schema";

function getScope(client: ManagementClient, id: string, action: string): Promise<OrganizationScopeRow> {
  return client
    .send({ method: "GET", path: "/api/organization-scopes/{id}", params: { id }, action })
    .then((r) => r.data);
}

/** The scope of this name (`q` is a substring search; names are unique). */
export async function findScopeByName(
  client: ManagementClient,
  name: string,
): Promise<OrganizationScopeRow | undefined> {
  const rows = await allPages(client, {
    method: "GET",
    path: "/api/organization-scopes",
    query: { q: name },
    action: `looking up ${label(name)}`,
  });
  return rows.find((row) => row.name === name);
}

export const organizationScopeProvider: pulumi.dynamic.ResourceProvider<
  OrganizationScopeInputs,
  OrganizationScopeOutputs
> = {
  configure: configureFromStack,

  async check(_olds, news) {
    const inputs = withDefaults(news);
    return { inputs, failures: checkFailures(inputs) };
  },

  async diff(id, olds, news) {
    // Another maker's scope under another name is another scope: used anew, this one left alone.
    return templateDiff(id, olds, news, {
      what: label(olds.name ?? id),
      cost: "organization roles of this stack that hold the scope get the new one; roles made elsewhere lose it.",
      changed: changedFields(olds, news),
      exists: async (client) =>
        (await ifPresent(() => getScope(client, id, `looking up ${label(olds.name ?? id)}`))) !== undefined,
    });
  },

  async create(inputs) {
    const client = managementClient();
    const action = `creating ${label(inputs.name)}`;
    const { row, ownership } = await createOrUse(
      () => findScopeByName(client, inputs.name),
      () =>
        client.createOnce({ method: "POST", path: "/api/organization-scopes", body: requestBody(inputs), action }, () =>
          findScopeByName(client, inputs.name),
        ),
    );
    return { id: row.id, outs: outputsFromRow(row, { endpoint: inputs.endpoint, ownership }) };
  },

  async read(id, props) {
    const endpoint = props?.endpoint ?? managementClient().endpoint;
    const row = await ifPresent(() => getScope(managementClient(endpoint), id, `reading organization scope ${id}`));
    const outs = row && outputsFromRow(row, { endpoint, ownership: props?.ownership ?? "external" });
    return readResult(id, outs, ["scopeId", "ownership"]);
  },

  async update(id, olds, news) {
    const changed = changedFields(olds, news);
    const recorded = { endpoint: news.endpoint, ownership: olds.ownership };
    if (changed.length === 0) return { outs: { ...olds, name: news.name, ...recorded, scopeId: id } };
    const body = requestBody(news);
    const { data } = await patchOrExplain(`${label(olds.name)} (id ${id})`, () =>
      managementClient().send({
        method: "PATCH",
        path: "/api/organization-scopes/{id}",
        params: { id },
        body: Object.fromEntries(changed.map((field) => [field, body[field]])),
        action: `updating ${label(news.name)} (${changed.join(", ")})`,
      }),
    );
    return { outs: outputsFromRow(data, recorded) };
  },

  async delete(id, props) {
    await deleteIfOwned(
      "/api/organization-scopes/{id}",
      id,
      props,
      label(props.name),
      "no organization role of the tenant grants it.",
      (client) => organizationScopeUsage(client, id, label(props.name)),
    );
  },
};
