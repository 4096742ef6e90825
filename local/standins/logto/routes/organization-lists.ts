/** What the organization routes share: Logto's `q` search, ordering, pagination and relation-route answers. */
import type { GuardIssue, Schema } from "../guard";
import type { Reply } from "../http";
import { paginate } from "../pagination";
import type { RouteContext } from "./context";

/** `q`: `ilike %q%` over the route's search fields (utils/search.ts `parseSearchOptions`, database/utils.ts). */
export function searched<Row extends object>(rows: Row[], query: URLSearchParams, fields: (keyof Row)[]): Row[] {
  const keyword = query.get("q")?.toLowerCase();
  if (!keyword) return rows;
  return rows.filter((row) =>
    fields.some((field) =>
      String(row[field] ?? "")
        .toLowerCase()
        .includes(keyword),
    ),
  );
}

/** Postgres `order by` under the C collation Logto's database uses (07b: "Sub.…" before "orgs…"). */
export const byCodeUnits =
  <Row>(field: keyof Row) =>
  (a: Row, b: Row): number => {
    const [left, right] = [String(a[field]), String(b[field])];
    return left < right ? -1 : left > right ? 1 : 0;
  };

/** One page of `rows` (koaPagination; `required: false` is `isOptional`: no page asked, every row, no headers). */
export function listPage(rows: unknown[], context: RouteContext, { required }: { required: boolean }): Reply {
  const page = paginate(rows, context.query, context.origin, context.pathname, { required });
  return { status: 200, body: page.rows, headers: page.headers };
}

export const optionalPage = (rows: unknown[], context: RouteContext): Reply =>
  listPage(rows, context, { required: false });

/** Relation POSTs answer koa's default body for 201: the text "Created" (03j, 05f, 06b). */
export const created = (): Reply => ({
  status: 201,
  body: "Created",
  headers: { "content-type": "text/plain; charset=utf-8" },
});

/** zod's `.nonempty()` on an array. */
export function nonEmpty<T>(schema: Schema<T[]>): Schema<T[]> {
  return {
    isOptional: false,
    parse(value, path, issues: GuardIssue[]) {
      const parsed = schema.parse(value, path, issues);
      if (!parsed.ok || parsed.value.length > 0) return parsed;
      const message = "Array must contain at least 1 element(s)";
      issues.push({ code: "too_small", minimum: 1, type: "array", inclusive: true, exact: false, message, path });
      return { ok: false };
    },
  };
}
