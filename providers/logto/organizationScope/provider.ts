import type { ManagementClient } from "../client";
import { allPages } from "../lists";
import {
  nameAndDescriptionBody,
  nameAndDescriptionChanges,
  nameAndDescriptionFailures,
  namedDefaults,
  patchChanged,
} from "../organizationFields";
import { templateLabel, templateProvider } from "../organizationTemplate";
import { organizationScopeUsage } from "../templateUsage";
import { OrganizationScopeInputs, OrganizationScopeOutputs, OrganizationScopeRow, outputsFromRow } from "./schema";

const noun = "organization scope";

/** The scope of this name (`q` is a substring search; names are unique). */
async function findScopeByName(client: ManagementClient, name: string): Promise<OrganizationScopeRow | undefined> {
  const action = `looking up ${templateLabel(noun, name)}`;
  const rows = await allPages(client, { method: "GET", path: "/api/organization-scopes", query: { q: name }, action });
  return rows.find((row) => row.name === name);
}

export const organizationScopeProvider = templateProvider<
  OrganizationScopeInputs,
  OrganizationScopeOutputs,
  OrganizationScopeRow
>({
  noun,
  path: "/api/organization-scopes/{id}",
  idOutput: "scopeId",
  // A scope has only the rules every named object has; of another maker's scope only the name counts.
  withDefaults: namedDefaults,
  checkFailures: (news) => nameAndDescriptionFailures(news, noun),
  changedFields: nameAndDescriptionChanges,
  cost: {
    move: "organization roles of this stack that hold the scope get the new one; roles made elsewhere lose it.",
    deletion: "no organization role of the tenant grants it.",
  },
  usage: organizationScopeUsage,
  get: async (client, id, action) =>
    (await client.send({ method: "GET", path: "/api/organization-scopes/{id}", params: { id }, action })).data,
  find: findScopeByName,
  create: (client, inputs, action) =>
    client.createOnce(
      { method: "POST", path: "/api/organization-scopes", body: nameAndDescriptionBody(inputs), action },
      () => findScopeByName(client, inputs.name),
    ),
  update: (client, id, { news, changed, action, what }) =>
    patchChanged(
      client,
      { path: "/api/organization-scopes/{id}", params: { id }, body: nameAndDescriptionBody(news), action },
      changed,
      what,
    ),
  flatten: outputsFromRow,
});
