/** The organization guard's review: what a change does to each organization that leaves the stack. */
import type * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "../client";
import { countMembers, deletedWithOrganization, deletionsSaid, membersCount } from "../organization/members";
import { getOrganization, label } from "../organization/schema";
import { managementClient } from "../registry";
import { configuredEndpoint, containsUnknown, ifPresent, notice } from "../support";
import { GuardedOrganization, OrganizationGuardInputs, guardedIn } from "./schema";

/** An organization as Logto holds it now: its name and member count; undefined when it is gone. */
export interface LiveOrganization {
  name: string;
  /** Undefined when Logto's answer carried no count. */
  members: number | undefined;
}

export type LookUpOrganization = (id: string) => Promise<LiveOrganization | undefined>;

/**
 * The recorded organizations this change removes from the stack: those no organization of `news` continues (by
 * id: a renamed connection or organization keeps its organization). An id not known yet (preview of a new or
 * replaced organization) continues none.
 */
export function leavingOrganizations(olds: GuardedOrganization[], news: GuardedOrganization[]): GuardedOrganization[] {
  const continued = new Set(news.map((organization) => organization.organizationId));
  return olds.filter((organization) => !continued.has(organization.organizationId));
}

/** Whether Logto loses it: the organization provider's delete keeps an adopted organization. */
export function deletedOnRemoval(organization: GuardedOrganization): boolean {
  return organization.deleteOnRemoval && !organization.adopted;
}

function whyKept(organization: GuardedOrganization): string {
  if (organization.adopted) return "it was adopted (adoptOrganizationId), so the stack never deletes it";
  return "deleteOrganizationOnRemoval was off at the last pulumi up";
}

/** What happens to one organization that leaves the stack, said with what Logto holds now. */
export async function removalStatement(organization: GuardedOrganization, lookUp: LookUpOrganization): Promise<string> {
  const { organizationId: id, connection } = organization;
  const live = await lookUp(id);
  if (!live) {
    return `organization ${id} of connection ${connection} leaves the stack; Logto no longer has it (deleted outside the stack), so nothing is deleted.`;
  }
  const what = `${label(live.name)} (id ${id}) of connection ${connection}`;
  if (deletedOnRemoval(organization)) {
    deletionsSaid.add(id);
    return `${what} leaves the stack and is deleted in Logto (deleteOrganizationOnRemoval was on at the last pulumi up): ${deletedWithOrganization(live.members)}. To keep it instead, put the entry back with deleteOrganizationOnRemoval off, run pulumi up, then remove it.`;
  }
  const members =
    live.members === undefined ? "its members (their count could not be read)" : membersCount(live.members);
  return `${what} leaves the stack and is kept in Logto with its ${members} and their organization roles (${whyKept(organization)}); only its just-in-time link to the connection's connector goes.`;
}

/** What the change from `olds` to `news` does to each organization that leaves the stack. */
export async function reviewRemovals(
  olds: GuardedOrganization[],
  news: GuardedOrganization[],
  lookUp: LookUpOrganization,
): Promise<string[]> {
  return Promise.all(leavingOrganizations(olds, news).map((organization) => removalStatement(organization, lookUp)));
}

/** The organizations of the Logto `client` reaches, asked only for those that leave. */
export function liveOrganizations(client: ManagementClient): LookUpOrganization {
  return async (id) => {
    const row = await ifPresent(() => getOrganization(client, id, `looking up organization ${id}`));
    if (!row) return undefined;
    return { name: row.name, members: await countMembers(client, id, `counting the members of ${label(row.name)}`) };
  };
}

export async function checkOrganizationGuard(
  olds: Partial<OrganizationGuardInputs> | undefined,
  news: Partial<OrganizationGuardInputs>,
): Promise<pulumi.dynamic.CheckResult<OrganizationGuardInputs>> {
  const organizations = guardedIn(news);
  // Said at preview and again at up, before any organization is deleted (deletes come last in an up). Asked where
  // the recorded organizations live: a moved logto:endpoint does not make them look deleted.
  const recordedAt = managementClient(olds?.endpoint);
  (await reviewRemovals(guardedIn(olds), organizations, liveOrganizations(recordedAt))).forEach(notice);
  return { inputs: { organizations, endpoint: configuredEndpoint() }, failures: [] };
}

/**
 * A preview of an organization's update knows its id but not its `adopted` output yet: a field not known yet of
 * an organization the record holds is taken as recorded, so such a preview plans no update of the record (the
 * `up` compares the real values). A new or replaced organization's id is not known: that is a change.
 */
function knownAsRecorded(olds: GuardedOrganization[], next: GuardedOrganization): GuardedOrganization {
  const recorded = olds.find((old) => old.organizationId === next.organizationId);
  if (!recorded) return next;
  const known = Object.entries(next).filter(([, value]) => !containsUnknown(value));
  return { ...recorded, ...Object.fromEntries(known) };
}

export function diffOrganizationGuard(
  olds: OrganizationGuardInputs,
  news: OrganizationGuardInputs,
): pulumi.dynamic.DiffResult {
  const recorded = guardedIn(olds);
  const next = guardedIn(news).map((organization) => knownAsRecorded(recorded, organization));
  return { changes: JSON.stringify(recorded) !== JSON.stringify(next) || olds.endpoint !== news.endpoint };
}
