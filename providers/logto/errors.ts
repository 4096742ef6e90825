/** Errors of the Management API: one line naming the action, Logto's code, the offending values and the fix. */
import type { AxiosResponse } from "axios";

/** A failed Management API call, described in one line that names the action, Logto's code and the fix. */
export interface LogtoApiError extends Error {
  readonly kind: "logto-api-error";
  /** HTTP status, absent when no response arrived. */
  readonly status?: number;
  /** Logto's error code, e.g. `single_sign_on.forbidden_domains`. */
  readonly code?: string;
  /** True when the request may have been carried out although no answer arrived. */
  readonly outcomeUnknown: boolean;
  /**
   * With outcomeUnknown: the server may still be working on it (the client timed out, or a gateway did),
   * so it may yet be carried out after the error.
   */
  readonly mayStillRun: boolean;
}

export function isLogtoApiError(error: unknown): error is LogtoApiError {
  return error instanceof Error && (error as Partial<LogtoApiError>).kind === "logto-api-error";
}

/**
 * Logto's codes for "this object does not exist" (by id: `entity.not_exists_with_id`; app secrets by name:
 * `entity.not_found`). A 404 without one of them (a reverse proxy's page, a wrong path) says nothing about
 * the object, so it is an error like any other.
 */
const notExistsCodes: readonly string[] = ["entity.not_exists_with_id", "entity.not_found"];

export function isNotFound(error: unknown): boolean {
  return (
    isLogtoApiError(error) && error.status === 404 && error.code !== undefined && notExistsCodes.includes(error.code)
  );
}

const hints: Record<string, string> = {
  "oidc.invalid_client":
    "Logto rejected the machine-to-machine credentials: check logto:m2mAppId and logto:m2mAppSecret.",
  "auth.forbidden":
    'The M2M app lacks Management API access: assign it the "Logto Management API access" role (scope all).',
  "auth.unauthorized": "The access token was refused: check the M2M app and the API resource.",
  "connector.invalid_config":
    "Logto could not load the issuer's /.well-known/openid-configuration: check the issuer (https://login.microsoftonline.com/<tenant-id>/v2.0, no trailing slash), that Logto can reach it, and that clientId, clientSecret and issuer are all set.",
  "single_sign_on.forbidden_domains": "Remove public email domains from the connector's domains.",
  "single_sign_on.duplicated_domains": "List each email domain once.",
  "single_sign_on.duplicate_connector_name":
    "Choose another connectorName, or set adoptExisting: true to manage the existing connector.",
  "request.feature_not_supported":
    "This Logto server does not support the requested feature: token storage needs a secret vault key on the server; turn enableTokenStorage off or configure the vault.",
  "application.secret_name_exists": "An application secret with this name exists already.",
  "connector.not_found": "Unknown providerName: use AzureAdOidc for Microsoft Entra ID (OIDC).",
};

/**
 * Where an error is explained: `docs/troubleshooting.md` has a section per Logto code, headed by the code, so
 * its anchor is GitHub's slug of it (lowercase; dots dropped, underscores kept).
 */
export function troubleshootingLink(section: string): string {
  return `see docs/troubleshooting.md#${section
    .toLowerCase()
    .replace(/[^a-z0-9_ -]/g, "")
    .replace(/ /g, "-")}`;
}

export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[secret]");
  }
  return out;
}

/** Pulls the offending values out of Logto's error `data` (domain lists, Zod issues). */
function describeErrorData(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const record = data as Record<string, unknown>;
  if (Array.isArray(record.data) && record.data.every((v) => typeof v === "string")) {
    return `offending values: ${record.data.join(", ")}`;
  }
  if (Array.isArray(record.issues)) {
    const parts = record.issues.flatMap((issue: unknown) => {
      if (typeof issue !== "object" || issue === null) return [];
      const { path, message } = issue as { path?: unknown; message?: unknown };
      const where = Array.isArray(path) ? path.join(".") : "body";
      return [`${where}: ${String(message)}`];
    });
    if (parts.length > 0) return parts.join("; ");
  }
  return undefined;
}

export function apiError(
  message: string,
  fields: { status?: number; code?: string; outcomeUnknown?: boolean; mayStillRun?: boolean },
): LogtoApiError {
  return Object.assign(new Error(message), {
    kind: "logto-api-error" as const,
    status: fields.status,
    code: fields.code,
    outcomeUnknown: fields.outcomeUnknown ?? false,
    mayStillRun: fields.mayStillRun ?? false,
  });
}

export function errorFromResponse(action: string, response: AxiosResponse<unknown>): LogtoApiError {
  const data = typeof response.data === "object" && response.data !== null ? response.data : {};
  const body = data as { code?: unknown; message?: unknown; error_description?: unknown; data?: unknown };
  const code = typeof body.code === "string" ? body.code : undefined;
  const message =
    typeof body.message === "string"
      ? body.message
      : typeof body.error_description === "string"
        ? body.error_description
        : typeof response.data === "string" && response.data.length > 0
          ? response.data.slice(0, 200)
          : response.statusText;
  const details = describeErrorData(body.data);
  const hint = code ? hints[code] : undefined;
  const text =
    `Logto: ${action} failed: HTTP ${response.status}${code ? ` ${code}` : ""}: ${message}` +
    (details ? ` (${details})` : "") +
    (hint && code ? ` ${hint} (${troubleshootingLink(code)})` : "");
  return apiError(text, { status: response.status, code });
}

/** The Management API never redirects: a 3xx comes from something in front of Logto (or http:// vs https://). */
export function redirectError(action: string, response: AxiosResponse<unknown>): LogtoApiError {
  const location = typeof response.headers.location === "string" ? response.headers.location : "(no Location header)";
  return apiError(
    `Logto: ${action} failed: HTTP ${response.status} redirect to ${location}: the Management API answers without redirects; set logto:endpoint to the origin that answers directly (check https:// versus http://, and that no login page or proxy sits in front of /api; ${troubleshootingLink("HTTP 3xx redirect from the Management API")}).`,
    { status: response.status },
  );
}
