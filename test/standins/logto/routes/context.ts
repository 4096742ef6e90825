import type { Reply } from "../http";
import type { LogtoState } from "../state";

export interface StandInSettings {
  tokenTtlSeconds: number;
  issuerFetchTimeoutMs: number;
  secretVaultConfigured: boolean;
  /** CA certificates (PEM) trusted for https issuers, instead of the system roots. */
  trustedCa?: readonly string[];
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
}

export interface Route {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  pattern: RegExp;
  handle(context: RouteContext): Reply | Promise<Reply>;
}
