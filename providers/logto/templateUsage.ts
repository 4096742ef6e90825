/**
 * Where in the whole tenant an organization role or scope is in use, asked before the stack deletes one it made:
 * Logto deleting a role takes it from every organization's JIT default roles and from every member holding it
 * (test/logto-contract/09c-09e), and deleting a scope takes it from every role granting it, also in organizations
 * and roles other stacks or the console manage. Logto has no route from a role to its uses, so the organizations
 * are read page by page (routes/organization/index.ts) and each is asked for its JIT roles
 * (routes/organization/jit/index.ts) and for its members holding the role (routes/organization/user/index.ts,
 * `organizationRoleId`, one row is enough: the `total-number` header counts them; test/logto-contract/13-*).
 */
import type { ManagementClient } from "./client";
import { allPages } from "./lists";
import { countMembers, membersCount } from "./organization/members";
import { ifPresent } from "./support";

/** koaPagination's largest page. */
const pageSize = 100;
/** At most this many organizations are read: past it a role is kept (its non-use is not shown). */
export const maxOrganizationsChecked = 2000;
/** Organizations asked at once. */
const parallel = 4;
/** Enough uses to tell a person why the role is kept. */
const usesShown = 3;

/** Why a template object stays in Logto; empty: nothing was found using it. */
export interface TemplateUsage {
  uses: string[];
  /** More uses, or more organizations than were checked, may exist. */
  more: boolean;
}

export function usageText(usage: TemplateUsage): string {
  return `${usage.uses.join("; ")}${usage.more ? "; and maybe more" : ""}`;
}

async function roleUseIn(
  client: ManagementClient,
  organization: { id: string; name: string },
  roleId: string,
  action: string,
): Promise<string | undefined> {
  const params = { id: organization.id };
  // An organization deleted since it was listed uses nothing.
  const answers = await ifPresent(() =>
    Promise.all([
      allPages(client, { method: "GET", path: "/api/organizations/{id}/jit/roles", params, action }),
      countMembers(client, organization.id, action, roleId),
    ]),
  );
  if (answers === undefined) return undefined;
  const [jitRoles, holders] = answers;
  const ways: string[] = [];
  if (jitRoles.some((role) => role.id === roleId)) ways.push("its JIT default role");
  // An answer without its count is taken as held: the role is kept rather than taken from unknown members.
  const held = holders === undefined ? "members (their count not said)" : membersCount(holders);
  if (holders !== 0) ways.push(`held by ${held}`);
  if (ways.length === 0) return undefined;
  return `organization "${organization.name}" (id ${organization.id}): ${ways.join(", ")}`;
}

/**
 * The organizations using the role `roleId`, as JIT default role or held by members; past `limit` organizations
 * read, the role counts as used.
 */
export async function organizationRoleUsage(
  client: ManagementClient,
  roleId: string,
  what: string,
  limit = maxOrganizationsChecked,
): Promise<TemplateUsage> {
  const action = `checking whether an organization uses ${what}`;
  const uses: string[] = [];
  for (let page = 1, checked = 0; ; page++) {
    const query = { page, page_size: pageSize };
    const { data } = await client.send({ method: "GET", path: "/api/organizations", query, action });
    const organizations = Array.isArray(data) ? data : [];
    for (let start = 0; start < organizations.length; start += parallel) {
      const batch = organizations.slice(start, start + parallel);
      const found = await Promise.all(batch.map((organization) => roleUseIn(client, organization, roleId, action)));
      uses.push(...found.flatMap((use) => use ?? []));
      checked += batch.length;
      // Enough to keep it: the rest are not read.
      if (uses.length >= usesShown) return { uses: uses.slice(0, usesShown), more: true };
    }
    if (organizations.length < pageSize) return { uses, more: false };
    if (checked >= limit) {
      uses.push(`only the first ${checked} organizations were checked, the tenant has more`);
      return { uses, more: true };
    }
  }
}

/** The organization roles that grant the scope `scopeId` (Logto lists each role with its scopes). */
export async function organizationScopeUsage(
  client: ManagementClient,
  scopeId: string,
  what: string,
): Promise<TemplateUsage> {
  const action = `checking whether an organization role grants ${what}`;
  const roles = await allPages(client, { method: "GET", path: "/api/organization-roles", action });
  const granting = roles.filter((role) => role.scopes.some((scope) => scope.id === scopeId));
  return { uses: granting.map((role) => `granted by organization role "${role.name}" (id ${role.id})`), more: false };
}
