/**
 * Which Logto user an enterprise SSO sign-in lands in, as logto-io/logto 1.42 decides it:
 *
 * 1. The SSO identity found by (issuer, IdP subject) signs its user in; the identity's `detail` is refreshed
 *    and name/avatar synced when the connector has `syncProfile`
 *    (routes/experience/classes/verifications/enterprise-sso-verification.ts `identifyUser`,
 *    queries/user-sso-identities.ts `findUserSsoIdentityBySsoIdentityId`).
 * 2. Else the user whose primary email is the IdP's email, compared case-insensitively, gets a new identity
 *    and is signed in (`identifyRelatedUser`, queries/user.ts `findUserByEmail`; the fallback in
 *    routes/experience/classes/helpers.ts). The connector only passes an `email` on when it is verified
 *    (`email_verified`) or the connector trusts unverified ones (sso/AzureOidcSsoConnector/index.ts), so an
 *    Entra user (no `email_verified`) is linked this way only with `trustUnverifiedEmail` on.
 * 3. Else `user.sso_identity_not_exist` (404). The experience app then registers a new user, with the
 *    verified email as primary email, and its identity (libraries/provision-library.ts `createUser`,
 *    `toSyncedProfile(true)`) — except in "sign in only" mode, where it shows the error's message and goes
 *    back to the sign-in page (experience pages/SocialSignInWebCallback/use-single-sign-on-listener.ts).
 *
 * When 2. or 3. adds an identity, the user joins the organizations whose just-in-time provisioning lists the
 * connector, with their JIT roles (`OrganizationStore.provisionBySsoConnector`); 1. provisions nothing.
 *
 * Not modelled: the "register only" mode (`signInMode: "Register"`) is treated as "sign in and register".
 * Email-domain JIT (`jit/email-domains`) is stored but never applied: Logto applies it only to users who
 * register without an SSO identity, with a verified primary email (provision-library.ts
 * `provisionNewUserJitOrganizations`), and the stand-in's only sign-in is enterprise SSO.
 */
import { newRowId, newUserId } from "../ids";
import { tenantId, userRow, type LogtoState, type SsoConnectorRow, type UserRow } from "../state";
import type { EnterpriseUserInfo } from "./connector";
import { RequestError } from "./errors";

export type SsoUserOutcome = "signed-in" | "linked-by-email" | "registered";

export interface SsoUser {
  user: UserRow;
  outcome: SsoUserOutcome;
  /** The interaction event Logto logs it under. */
  event: "SignIn" | "Register";
}

function syncProfile(user: UserRow, connector: SsoConnectorRow, userInfo: EnterpriseUserInfo, now: number): void {
  if (!connector.syncProfile) return;
  if (userInfo.name !== undefined) user.name = userInfo.name;
  if (userInfo.avatar !== undefined) user.avatar = userInfo.avatar;
  user.updatedAt = now;
}

function addIdentity(
  state: LogtoState,
  user: UserRow,
  connector: SsoConnectorRow,
  issuer: string,
  userInfo: EnterpriseUserInfo,
  now: number,
): void {
  state.userSsoIdentities.push({
    tenantId,
    id: newRowId(),
    userId: user.id,
    issuer,
    identityId: userInfo.id,
    detail: { ...userInfo },
    createdAt: now,
    updatedAt: now,
    ssoConnectorId: connector.id,
  });
  state.organizations.provisionBySsoConnector(user.id, connector.id);
}

/** Finds, links or registers the user; throws `user.sso_identity_not_exist` in sign-in-only mode. */
export function ssoUserFor(
  state: LogtoState,
  connector: SsoConnectorRow,
  issuer: string,
  userInfo: EnterpriseUserInfo,
): SsoUser {
  const now = Date.now();
  const identity = state.userSsoIdentities.find((row) => row.issuer === issuer && row.identityId === userInfo.id);
  const identified = identity && state.users.get(identity.userId);
  if (identity && identified) {
    identity.detail = { ...userInfo };
    identity.updatedAt = now;
    syncProfile(identified, connector, userInfo, now);
    identified.lastSignInAt = now;
    return { user: identified, outcome: "signed-in", event: "SignIn" };
  }

  const email = userInfo.email?.toLowerCase();
  const related =
    email === undefined
      ? undefined
      : [...state.users.values()].find((user) => user.primaryEmail?.toLowerCase() === email);
  if (related) {
    addIdentity(state, related, connector, issuer, userInfo, now);
    syncProfile(related, connector, userInfo, now);
    related.lastSignInAt = now;
    return { user: related, outcome: "linked-by-email", event: "SignIn" };
  }

  if (state.signInExperience.signInMode === "SignIn") throw new RequestError(404, "user.sso_identity_not_exist");
  const user = userRow({
    id: newUserId(),
    primaryEmail: userInfo.email ?? null,
    name: userInfo.name ?? null,
    avatar: userInfo.avatar ?? null,
    lastSignInAt: now,
    createdAt: now,
  });
  state.users.set(user.id, user);
  addIdentity(state, user, connector, issuer, userInfo, now);
  return { user, outcome: "registered", event: "Register" };
}
