import type { Reply } from "../http";
import type { LogtoState } from "../state";

export interface StandInSettings {
  tokenTtlSeconds: number;
  /** The resource indicator M2M tokens are issued for. */
  managementApiResource: string;
  issuerFetchTimeoutMs: number;
  secretVaultConfigured: boolean;
  /** CA certificates (PEM) trusted for https issuers, instead of the system roots. */
  trustedCa?: readonly string[];
  /**
   * How GET/PATCH answers show a connector's `config.clientSecret`: "plain" as the recorded Logto 1.42 does,
   * "masked" or "empty" as newer releases may. The stored secret is unchanged.
   */
  connectorSecretOnRead: "plain" | "masked" | "empty";
}

export interface RouteContext {
  state: LogtoState;
  settings: StandInSettings;
  /** Aborted when the stand-in closes, so slow work (issuer discovery) stops. */
  signal: AbortSignal;
  body: unknown;
  query: URLSearchParams;
  /** "http://127.0.0.1:<port>" */
  origin: string;
  pathname: string;
  /** Decoded path segments captured by the route pattern. */
  params: string[];
  /** Ends a user's sessions and revokes what was issued to them (the sign-in side's store). */
  signOutUser(userId: string): void;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  pattern: RegExp;
  handle(context: RouteContext): Reply | Promise<Reply>;
}
