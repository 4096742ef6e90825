/**
 * The retry policy: which failures are sent again, after how long, and when to give up (attempts and a time
 * budget). Written here rather than with axios-retry: that library decides to retry before it knows the delay
 * (the budget needs both), counts the one token refresh after a 401 as a retry, and sees only the answers axios
 * rejects, so redirects and outcome-unknown failures would be decided across four callbacks sharing state.
 */
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from "axios";
import { LogtoApiError, apiError, errorFromResponse, redact, redirectError } from "./errors";
import type { ManagementApiSettings } from "./settings";

/**
 * Failures that say the request never reached Logto: always safe to send again. Any other network failure
 * (reset, timeout) may have happened after Logto acted, so only idempotent requests are re-sent blindly.
 */
const notSentCodes: readonly string[] = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"];
/** axios's codes for "gave up waiting": the request reached Logto, which may still be carrying it out. */
const timeoutCodes: readonly string[] = ["ECONNABORTED", "ETIMEDOUT"];

export type RetrySettings = Pick<
  ManagementApiSettings,
  "endpoint" | "maxAttempts" | "retryBaseDelayMs" | "retryBudgetMs"
>;

export type AttemptResult = { kind: "response"; response: AxiosResponse<unknown> } | { kind: "network"; code: string };

function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== "string" || header === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkCode(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === "string") return code;
    if (typeof message === "string" && /socket hang up/i.test(message)) return "ECONNRESET";
  }
  return "EUNKNOWN";
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One HTTP exchange; a failure without an answer becomes its network code (the client validates no status). */
export async function attempt(http: AxiosInstance, config: AxiosRequestConfig): Promise<AttemptResult> {
  try {
    return { kind: "response", response: await http.request<unknown>(config) };
  } catch (error) {
    return { kind: "network", code: networkCode(error) };
  }
}

/**
 * Sends one logical request with bounded retries. `idempotent` decides whether a request whose answer was
 * lost may be sent again; when it may not, the failure is reported as outcome-unknown.
 */
export async function withRetries(
  settings: RetrySettings,
  action: string,
  idempotent: boolean,
  perform: () => Promise<AttemptResult>,
  sensitive: Array<string | undefined>,
): Promise<AxiosResponse<unknown>> {
  const started = Date.now();
  const fail = (message: string, fields: Parameters<typeof apiError>[1]) =>
    apiError(redact(message, sensitive), fields);
  for (let attemptNo = 1; ; attemptNo++) {
    const result = await perform();
    let retryDelay: number | undefined;
    let failure: LogtoApiError;
    if (result.kind === "response") {
      const { response } = result;
      const status = response.status;
      if (status >= 200 && status < 300) return response;
      if (status >= 300 && status < 400) throw redirectError(action, response);
      failure = errorFromResponse(action, response);
      if (status === 429 || status === 503) {
        retryDelay = retryAfterMs(response.headers["retry-after"]);
      } else if (status === 502 || status === 504) {
        if (!idempotent) {
          const outcome = { status, code: failure.code, outcomeUnknown: true, mayStillRun: status === 504 };
          throw fail(`${failure.message} The outcome is unknown.`, outcome);
        }
      } else {
        throw fail(failure.message, { status, code: failure.code });
      }
    } else {
      const lost = !notSentCodes.includes(result.code);
      const text = `Logto: ${action} failed: no answer from ${settings.endpoint} (${result.code}).`;
      if (lost && !idempotent) {
        const outcome = { outcomeUnknown: true, mayStillRun: timeoutCodes.includes(result.code) };
        throw fail(`${text} The outcome is unknown.`, outcome);
      }
      failure = apiError(text, {});
    }
    const backoff = Math.random() * settings.retryBaseDelayMs * 2 ** (attemptNo - 1);
    const delay = retryDelay ?? backoff;
    const elapsed = Date.now() - started;
    if (attemptNo >= settings.maxAttempts || elapsed + delay > settings.retryBudgetMs) {
      const gaveUp = `Gave up after ${attemptNo} attempt(s) in ${(elapsed / 1000).toFixed(1)} s.`;
      throw fail(`${failure.message} ${gaveUp}`, { status: failure.status, code: failure.code });
    }
    await sleep(delay);
  }
}
