/**
 * Errors of Logto's sign-in side: `RequestError`s with Logto's codes and English phrases
 * (logto-io/logto packages/phrases/src/locales/en/errors/*.ts), and oidc-provider's errors dressed the way
 * Logto's `koaOidcErrorHandler` dresses them: `{code: "oidc.<error>", message, error, error_description}`.
 */
import { isPlainObject } from "../json";

const phrases: Record<string, string> = {
  "connector.not_found": "Cannot find any available connector for type: {{type}}.",
  "connector.invalid_config": "The connector's config is invalid.",
  "connector.authorization_failed": "The user's authorization process is unsuccessful.",
  "connector.invalid_request_parameters": "The request is with wrong input parameter(s).",
  "guard.invalid_input": "The request {{type}} is invalid.",
  "session.not_found": "Session not found. Please go back and sign in again.",
  "session.connector_validation_session_not_found": "The connector session for token validation is not found.",
  "session.verification_session_not_found":
    "The verification was not successful. Restart the verification flow and try again.",
  "user.sign_in_method_not_enabled": "This sign-in method is not enabled.",
  "user.sso_identity_not_exist": "The enterprise SSO account has not been registered yet.",
  // Messages of the sign-in experience itself (packages/phrases-experience/src/locales/en/error/index.ts).
  "error.invalid_connector_auth": "The authorization is invalid",
  "error.sso_not_enabled": "Single Sign-On is not enabled for this email account.",
};

/** Logto's English texts of oidc-provider errors (errors/oidc.ts); others fall back to `provider_error_fallback`. */
const oidcPhrases: Record<string, string> = {
  aborted: "The end-user aborted interaction.",
  invalid_scope: "Invalid scope: {{error_description}}.",
  invalid_token: "Invalid token provided.",
  invalid_client_metadata: "Invalid client metadata provided.",
  invalid_request: "Request is invalid.",
  invalid_grant: "Grant request is invalid.",
  invalid_redirect_uri: "`redirect_uri` did not match any of the client's registered `redirect_uris`.",
  access_denied: "Access denied.",
  invalid_target: "Invalid resource indicator.",
  unsupported_grant_type: "Unsupported `grant_type` requested.",
  unsupported_response_mode: "Unsupported `response_mode` requested.",
  unsupported_response_type: "Unsupported `response_type` requested.",
  server_error: "An unknown OIDC error occurred. Please try again later.",
};

function fill(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
  });
}

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly data?: unknown,
    values: Record<string, unknown> = {},
  ) {
    super(fill(phrases[code] ?? code, values));
  }

  get body(): { code: string; message: string; data?: unknown } {
    return { code: this.code, message: this.message, ...(this.data === undefined ? {} : { data: this.data }) };
  }
}

/** Logto's body for an oidc-provider error body `{error, error_description}` (koaOidcErrorHandler). */
export interface OidcErrorBody {
  error: string;
  error_description?: string;
}

export function logtoOidcErrorBody(
  body: OidcErrorBody,
): OidcErrorBody & { code: string; message: string; error_uri?: string } {
  const description = body.error_description ?? "";
  const sessionNotFound =
    (description.includes("session") && description.includes("not found")) ||
    description.includes("authorization request has expired");
  const code = sessionNotFound ? "session.not_found" : `oidc.${body.error}`;
  const template = sessionNotFound
    ? phrases["session.not_found"]
    : (oidcPhrases[body.error] ?? "An OIDC error occurred: {{code}}.");
  const errorUri = body.error === "invalid_grant" ? { error_uri: "https://openid.sh/debug/invalid_grant" } : {};
  return { code, message: fill(template, { code, error_description: description }), ...errorUri, ...body };
}

export const isOidcErrorBody = (body: unknown): body is OidcErrorBody =>
  isPlainObject(body) &&
  typeof body.error === "string" &&
  (body.error_description === undefined || typeof body.error_description === "string");
