/**
 * Dynamic resources whose state refers to the Logto provider instead of carrying its code.
 *
 * Why: a dynamic resource stores the text its provider process loads (`__provider`) in its inputs and its
 * outputs, and the engine rewrites the whole state file twice per step. Serialised by value (or packed, as
 * before) the provider made the state 7.3× the no-op baseline's at 50 connections (bench/README.md). Pulumi's
 * closure serialiser writes a value that belongs to a module under `node_modules` as `require("<package>…")`
 * (@pulumi/pulumi runtime/closure/createClosure.ts: findNormalizedModuleNameAsync finds the value in
 * `require.cache`, keyed by real paths, and captureModuleAsync keeps a path with a `node_modules` segment as
 * a require). So the provider's code is installed as a package, `logto-entra-sso-provider`, in the
 * project's node_modules as real files (compiled from this folder), and each resource stores that same
 * require: about a hundred bytes, read by the engine's provider process from the installed package.
 *
 * The package is built by `npm ci` / `npm install` (the `prepare` script) and again by the program whenever
 * this folder's sources changed since (checked by digest once per run), so `pulumi up` never stores a
 * reference to code older than the sources it runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** The installed package holding the compiled provider code (not in package.json: built, not fetched). */
export const providerPackageName = "logto-entra-sso-provider";

const nodeRequire = createRequire(__filename);

/** Where the engine's provider process resolves packages from: the project's node_modules, beside @pulumi/pulumi. */
export function providerPackageDir(): string {
  const pulumiPackage = nodeRequire.resolve("@pulumi/pulumi/package.json");
  return path.join(path.dirname(pulumiPackage), "..", "..", providerPackageName);
}

/** This folder's TypeScript sources, as paths relative to it, sorted. */
function sourceFiles(dir = __dirname, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.posix.join(prefix, entry.name);
      if (entry.isDirectory()) return sourceFiles(path.join(dir, entry.name), relative);
      return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative] : [];
    })
    .sort();
}

interface InstalledManifest {
  name?: string;
  sourceDigest?: string;
}

function readManifest(packageDir: string): InstalledManifest | undefined {
  try {
    return JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as InstalledManifest;
  } catch {
    return undefined;
  }
}

/** Writes whole files only: several programs (parallel engine tests) may build the same sources at once. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

/**
 * Compiles this folder into the installed package when the package is missing or was built from other
 * sources (or another compiler version). Returns the package's directory.
 */
export function installProviderPackage(): string {
  const packageDir = providerPackageDir();
  // Resolved from the project, not from the SDK (which carries its own, older TypeScript); loaded only to
  // build, as loading it costs a program run about half a second.
  const compilerVersion = (nodeRequire("typescript/package.json") as { version: string }).version;
  const files = sourceFiles();
  const digest = createHash("sha256").update(`typescript ${compilerVersion}\n`);
  const sources = files.map((file) => {
    const text = readFileSync(path.join(__dirname, file), "utf8");
    digest.update(`${file}\n${text.length}\n${text}`);
    return { file, text };
  });
  const sourceDigest = digest.digest("hex");
  if (readManifest(packageDir)?.sourceDigest === sourceDigest) return packageDir;

  const ts = nodeRequire("typescript") as typeof import("typescript");
  const compiled = new Set<string>();
  for (const { file, text } of sources) {
    const output = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        useDefineForClassFields: true,
      },
    });
    const jsFile = file.replace(/\.ts$/, ".js");
    writeAtomically(path.join(packageDir, jsFile), output.outputText);
    compiled.add(jsFile);
  }
  removeStaleModules(packageDir, compiled);
  // Written last: a build cut short is built again by the next run.
  const manifest = { name: providerPackageName, version: "0.0.0", private: true, main: "index.js", sourceDigest };
  writeAtomically(path.join(packageDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return packageDir;
}

/** Modules of an earlier build whose source is gone (a file moved or deleted). */
function removeStaleModules(packageDir: string, compiled: ReadonlySet<string>, prefix = ""): void {
  for (const entry of readdirSync(path.join(packageDir, prefix), { withFileTypes: true })) {
    const relative = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) removeStaleModules(packageDir, compiled, relative);
    else if (entry.name.endsWith(".js") && !compiled.has(relative)) rmSync(path.join(packageDir, relative));
  }
}

/** The module text a resource stores: the form the closure serialiser writes for a module under node_modules. */
export function providerReference(exportName: string): string {
  return `exports.handler = function () { return require("${providerPackageName}").${exportName}; };\n`;
}

let installed: string | undefined;
const references = new WeakMap<object, Promise<string>>();

/** The reference to `provider`, found by identity among this folder's exports (index.ts). */
export function storedProviderReference(provider: pulumi.dynamic.ResourceProvider, kind: string): Promise<string> {
  let reference = references.get(provider);
  if (!reference) {
    installed ??= installProviderPackage();
    reference = import("./index").then((exported) => {
      const exportName = Object.keys(exported).find((name) => (exported as Record<string, unknown>)[name] === provider);
      if (exportName === undefined) {
        throw new Error(`The provider of ${kind} is not exported from providers/logto/index.ts: export it there.`);
      }
      return providerReference(exportName);
    });
    references.set(provider, reference);
  }
  return reference;
}

/**
 * `pulumi.dynamic.Resource` with the provider referenced: the same type token (`pulumi-nodejs:dynamic/<module>:
 * <type>`) and the same `__provider` input, so the engine's provider process loads it as any dynamic provider.
 * Subclasses list their outputs with `declare`: this constructor fills them in, and an ES2022 class field
 * would reset them to undefined.
 */
export abstract class ReferencedDynamicResource extends pulumi.CustomResource {
  constructor(
    provider: pulumi.dynamic.ResourceProvider,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    // The SDK keeps a stack trace (mapped through ts-node's source maps) per promise of each input, only to report
    // leaked promises: 63 per connector, 3 s of CPU at N = 200 (bench/README.md). The source position and call
    // stack the state records are taken with the limit lifted (Resource.callsites), so they stay whole.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(
        `pulumi-nodejs:dynamic/${module}:${type}`,
        name,
        { ...props, __provider: pulumi.output(storedProviderReference(provider, `${module}:${type}`)) },
        opts,
      );
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}
