/** The Management API access token: one per client, fetched with the M2M credentials and shared by every caller. */
import type { AxiosInstance } from "axios";
import { LogtoApiError, apiError, isLogtoApiError, troubleshootingLink } from "./errors";
import { attempt, withRetries } from "./retryPolicy";
import { ManagementApiSettings, cloudTenantOf, managementApiResourceFor } from "./settings";

const tokenRefreshMarginMs = 60_000;

type CachedToken = { value: string; expiresAt: number };

export interface TokenCache {
  /** A token valid for at least another minute; concurrent callers share one fetch. */
  get(): Promise<string>;
  /** Drops `value` if it is still the cached token (Logto refused it: revoked, or expired early). */
  forget(value: string): void;
}

export function createTokenCache(settings: ManagementApiSettings, http: () => AxiosInstance): TokenCache {
  let token: CachedToken | undefined;
  let pendingToken: Promise<CachedToken> | undefined;

  /** Logto answers `invalid_target` when the resource is not its Management API's: say which one to use. */
  function unknownResourceError(error: LogtoApiError): LogtoApiError {
    const cloudHost = cloudTenantOf(settings.endpoint) !== undefined;
    const fix = cloudHost
      ? "check logto:tenantId / logto:managementApiResource against the tenant id in the Logto Console."
      : `if ${settings.endpoint} is a Logto Cloud tenant on a custom domain, run \`pulumi config set logto:tenantId <tenant id>\` (Logto Console > Tenant settings; the resource becomes https://<tenant id>.logto.app/api); a self-hosted Logto uses ${managementApiResourceFor(undefined)}.`;
    const link = troubleshootingLink("oidc.invalid_target");
    return apiError(
      `Logto: getting a Management API token failed: HTTP ${error.status ?? 400} oidc.invalid_target: ${settings.endpoint} does not know the API resource ${settings.resource}; ${fix} (${link})`,
      error,
    );
  }

  async function fetchToken(): Promise<CachedToken> {
    try {
      return await requestToken();
    } catch (error) {
      if (isLogtoApiError(error) && error.code === "oidc.invalid_target") throw unknownResourceError(error);
      throw error;
    }
  }

  async function requestToken(): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: "client_credentials", resource: settings.resource, scope: "all" });
    const response = await withRetries(
      settings,
      "getting a Management API token",
      true,
      () =>
        attempt(http(), {
          method: "POST",
          url: "/oidc/token",
          data: form.toString(),
          headers: { "content-type": "application/x-www-form-urlencoded" },
          auth: { username: settings.m2mAppId, password: settings.m2mAppSecret },
        }),
      [settings.m2mAppSecret],
    );
    const body = response.data as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== "string") {
      throw apiError("Logto: getting a Management API token failed: the answer carried no access_token.", {
        status: response.status,
      });
    }
    const lifetimeSeconds = typeof body.expires_in === "number" ? body.expires_in : 3600;
    return { value: body.access_token, expiresAt: Date.now() + lifetimeSeconds * 1000 };
  }

  return {
    async get() {
      if (token && token.expiresAt - Date.now() > tokenRefreshMarginMs) return token.value;
      pendingToken ??= fetchToken().finally(() => (pendingToken = undefined));
      token = await pendingToken;
      return token.value;
    },
    forget(value) {
      if (token?.value === value) token = undefined;
    },
  };
}
