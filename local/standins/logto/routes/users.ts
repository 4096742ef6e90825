/**
 * The users of the Management API, as logto-io/logto packages/core/src/routes/admin-user/ serves them:
 * `GET /api/users` (search.ts: required pagination, newest first), `GET /api/users/{id}` with
 * `includeSsoIdentities` (basics.ts: the `user_sso_identities` rows as stored), `DELETE /api/users/{id}`
 * (basics.ts: the user signed out, then deleted; the SSO identities go with it, `on delete cascade`). Bodies
 * are `userInfoSelectFields` plus `hasPassword` (packages/core/src/utils/user.ts
 * `transpileUserProfileResponse`).
 */
import { ApiError, notExistsWithId } from "../http";
import { paginate } from "../pagination";
import { newestFirst, type UserRow } from "../state";
import type { Route, RouteContext } from "./context";

/** `transpileUserProfileResponse`: the selected fields in their order, and whether there is a password (never here). */
export function userJson(user: UserRow): Record<string, unknown> {
  const { id, username, primaryEmail, primaryPhone, name, avatar, customData, identities, lastSignInAt } = user;
  const { createdAt, updatedAt, profile, applicationId, cimdClientId, isSuspended } = user;
  return {
    id,
    username,
    primaryEmail,
    primaryPhone,
    name,
    avatar,
    customData,
    identities,
    lastSignInAt,
    createdAt,
    updatedAt,
    profile,
    applicationId,
    cimdClientId,
    isSuspended,
    hasPassword: false,
  };
}

function existingUser(context: RouteContext): UserRow {
  const [id] = context.params;
  const user = context.state.users.get(id);
  if (!user) throw notExistsWithId("users", id);
  return user;
}

/** `yes()` of @silverhand/essentials: what Logto takes as a true query flag. */
const isYes = (value: string | null): boolean =>
  value !== null && ["1", "true", "yes", "y"].includes(value.toLowerCase());

function listUsers(context: RouteContext) {
  const unsupported = [...context.query.keys()].filter((key) => !["page", "page_size"].includes(key));
  if (unsupported.length > 0) {
    throw new ApiError(501, {
      code: "standin.unsupported_query",
      message: `The stand-in lists users by \`page\` and \`page_size\` only, not ${unsupported.join(", ")}.`,
    });
  }
  const page = paginate(newestFirst(context.state.users.values()), context.query, context.origin, context.pathname, {
    required: true,
  });
  return { status: 200, body: page.rows.map(userJson), headers: page.headers };
}

function getUser(context: RouteContext) {
  const user = existingUser(context);
  const ssoIdentities = isYes(context.query.get("includeSsoIdentities"))
    ? { ssoIdentities: context.state.identitiesOf(user.id).map((row) => ({ ...row })) }
    : {};
  return { status: 200, body: { ...userJson(user), ...ssoIdentities } };
}

function deleteUser(context: RouteContext) {
  const user = existingUser(context);
  context.signOutUser(user.id);
  context.state.deleteUser(user.id);
  return { status: 204 };
}

export const userRoutes: Route[] = [
  { method: "GET", pattern: /^\/api\/users$/, handle: listUsers },
  { method: "GET", pattern: /^\/api\/users\/([^/]+)$/, handle: getUser },
  { method: "DELETE", pattern: /^\/api\/users\/([^/]+)$/, handle: deleteUser },
];
