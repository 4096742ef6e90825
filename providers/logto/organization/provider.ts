import type * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { nameAndDescriptionBody, patchChanged } from "../organizationFields";
import { allPages } from "../lists";
import { managementClient } from "../registry";
import {
  checkWith,
  configureFromStack,
  containsUnknown,
  diffWithEndpoint,
  ifPresent,
  notice,
  readResult,
  soleMatch,
} from "../support";
import { adoptsAnother, changedFields, checkFailures, withDefaults } from "./check";
import { countMembers, deletedWithOrganization, deletionsSaid } from "./members";
import {
  OrganizationInputs,
  OrganizationOutputs,
  OrganizationRow,
  getOrganization,
  label,
  organizationExists,
  outputsFromRow,
} from "./schema";

/** The organizations named exactly `name` (`q` searches ids and names by substring; names are not unique). */
async function findByName(client: ManagementClient, name: string): Promise<OrganizationRow[]> {
  const action = `looking up ${label(name)}`;
  const rows = await allPages(client, { method: "GET", path: "/api/organizations", query: { q: name }, action });
  return rows.filter((row) => row.name === name);
}

export const organizationProvider: pulumi.dynamic.ResourceProvider<OrganizationInputs, OrganizationOutputs> = {
  configure: configureFromStack,

  check: checkWith(withDefaults, checkFailures),

  async diff(id, olds, news) {
    const what = `${label(olds.name ?? id)} (id ${id})`;
    // Every field is updated in place: only managing another organization replaces this one in the state.
    // Whether the replaced organization is deleted depends on its retainOnDelete, which a provider never sees:
    // the organization guard says it (providers/logto/organizationGuard), with its member count.
    const replaces = adoptsAnother(olds, news) ? ["adoptOrganizationId"] : [];
    const changed =
      containsUnknown(news) ||
      changedFields(olds, news).length > 0 ||
      (olds.adoptOrganizationId ?? "") !== news.adoptOrganizationId;
    return diffWithEndpoint(
      olds,
      news,
      { replaces, changed },
      {
        what,
        cost: "the new organization starts without members; the old one's members lose their memberships and organization roles.",
        heldBy: (client) => organizationExists(client, id, `looking up ${what} at ${client.endpoint}`),
      },
    );
  },

  async create(inputs) {
    const client = managementClient();
    const recorded = { ...inputs, adopted: inputs.adoptOrganizationId !== "" };
    if (recorded.adopted) {
      const id = inputs.adoptOrganizationId;
      const action = `adopting organization ${id} as ${label(inputs.name)}`;
      const existing = await ifPresent(() => getOrganization(client, id, action));
      if (!existing) {
        throw new Error(
          `Logto: ${action} failed: ${client.endpoint} has no organization with id ${id} (adoptOrganizationId): check the id in the Logto console (Organizations), or leave adoptOrganizationId out to create the organization.`,
        );
      }
      const changed = changedFields(outputsFromRow(existing, recorded), inputs);
      const path = "/api/organizations/{id}";
      const body = nameAndDescriptionBody(inputs);
      const row =
        changed.length === 0 ? existing : await patchChanged(client, { path, params: { id }, body, action }, changed);
      return { id, outs: outputsFromRow(row, recorded) };
    }
    // Names are not unique: a lost answer is found as the one organization of this name that was not there before.
    const before = new Set((await findByName(client, inputs.name)).map((row) => row.id));
    const row = await client.createOnce(
      {
        method: "POST",
        path: "/api/organizations",
        body: nameAndDescriptionBody(inputs),
        action: `creating ${label(inputs.name)}`,
      },
      async () =>
        soleMatch(
          (await findByName(client, inputs.name)).filter((found) => !before.has(found.id)),
          "new organizations",
          `looking up ${label(inputs.name)} after its create went unanswered`,
        ),
    );
    return { id: row.id, outs: outputsFromRow(row, recorded) };
  },

  async read(id, props) {
    const client = managementClient(props?.endpoint);
    const row = await ifPresent(() => getOrganization(client, id, `reading organization ${id}`));
    const outs =
      row &&
      outputsFromRow(row, {
        endpoint: client.endpoint,
        adoptOrganizationId: props?.adoptOrganizationId ?? "",
        // Not knowing is counted as adopted: keeping an organization is the safe mistake.
        adopted: props?.adopted ?? true,
      });
    return readResult(id, outs, ["organizationId", "adopted"]);
  },

  async update(id, olds, news) {
    const changed = changedFields(olds, news);
    const recorded = { ...news, adopted: olds.adopted };
    if (changed.length === 0) return { outs: { ...olds, ...recorded, organizationId: id } };
    const row = await patchChanged(
      managementClient(),
      {
        path: "/api/organizations/{id}",
        params: { id },
        body: nameAndDescriptionBody(news),
        action: `updating ${label(news.name)} (${changed.join(", ")})`,
      },
      changed,
      `${label(olds.name)} (id ${id})`,
    );
    return { outs: outputsFromRow(row, recorded) };
  },

  async delete(id, props) {
    const what = `${label(props.name)} (id ${id})`;
    if (props.adopted !== false) {
      notice(
        `${what} was adopted (adoptOrganizationId), not made by this stack: it is kept in Logto with its members and only leaves the state.`,
      );
      return;
    }
    const client = managementClient(props.endpoint);
    if (!deletionsSaid.has(id)) {
      const members = await countMembers(client, id, `counting the members of ${what}`);
      notice(`deleting ${what}: ${deletedWithOrganization(members)}.`);
    }
    await client.deleteIfPresent({ path: "/api/organizations/{id}", params: { id }, action: `deleting ${what}` });
  },
};
