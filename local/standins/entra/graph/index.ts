/**
 * Microsoft Graph `/v1.0` and `/beta`: the subset the azuread provider 6.9.1 calls (see
 * ../../../../shared/reference/graph-for-azuread.md), per tenant, behind a bearer token from ../login.ts.
 */
import type { Reply } from "../../shared/exchange";
import { findRoute } from "../../shared/exchange";
import { GraphError } from "../errors";
import type { SigningKey } from "../jwt";
import type { TenantDirectory } from "../state";
import { applicationRoutes } from "./applications";
import { authenticate } from "./auth";
import type { GraphVersion } from "./context";
import { permissionGrantRoutes } from "./permission-grants";
import { servicePrincipalRoutes } from "./service-principals";

const graphRoutes = [...applicationRoutes, ...servicePrincipalRoutes, ...permissionGrantRoutes];

const versionPrefix = /^\/(v1\.0|beta)(\/.*)?$/;

export const isGraphPath = (pathname: string): boolean => versionPrefix.test(pathname);

export interface GraphRequest {
  origin: string;
  method: string;
  pathname: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
  key: SigningKey;
  tenantOf: (tenantId: string) => TenantDirectory | undefined;
  /** Told which tenant the token is for, for the request log. */
  onTenant(tenantId: string): void;
}

export function answerGraph(request: GraphRequest): Reply {
  const [, prefix, rest = "/"] = versionPrefix.exec(request.pathname) ?? [];
  const version: GraphVersion = prefix === "beta" ? "beta" : "v1.0";
  const { tenant, caller } = authenticate(request.authorization, request.origin, request.key, request.tenantOf);
  request.onTenant(tenant.tenantId);
  const lookup = findRoute(graphRoutes, request.method, rest);
  if (lookup.kind === "notFound") {
    const segment = rest.split("/").find((part) => part !== "") ?? "";
    throw new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`);
  }
  if (lookup.kind === "methodNotAllowed") {
    throw new GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.", {
      allow: lookup.allowed.join(", "),
    });
  }
  if (!lookup.route.roles.some((role) => caller.roles.includes(role))) {
    throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  }
  return lookup.route.handle({
    origin: request.origin,
    version,
    tenant,
    caller,
    body: request.body,
    query: request.query,
    params: lookup.params,
  });
}
