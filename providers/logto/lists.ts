/** Management API lists: read whole, and compared as the sets Logto keeps. */
import type { ApiRequest, ManagementClient } from "./client";
import type { Answer, ApiPath } from "./managementApi";
import { sameStringSet } from "./support";

/** koaPagination's largest page. */
const pageSize = 100;

/**
 * Every row of a Management API list. Logto pages some lists always (organizations, organization roles: 20 rows
 * by default) and others only when a page is asked (koa-pagination.ts, `isOptional`): asking for pages every
 * time reads both alike and never stops at the first 20.
 */
export async function allPages<P extends ApiPath>(
  client: ManagementClient,
  request: ApiRequest<P, "GET">,
): Promise<Answer<P, "GET">> {
  const rows: unknown[] = [];
  for (let page = 1; ; page++) {
    const { data } = await client.send({ ...request, query: { ...request.query, page, page_size: pageSize } });
    const batch: unknown[] = Array.isArray(data) ? data : [];
    rows.push(...batch);
    if (batch.length < pageSize) return rows as Answer<P, "GET">;
  }
}

/**
 * `live` in the order `declared` lists them when both hold the same values, else sorted: Logto answers sets in
 * its own order, which is no drift.
 */
export function inDeclaredOrder(live: readonly string[], declared: readonly string[] | undefined): string[] {
  const same = declared !== undefined && live.length === declared.length && sameStringSet(live, declared);
  return same ? [...declared] : [...live].sort();
}
