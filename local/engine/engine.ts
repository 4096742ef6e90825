/**
 * The real Pulumi engine for tests: the CLI from local/engine/pulumi-engine.sh, driven through the Automation API
 * (`LocalWorkspace`) with everything it writes kept in one temporary directory: a local file backend, its own
 * PULUMI_HOME and TMPDIR, a random passphrase secrets provider, and automatic plugin downloads off. Every line
 * and event the engine emits is kept, so tests can search all of it (for secrets, for instance).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  DestroyResult,
  EngineEvent,
  LocalWorkspace,
  OpType,
  PreviewResult,
  RefreshResult,
  Stack,
  UpResult,
} from "@pulumi/pulumi/automation";
import type { TextSource } from "./leaks";

const run = promisify(execFile);

export const repoRoot = path.resolve(__dirname, "../..");
export const engineProgramDir = path.join(repoRoot, "test/engine/program");

/**
 * Runs a script that prints a bin directory (local/engine/pulumi-engine.sh, local/engine/provider-plugins.sh) and puts
 * that directory first on PATH.
 */
/** Runs a script of ours that prints one bin directory, puts it first on PATH; returns it and the script's log. */
export async function putScriptBinOnPath(script: string): Promise<{ bin: string; log: string }> {
  const { stdout, stderr } = await run("bash", [path.join(repoRoot, script)], { maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: Error & { stderr?: string }) => {
      throw new Error(`${script} failed: ${error.stderr ?? error.message}`);
    },
  );
  const bin = stdout.trim();
  const entries = (process.env.PATH ?? "").split(path.delimiter);
  if (entries[0] !== bin) process.env.PATH = [bin, ...entries.filter((entry) => entry !== bin)].join(path.delimiter);
  return { bin, log: stderr };
}

let engineBin: Promise<string> | undefined;

/**
 * Puts the engine at the SDK's version first on PATH (building it on first use; warm it takes a fraction of a
 * second). `npm test` has done this already; the call makes `npx vitest run test/engine` work alone.
 */
export function ensureEngineOnPath(): Promise<string> {
  engineBin ??= putScriptBinOnPath("local/engine/pulumi-engine.sh").then(({ bin }) => bin);
  return engineBin;
}

/** A resource step the engine reported, without the `same` ones. */
export interface ChangeStep {
  op: OpType;
  type: string;
  /** The resource's name (last URN segment). */
  name: string;
  diffs: string[];
  /** The properties that force a replacement (replace steps). */
  replaceKeys: string[];
}

export interface Operation<Result> {
  result: Result;
  events: EngineEvent[];
  /** Steps other than `same` (and, for a refresh, other than the `refresh` reads themselves). */
  changes: ChangeStep[];
}

/** A temporary home for everything the engine writes, and the environment that points it there. */
export interface EngineEnvironment {
  /** The temporary directory; the engine's backend, PULUMI_HOME and TMPDIR are under it. */
  root: string;
  env: Record<string, string>;
  /** Paths of every file written under it: backend (state, history, backups), PULUMI_HOME, TMPDIR. */
  files: () => Promise<string[]>;
  dispose: () => Promise<void>;
}

export interface EngineSandbox {
  stack: Stack;
  stackName: string;
  /** The environment every engine command of this sandbox runs with. */
  env: Record<string, string>;
  /** Every piece of text the engine produced so far: stdout, stderr, events, CLI output. */
  readonly transcript: readonly TextSource[];
  up(options?: { refresh?: boolean }): Promise<Operation<UpResult>>;
  preview(options?: { refresh?: boolean }): Promise<Operation<PreviewResult>>;
  refresh(): Promise<Operation<RefreshResult>>;
  /** `parallel`: at most this many resource operations at once (the CLI's --parallel). */
  destroy(options?: { parallel?: number }): Promise<Operation<DestroyResult>>;
  /** Runs the pulumi CLI in the program directory with this sandbox's environment; output is transcribed. */
  cli(args: string[]): Promise<string>;
  /** Paths of every file the engine wrote: backend (state, history, backups), PULUMI_HOME, TMPDIR, stack settings. */
  files(): Promise<string[]>;
  /** Removes the stack's settings file and the temporary directory (the stack itself is the test's business). */
  dispose(): Promise<void>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(full) : Promise.resolve([full]);
    }),
  );
  return nested.flat();
}

function changeSteps(events: EngineEvent[], ignore: OpType[]): ChangeStep[] {
  return events.flatMap((event) => {
    const step = event.resourcePreEvent?.metadata;
    if (!step || step.op === "same" || ignore.includes(step.op)) return [];
    return [
      {
        op: step.op,
        type: step.type,
        name: step.urn.split("::").pop() ?? step.urn,
        diffs: step.diffs ?? [],
        replaceKeys: step.keys ?? [],
      },
    ];
  });
}

/**
 * Settings the provider would otherwise take from the environment are blanked, so a passing run proves that
 * the dynamic provider's `configure` received the stack config.
 */
const blankedProviderEnv = [
  "LOGTO_ENDPOINT",
  "LOGTO_M2M_APP_ID",
  "LOGTO_M2M_APP_SECRET",
  "LOGTO_MANAGEMENT_API_RESOURCE",
  "LOGTO_REQUEST_TIMEOUT_MS",
  "LOGTO_MAX_ATTEMPTS",
  "LOGTO_RETRY_BASE_DELAY_MS",
  "LOGTO_RETRY_BUDGET_MS",
];

export async function createEngineEnvironment(): Promise<EngineEnvironment> {
  await ensureEngineOnPath();
  const root = await mkdtemp(path.join(os.tmpdir(), "logto-engine-test-"));
  const dirs = { backend: path.join(root, "backend"), home: path.join(root, "home"), tmp: path.join(root, "tmp") };
  await Promise.all(Object.values(dirs).map((dir) => mkdir(dir)));
  const env: Record<string, string> = {
    ...Object.fromEntries(blankedProviderEnv.map((name) => [name, ""])),
    PATH: process.env.PATH ?? "",
    PULUMI_BACKEND_URL: `file://${dirs.backend}`,
    PULUMI_HOME: dirs.home,
    PULUMI_CONFIG_PASSPHRASE: randomBytes(18).toString("base64url"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    TMPDIR: dirs.tmp,
  };
  return {
    root,
    env,
    files: () => filesUnder(root),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

export async function createEngineSandbox(
  stackName: string,
  programDir = engineProgramDir,
  extraEnv: Record<string, string> = {},
): Promise<EngineSandbox> {
  const environment = await createEngineEnvironment();
  const { files, dispose } = environment;
  const env = { ...environment.env, ...extraEnv };
  const transcript: TextSource[] = [];
  let operationCount = 0;
  const stackSettingsFile = path.join(programDir, `Pulumi.${stackName}.yaml`);
  const stack = await LocalWorkspace.createStack({ stackName, workDir: programDir }, { envVars: env });

  async function operation<Result>(
    perform: (callbacks: {
      onOutput: (text: string) => void;
      onError: (text: string) => void;
      onEvent: (event: EngineEvent) => void;
    }) => Promise<Result>,
    ignore: OpType[] = [],
  ): Promise<Operation<Result>> {
    const events: EngineEvent[] = [];
    const label = `operation ${++operationCount}`;
    const callbacks = {
      onOutput: (text: string) => transcript.push({ where: `${label} stdout`, text }),
      onError: (text: string) => transcript.push({ where: `${label} stderr`, text }),
      onEvent: (event: EngineEvent) => {
        events.push(event);
        // The SDK's type leaves "debug" out of the severities, but the engine sends it.
        const severity: string = event.diagnosticEvent?.severity ?? "";
        const debug = severity === "debug";
        const what = debug ? ` (debug diagnostic "${event.diagnosticEvent?.message.slice(0, 40)}…")` : "";
        transcript.push({
          where: `${label} event #${event.sequence}${what}`,
          text: JSON.stringify(event),
          debugDiagnostic: debug,
        });
      },
    };
    try {
      const result = await perform(callbacks);
      return { result, events, changes: changeSteps(events, ignore) };
    } catch (error) {
      // A failed command's message carries its whole stdout and stderr.
      transcript.push({ where: `${label} error`, text: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  return {
    stack,
    stackName,
    env,
    transcript,
    up: (options = {}) => operation((callbacks) => stack.up({ ...callbacks, refresh: options.refresh }), ["refresh"]),
    preview: (options = {}) =>
      operation((callbacks) => stack.preview({ ...callbacks, refresh: options.refresh, diff: true }), ["refresh"]),
    // A refresh reports its reads as `refresh` steps; what it changed in the state shows as update/delete.
    refresh: () => operation((callbacks) => stack.refresh(callbacks)),
    destroy: (options = {}) => operation((callbacks) => stack.destroy({ ...callbacks, parallel: options.parallel })),
    async cli(args) {
      try {
        const { stdout, stderr } = await run("pulumi", [...args, "--stack", stackName, "--non-interactive"], {
          cwd: programDir,
          env: { ...process.env, ...env },
          maxBuffer: 64 * 1024 * 1024,
        });
        transcript.push({ where: `pulumi ${args.join(" ")}`, text: stdout + stderr });
        return stdout;
      } catch (error) {
        const failure = error as Error & { stdout?: string; stderr?: string };
        transcript.push({ where: `pulumi ${args.join(" ")}`, text: (failure.stdout ?? "") + (failure.stderr ?? "") });
        throw new Error(`pulumi ${args.join(" ")} failed: ${failure.stderr ?? failure.message}`, { cause: error });
      }
    },
    async files() {
      const written = await files();
      const settings = await stat(stackSettingsFile).then(
        () => [stackSettingsFile],
        () => [],
      );
      return [...written, ...settings];
    },
    async dispose() {
      await rm(stackSettingsFile, { force: true });
      await dispose();
    },
  };
}

/** A suite's end: destroys and removes the sandbox's stack (what is already gone is no failure), then the sandbox. */
export async function removeEngineStack(engine: EngineSandbox | undefined): Promise<void> {
  if (!engine) return;
  await engine.stack.destroy().catch(() => undefined);
  await engine.stack.workspace.removeStack(engine.stackName, { force: true }).catch(() => undefined);
  await engine.dispose();
}

/** The text of every file, for searching (binary files included as they are). */
/** A resource of an exported state, as far as the tests read it (the Automation API types the deployment `any`). */
export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** The resources of the stack's current state (`pulumi stack export`), read as `R` (the fields a caller uses). */
export async function stateResources<R extends Pick<StateResource, "urn" | "type"> = StateResource>(
  stack: Stack,
): Promise<R[]> {
  const { deployment } = (await stack.exportStack()) as { deployment: { resources?: R[] } };
  return deployment.resources ?? [];
}

export async function readAll(files: string[]): Promise<TextSource[]> {
  return Promise.all(files.map(async (file) => ({ where: file, text: await readFile(file, "latin1") })));
}
