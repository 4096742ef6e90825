/** The benchmark's result: per cell and operation, time (min, median) of both stacks, calls, and the report. */
import type { CallCounts, Operation } from "./counts";
import type { BenchMode, ProductRun, StackRun } from "./scenario";

/** What one (N, latency) pair measured, every repeat kept. */
export interface BenchCell {
  mode: BenchMode;
  size: number;
  latencyMs: number;
  product: ProductRun[];
  baseline: StackRun[];
  violations: string[];
}

export interface Timing {
  min: number;
  median: number;
}

export interface OperationSummary {
  operation: Operation;
  product: Timing;
  baseline: Timing;
  /** product median / baseline median: the goal is <= 1.2. */
  ratio: number;
  /** The most calls any repeat made (they are the same in a healthy run). */
  logto: CallCounts;
  graph: CallCounts;
}

export interface CellSummary {
  mode: BenchMode;
  size: number;
  latencyMs: number;
  repeats: number;
  resources: { product: number; baseline: number };
  stateBytes: { product: number; baseline: number };
  operations: OperationSummary[];
  violations: string[];
}

export interface BenchResult {
  date: string;
  machine: string;
  plugins: { real: string[]; doubles: string[] };
  options: {
    modes: BenchMode[];
    sizes: number[];
    latencies: number[];
    repeats: number;
    quick: boolean;
    /** `destroy --parallel` of product and baseline; absent: the engine's default. */
    destroyParallel?: number;
  };
  operations: Operation[];
  cells: CellSummary[];
}

export const timeGoal = 1.2;

function timing(values: number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median };
}

const noCalls: CallCounts = { token: 0, get: 0, post: 0, patch: 0, delete: 0, maxInFlight: 0 };

function mostCalls(counts: (CallCounts | undefined)[]): CallCounts {
  return counts.reduce<CallCounts>((most, next) => {
    if (!next) return most;
    const keys = Object.keys(most) as (keyof CallCounts)[];
    return Object.fromEntries(keys.map((key) => [key, Math.max(most[key], next[key])])) as unknown as CallCounts;
  }, noCalls);
}

function secondsOf(runs: readonly StackRun[], operation: Operation): number[] {
  return runs.flatMap((run) =>
    run.samples.filter((sample) => sample.operation === operation).map((sample) => sample.seconds),
  );
}

export function summarise(cell: BenchCell): CellSummary {
  const operations = (cell.product[0]?.samples ?? []).map(({ operation }): OperationSummary => {
    const product = timing(secondsOf(cell.product, operation));
    const baseline = timing(secondsOf(cell.baseline, operation));
    const samples = cell.product.flatMap((run) => run.samples.filter((sample) => sample.operation === operation));
    return {
      operation,
      product,
      baseline,
      ratio: product.median / baseline.median,
      logto: mostCalls(samples.map((sample) => sample.logto)),
      graph: mostCalls(samples.map((sample) => sample.graph)),
    };
  });
  return {
    mode: cell.mode,
    size: cell.size,
    latencyMs: cell.latencyMs,
    repeats: cell.product.length,
    resources: { product: cell.product[0]?.resources ?? 0, baseline: cell.baseline[0]?.resources ?? 0 },
    stateBytes: { product: cell.product[0]?.stateBytes ?? 0, baseline: cell.baseline[0]?.stateBytes ?? 0 },
    operations,
    violations: cell.violations,
  };
}

function calls(counts: CallCounts): string {
  return `${counts.token}/${counts.get}/${counts.post}/${counts.patch}/${counts.delete} (≤${counts.maxInFlight})`;
}

/** The Markdown report: one table per cell. */
export function renderReport(result: BenchResult): string {
  const lines = [
    `# Benchmark ${result.date.slice(0, 10)}`,
    "",
    `Machine: ${result.machine}. Plugins: real ${result.plugins.real.join(", ") || "none"}; doubles ${result.plugins.doubles.join(", ") || "none"}.`,
    `Repeats: ${result.options.repeats}${result.options.destroyParallel ? `; destroy with --parallel ${result.options.destroyParallel}` : ""}. Times in seconds, min / median; ratio = product median / baseline median (goal ≤ ${timeGoal}).`,
    "Calls: token/GET/POST/PATCH+PUT/DELETE (most requests in flight at once), the most any repeat made.",
    "",
  ];
  for (const cell of result.cells) {
    lines.push(
      `## ${cell.mode}, N = ${cell.size}, added latency ${cell.latencyMs} ms`,
      "",
      `Resources: ${cell.resources.product} (baseline ${cell.resources.baseline}). State: ${(cell.stateBytes.product / 1024).toFixed(0)} KiB (baseline ${(cell.stateBytes.baseline / 1024).toFixed(0)} KiB).`,
      "",
      "| operation | product | baseline | ratio | Logto calls | Graph calls |",
      "| --- | --- | --- | --- | --- | --- |",
      ...cell.operations.map(
        (op) =>
          `| ${op.operation} | ${op.product.min.toFixed(1)} / ${op.product.median.toFixed(1)} | ${op.baseline.min.toFixed(1)} / ${op.baseline.median.toFixed(1)} | ${op.ratio.toFixed(2)}${op.ratio > timeGoal ? " ✗" : ""} | ${calls(op.logto)} | ${calls(op.graph)} |`,
      ),
      "",
      cell.violations.length === 0
        ? "Every call count at or under its floor; nothing left after destroy."
        : `Over the floor: ${cell.violations.join("; ")}.`,
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}
