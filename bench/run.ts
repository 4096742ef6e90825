/**
 * `npm run bench`: the product's stack of N connections against the baseline of the same graph, for N = 1, 10,
 * 50 (`--quick`: 1 and 10, once, no added latency), each operation timed (min and median over the repeats)
 * and its calls counted against the floors. Writes bench/results/<date>.json and .md and a plot; exits 1 when
 * a call count exceeds its floor or destroy leaves an object behind.
 *
 *   npm run bench [-- --quick] [--modes managed,provided] [--sizes 1,10,50] [--latency 0,50] [--repeats 3]
 *                 [--destroy-parallel P] [--out bench/results] [--label name]
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ensurePluginsOnPath } from "../local/engine/plugins";
import { graphFloorViolations, logtoFloorViolations, operations } from "./counts";
import { renderPlot } from "./plot";
import { renderReport, summarise, type BenchCell, type BenchResult } from "./report";
import {
  benchModes,
  benchTenantIds,
  runBaseline,
  runProduct,
  startLocalStandIns,
  uniqueStackName,
  type BenchMode,
} from "./scenario";

interface BenchOptions {
  modes: BenchMode[];
  sizes: number[];
  latencies: number[];
  repeats: number;
  outDir: string;
  /** Names the result files: <date>[-<label>].json */
  label?: string;
  quick: boolean;
  /** `destroy --parallel`: the engine's default (CPU count × 4) when absent. */
  destroyParallel?: number;
}

function numberList(flag: string, text: string | undefined, min: number): number[] {
  const values = (text ?? "").split(",").map(Number);
  if (text === undefined || values.some((value) => !Number.isInteger(value) || value < min)) {
    throw new Error(
      `bench: ${flag} takes whole numbers >= ${min} separated by commas, e.g. ${flag} 1,10,50; got ${text ?? "nothing"}`,
    );
  }
  return values;
}

function modeList(text: string | undefined): BenchMode[] {
  const modes = (text ?? "").split(",");
  const unknown = modes.filter((mode) => !benchModes.includes(mode as BenchMode));
  if (text === undefined || unknown.length > 0) {
    throw new Error(
      `bench: --modes takes ${benchModes.join(" and/or ")} separated by commas; got ${text ?? "nothing"}`,
    );
  }
  return modes as BenchMode[];
}

function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes("--quick");
  const options: BenchOptions = {
    modes: [...benchModes],
    sizes: quick ? [1, 10] : [1, 10, 50],
    latencies: quick ? [0] : [0, 50],
    repeats: quick ? 1 : 3,
    outDir: path.resolve(__dirname, "results"),
    quick,
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = argv[index + 1];
    if (flag === "--quick") continue;
    if (flag === "--modes") options.modes = modeList(value);
    else if (flag === "--sizes") options.sizes = numberList(flag, value, 1);
    else if (flag === "--latency") options.latencies = numberList(flag, value, 0);
    else if (flag === "--repeats") [options.repeats] = numberList(flag, value, 1);
    else if (flag === "--destroy-parallel") [options.destroyParallel] = numberList(flag, value, 1);
    else if (flag === "--out" && value !== undefined) options.outDir = path.resolve(value);
    else if (flag === "--label" && value !== undefined && /^[a-z0-9-]+$/.test(value)) options.label = value;
    else
      throw new Error(
        `bench: unknown option ${flag}; use --quick, --modes managed,provided, --sizes 1,10,50, --latency 0,50, --repeats 3, --destroy-parallel 64, --out <dir>, --label <lowercase-name>`,
      );
    index++;
  }
  return options;
}

async function runCell(
  mode: BenchMode,
  size: number,
  latencyMs: number,
  repeats: number,
  scratch: string,
  destroyParallel: number | undefined,
): Promise<BenchCell> {
  const standIns = await startLocalStandIns({ tenantIds: benchTenantIds(size) });
  const cell: BenchCell = { mode, size, latencyMs, product: [], baseline: [], violations: [] };
  try {
    standIns.logto.faults.latencyMs = latencyMs;
    standIns.entra.faults.latencyMs = latencyMs;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const shapeFile = path.join(scratch, `shape-${mode}-${size}-${latencyMs}-${repeat}.json`);
      process.stderr.write(
        `bench: ${mode}, N=${size}, latency ${latencyMs} ms, run ${repeat + 1}/${repeats}: product…`,
      );
      const product = await runProduct(standIns, {
        count: size,
        mode,
        stackName: uniqueStackName(`bench${size}`),
        shapeFile,
        destroyParallel,
      });
      process.stderr.write(" baseline…");
      const baseline = await runBaseline(shapeFile, uniqueStackName(`base${size}`), destroyParallel);
      process.stderr.write(" done\n");
      cell.product.push(product);
      cell.baseline.push(baseline);
      for (const sample of product.samples) {
        if (sample.logto)
          cell.violations.push(...logtoFloorViolations(sample.operation, sample.logto, product.logtoObjects));
        if (sample.graph && mode === "managed")
          cell.violations.push(...graphFloorViolations(sample.operation, sample.graph, size));
      }
      cell.violations.push(...product.leftAfterDestroy.map((left) => `destroy left ${left}`));
    }
  } finally {
    await standIns.close();
  }
  cell.violations = [...new Set(cell.violations)];
  return cell;
}

/** Writes the result so far: a long run that is stopped keeps the cells it finished. */
async function writeResult(
  options: BenchOptions,
  cells: BenchCell[],
  real: string[],
): Promise<{ stem: string; result: BenchResult }> {
  const result: BenchResult = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    plugins: { real, doubles: ["azuread", "docker", "command"].filter((name) => !real.includes(name)) },
    options: {
      modes: options.modes,
      sizes: options.sizes,
      latencies: options.latencies,
      repeats: options.repeats,
      quick: options.quick,
      destroyParallel: options.destroyParallel,
    },
    operations: [...operations],
    cells: cells.map(summarise),
  };
  await mkdir(options.outDir, { recursive: true });
  const label = options.label ?? (options.quick ? "quick" : undefined);
  const stem = path.join(options.outDir, `${result.date.slice(0, 10)}${label ? `-${label}` : ""}`);
  await writeFile(`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(`${stem}.md`, renderReport(result));
  await writeFile(`${stem}.svg`, renderPlot(result));
  return { stem, result };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const plugins = await ensurePluginsOnPath();
  const scratch = await mkdtemp(path.join(os.tmpdir(), "logto-bench-"));
  const cells: BenchCell[] = [];
  try {
    for (const mode of options.modes) {
      for (const latencyMs of options.latencies) {
        for (const size of options.sizes) {
          cells.push(await runCell(mode, size, latencyMs, options.repeats, scratch, options.destroyParallel));
          await writeResult(options, cells, plugins.real);
        }
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const { stem, result } = await writeResult(options, cells, plugins.real);
  process.stdout.write(`${renderReport(result)}\nbench: wrote ${stem}.json, .md, .svg\n`);
  const violations = result.cells.flatMap((cell) =>
    cell.violations.map((text) => `${cell.mode}, N=${cell.size}, ${cell.latencyMs} ms: ${text}`),
  );
  if (violations.length > 0) {
    process.stderr.write(
      `bench: ${violations.length} call counts over their floor or objects left:\n  ${violations.join("\n  ")}\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
