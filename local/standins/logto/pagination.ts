import { ApiError } from "./http";

const maxPageSize = 100;
const defaultPageSize = 20;

const invalidPagination = (): ApiError =>
  new ApiError(400, { code: "guard.invalid_pagination", message: "The pagination value of the request is invalid." });

function parsePositiveInteger(text: string | null, fallback: number): number {
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw invalidPagination();
  return value;
}

/**
 * Logto's pagination (middleware/koa-pagination.ts). Optional where a route says `isOptional` (applications,
 * connectors): without `page`/`page_size` every row comes back and no header is set. Otherwise, and always on
 * routes where it is required (users, logs: page 1 of 20 by default), one page plus `Total-Number` and `Link`
 * headers (05d, 10b). Link URLs drop the `/api` prefix, as Logto's do, and repeat the request's query with
 * `page` set (utils/pagination.ts `buildLink`); the relations are first, prev, last, next in that order
 * (koa-pagination.ts), as test/logto-contract/07g recorded them.
 */
export function paginate<Row>(
  rows: Row[],
  query: URLSearchParams,
  origin: string,
  pathname: string,
  { required = false }: { required?: boolean } = {},
): { rows: Row[]; headers: Record<string, string | string[]> } {
  if (!required && !query.has("page") && !query.has("page_size")) return { rows, headers: {} };
  const page = parsePositiveInteger(query.get("page"), 1);
  const pageSize = parsePositiveInteger(query.get("page_size"), defaultPageSize);
  if (pageSize > maxPageSize) throw invalidPagination();
  const totalPages = Math.max(1, Math.ceil(rows.length / pageSize));
  const link = (target: number, rel: string): string => {
    const linkQuery = new URLSearchParams(query);
    linkQuery.set("page", String(target));
    return `<${origin}${pathname.replace(/^\/api/, "")}?${linkQuery}>; rel="${rel}"`;
  };
  const links = [
    link(1, "first"),
    ...(page > 1 ? [link(page - 1, "prev")] : []),
    link(totalPages, "last"),
    ...(page < totalPages ? [link(page + 1, "next")] : []),
  ];
  const start = (page - 1) * pageSize;
  return {
    rows: rows.slice(start, start + pageSize),
    headers: { "Total-Number": String(rows.length), Link: links },
  };
}
