/**
 * Creates whose answer may be lost (connection dropped, gateway timeout): before sending again, look whether the
 * first attempt went through, so a lost answer never makes a duplicate.
 */
import { isLogtoApiError } from "./errors";
import { sleep } from "./retryPolicy";
import type { ManagementApiSettings } from "./settings";

type CreateSettings = Pick<ManagementApiSettings, "maxAttempts" | "requestTimeoutMs" | "retryBaseDelayMs">;

/**
 * Looks for the object a create with a lost answer may have made. A request that timed out may still be
 * running at Logto, which carries it out even though the client gave up: looking once and sending again
 * made a second application (names are not unique there). So it looks again, more slowly, for as long
 * as one more request timeout, before saying there is none.
 */
async function findAfterUnknownOutcome<T>(
  settings: CreateSettings,
  findExisting: () => Promise<T | undefined>,
  mayStillRun: boolean,
): Promise<T | undefined> {
  const deadline = Date.now() + (mayStillRun ? settings.requestTimeoutMs : 0);
  for (let look = 0; ; look++) {
    const found = await findExisting();
    if (found !== undefined || Date.now() >= deadline) return found;
    await sleep(Math.min(deadline - Date.now(), Math.max(50, settings.retryBaseDelayMs) * 2 ** look));
  }
}

export async function createOnce<T>(
  settings: CreateSettings,
  create: () => Promise<T>,
  findExisting: () => Promise<T | undefined>,
): Promise<T> {
  for (let attemptNo = 1; ; attemptNo++) {
    try {
      return await create();
    } catch (error) {
      if (!isLogtoApiError(error) || !error.outcomeUnknown) throw error;
      const existing = await findAfterUnknownOutcome(settings, findExisting, error.mayStillRun);
      if (existing !== undefined) return existing;
      if (attemptNo >= settings.maxAttempts) throw error;
    }
  }
}
