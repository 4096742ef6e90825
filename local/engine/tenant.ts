/**
 * The engine tests' own view of a Logto tenant, through the Management API with `fetch` (not the provider's
 * client, which is what is under test). It reads what the stack made and makes the edits a person would make
 * in the Logto console, so the same steps run against the stand-in and against a real Logto.
 */
import { defaultManagementApiResource } from "../../providers/logto/settings";

export interface ManagementApiAccess {
  endpoint: string;
  m2mAppId: string;
  m2mAppSecret: string;
}

export interface ConnectorRow {
  id: string;
  connectorName: string;
  providerName: string;
  domains: string[];
  config: { clientId?: string; clientSecret?: string; issuer?: string; [key: string]: unknown };
  /** The IdP's discovery, which Logto fetches at read time; absent when the issuer is unreachable. */
  providerConfig?: Record<string, unknown>;
}

export interface ApplicationRow {
  id: string;
  name: string;
  type: string;
  oidcClientMetadata: { redirectUris: string[]; postLogoutRedirectUris: string[] };
}

export interface AppSecretRow {
  name: string;
  value: string;
}

/** A user as `GET /api/users/:id?includeSsoIdentities=true` shows it: the rows that link it to SSO connectors. */
export interface UserRow {
  id: string;
  name: string | null;
  primaryEmail: string | null;
  ssoIdentities: Array<{
    userId: string;
    issuer: string;
    identityId: string;
    ssoConnectorId: string;
    detail: Record<string, unknown>;
  }>;
}

/** An audit log entry (what the console's audit log shows), `GET /api/logs`. */
export interface LogRow {
  id: string;
  key: string;
  payload: { result: "Success" | "Error"; error?: unknown; [key: string]: unknown };
  createdAt: number;
}

/** What the tests compare before and after a stack's life. */
export interface TenantSnapshot {
  connectorIds: string[];
  applicationIds: string[];
  /** The tenant-wide SSO switch; left out where others share the tenant and change it too (`runScoped`). */
  singleSignOnEnabled?: boolean;
}

export interface Tenant {
  connectors(): Promise<ConnectorRow[]>;
  connector(id: string): Promise<ConnectorRow>;
  applications(): Promise<ApplicationRow[]>;
  appSecrets(applicationId: string): Promise<AppSecretRow[]>;
  singleSignOnEnabled(): Promise<boolean>;
  user(id: string): Promise<UserRow>;
  /** The newest audit log entries of one key (one page of 100). */
  logs(logKey: string): Promise<LogRow[]>;
  snapshot(): Promise<TenantSnapshot>;
  /** A console edit of the connector: PATCH with the complete config, as Logto replaces it whole. */
  editConnector(id: string, change: { domains: string[]; config: ConnectorRow["config"] }): Promise<void>;
  deleteConnector(id: string): Promise<void>;
  deleteApplication(id: string): Promise<void>;
  deleteUser(id: string): Promise<void>;
  setSingleSignOnEnabled(enabled: boolean): Promise<void>;
}

export function tenantOf(access: ManagementApiAccess): Tenant {
  let token: string | undefined;

  async function accessToken(): Promise<string> {
    if (token) return token;
    const response = await fetch(`${access.endpoint}/oidc/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${access.m2mAppId}:${access.m2mAppSecret}`).toString("base64")}`,
      },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        resource: defaultManagementApiResource(access.endpoint),
        scope: "all",
      }),
    });
    if (!response.ok) {
      // The body may echo the request; only the status is safe to show.
      throw new Error(`engine tests: the M2M token request to ${access.endpoint} answered HTTP ${response.status}`);
    }
    token = ((await response.json()) as { access_token: string }).access_token;
    return token;
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${access.endpoint}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await accessToken()}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(
        `engine tests: ${method} ${path} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`,
      );
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  const tenant: Tenant = {
    connectors: () => call<ConnectorRow[]>("GET", "/api/sso-connectors"),
    connector: (id) => call<ConnectorRow>("GET", `/api/sso-connectors/${encodeURIComponent(id)}`),
    applications: () => call<ApplicationRow[]>("GET", "/api/applications"),
    appSecrets: (applicationId) => call<AppSecretRow[]>("GET", `/api/applications/${applicationId}/secrets`),
    async singleSignOnEnabled() {
      return (await call<{ singleSignOnEnabled: boolean }>("GET", "/api/sign-in-exp")).singleSignOnEnabled;
    },
    user: (id) => call<UserRow>("GET", `/api/users/${encodeURIComponent(id)}?includeSsoIdentities=true`),
    logs: (logKey) => call<LogRow[]>("GET", `/api/logs?${new URLSearchParams({ logKey, page_size: "100" })}`),
    async snapshot() {
      const [connectors, applications, singleSignOnEnabled] = await Promise.all([
        tenant.connectors(),
        tenant.applications(),
        tenant.singleSignOnEnabled(),
      ]);
      return {
        connectorIds: connectors.map((row) => row.id).sort(),
        applicationIds: applications.map((row) => row.id).sort(),
        singleSignOnEnabled,
      };
    },
    async editConnector(id, change) {
      await call("PATCH", `/api/sso-connectors/${id}`, change);
    },
    async deleteConnector(id) {
      await call("DELETE", `/api/sso-connectors/${id}`);
    },
    async deleteApplication(id) {
      await call("DELETE", `/api/applications/${id}`);
    },
    async deleteUser(id) {
      await call("DELETE", `/api/users/${id}`);
    },
    async setSingleSignOnEnabled(enabled) {
      await call("PATCH", "/api/sign-in-exp", { singleSignOnEnabled: enabled });
    },
  };
  return tenant;
}

/**
 * A tenant others use at the same time (a shared real Logto), as one run sees it: its snapshots hold only the
 * objects whose names carry the run's unique suffix, and not the tenant-wide SSO switch, which others' stacks
 * turn on and off; everything else is the tenant's.
 */
export function runScoped(tenant: Tenant, suffix: string): Tenant {
  return {
    ...tenant,
    async snapshot() {
      const [connectors, applications] = await Promise.all([tenant.connectors(), tenant.applications()]);
      return {
        connectorIds: connectors
          .filter((row) => row.connectorName.includes(suffix))
          .map((row) => row.id)
          .sort(),
        applicationIds: applications
          .filter((row) => row.name.includes(suffix))
          .map((row) => row.id)
          .sort(),
      };
    },
  };
}
