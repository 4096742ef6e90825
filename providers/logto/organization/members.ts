/** What an organization's deletion costs its members, counted before it happens. */
import type { ManagementClient } from "../client";

/**
 * How many members the organization has (`holdingRoleId`: only those holding that organization role): one row
 * of its member list and the list's `Total-Number` header (logto-io/logto
 * packages/core/src/routes/organization/user/index.ts: `GET /:id/users` is always paged and counts every
 * membership, `organizationRoleId` filters them, middleware/koa-pagination.ts sets the header;
 * test/logto-contract/08i, 13e). A missing organization counts 0 (10c, 13i). Undefined when the header is missing.
 */
export async function countMembers(
  client: ManagementClient,
  id: string,
  action: string,
  holdingRoleId?: string,
): Promise<number | undefined> {
  const filter: Record<string, string> = holdingRoleId !== undefined ? { organizationRoleId: holdingRoleId } : {};
  const query = { ...filter, page: 1, page_size: 1 };
  const path = "/api/organizations/{id}/users";
  const { headers } = await client.send({ method: "GET", path, params: { id }, query, action });
  const total = Number(headers["total-number"]);
  return Number.isInteger(total) && total >= 0 ? total : undefined;
}

/** "1 member", "3 members". */
export function membersCount(count: number): string {
  return `${count} member${count === 1 ? "" : "s"}`;
}

/** What goes with a deleted organization that has `count` members, and what stays. */
export function deletedWithOrganization(count: number | undefined): string {
  const members = count === undefined ? "its member count could not be read" : `it has ${membersCount(count)}`;
  return `${members}, whose memberships and organization roles Logto deletes with it (their user accounts stay: they sign in as before, without this organization)`;
}

/**
 * The organizations whose deletion this provider process has said already: the organization guard says it, with
 * the member count, before any organization of the run is deleted (its check at up, its delete at destroy), so
 * the organization's own delete does not say it again.
 */
export const deletionsSaid = new Set<string>();
