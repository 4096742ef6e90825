/**
 * Time-based client secret rotation without a time provider: the rotation period number is computed from
 * a fixed epoch and the period length, so it only changes at period boundaries and every preview in
 * between is clean.
 */

const dayMs = 24 * 60 * 60 * 1000;

/** How long a secret stays valid after its period ends, so a late `pulumi up` still finds it working. */
export const secretGraceDays = 30;

export interface SecretRotationWindow {
  /** Rotation period number since the epoch; a new number replaces the secret. */
  period: number;
  /** Value for `rotateWhenChanged`. */
  trigger: { period: string };
  /** When the next period starts (RFC 3339). */
  rotatesAt: string;
  /** When the secret of this period expires: the next period start plus the grace (RFC 3339). */
  endDate: string;
}

/** Parses `YYYY-MM-DD` as midnight UTC; undefined when it is not a real calendar date. */
export function parseEpochDate(text: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().startsWith(text) ? date : undefined;
}

/** RFC 3339 without milliseconds, as Entra shows credential dates. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function secretRotationWindow(args: { epoch: string; days: number; now: Date }): SecretRotationWindow {
  const epoch = parseEpochDate(args.epoch);
  if (!epoch) throw new Error(`rotation epoch is "${args.epoch}": give a date as YYYY-MM-DD, e.g. 2025-01-01.`);
  if (!Number.isInteger(args.days) || args.days < 1) {
    throw new Error(`rotation period is ${args.days} days: give a whole number of days of at least 1.`);
  }
  const elapsed = args.now.getTime() - epoch.getTime();
  if (elapsed < 0) throw new Error(`rotation epoch ${args.epoch} is in the future: use a past date.`);
  const periodMs = args.days * dayMs;
  const period = Math.floor(elapsed / periodMs);
  const next = epoch.getTime() + (period + 1) * periodMs;
  return {
    period,
    trigger: { period: String(period) },
    rotatesAt: rfc3339(next),
    endDate: rfc3339(next + secretGraceDays * dayMs),
  };
}
