/**
 * Dynamic resources whose state carries their provider compressed.
 *
 * Why: a dynamic resource keeps its serialised provider (37 to 56 KB of code here) in both its inputs and its
 * outputs, and the engine rewrites the whole state file twice for every step. At 50 connections the state was
 * 6.2 MB and writing it, not Logto, set the pace: destroy took 9.4 s where it took 2.3 s with checkpoints
 * skipped (bench/README.md). Packed with brotli the provider is about a quarter of that size. The engine's
 * provider process loads it as usual (require-from-string); the loader unpacks the same code once per
 * process, as the process caches providers by their text.
 *
 * Serialising the four providers also took 2.3 s of every preview and up (the closure serialiser walks each
 * function through the V8 inspector), so the loader text is kept in node_modules/.cache, keyed by the
 * content of this folder's sources, the Pulumi SDK's version and Node's: the providers capture nothing
 * else (no setting, no credential: test/providers/serialization.test.ts), so the same key gives the same text.
 */
import * as pulumi from "@pulumi/pulumi";
import { version as sdkVersion } from "@pulumi/pulumi/version";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, constants } from "node:zlib";

/** The name of the packed code in a loader's text; leak checks look for it to search the code too. */
export const packedProviderMarker = "packedLogtoProvider";

const packedProviders = new WeakMap<object, Promise<string>>();

/** The module text of a loader that unpacks `source` (a serialised provider module) and returns its provider. */
export function providerLoader(source: string): string {
  const packed = brotliCompressSync(Buffer.from(source, "utf8"), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: source.length },
  }).toString("base64");
  // Plain ES5 and sloppy mode, like the serialised code it runs (which uses `with`).
  return [
    `var ${packedProviderMarker} = "${packed}";`,
    "exports.handler = function () {",
    `  var source = require("zlib").brotliDecompressSync(Buffer.from(${packedProviderMarker}, "base64")).toString("utf8");`,
    "  var unpacked = { exports: {} };",
    '  new Function("exports", "require", "module", source)(unpacked.exports, require, unpacked);',
    "  return unpacked.exports.handler();",
    "};",
    "",
  ].join("\n");
}

/** The serialised provider modules packed inside `text` (a state file, a loader), for searching them. */
export function unpackedProviders(text: string): string[] {
  const pattern = new RegExp(`${packedProviderMarker} = \\\\?"([A-Za-z0-9+/=]+)\\\\?"`, "g");
  return [...text.matchAll(pattern)].map((match) =>
    brotliDecompressSync(Buffer.from(match[1], "base64")).toString("utf8"),
  );
}

const cacheDir = path.resolve(__dirname, "../../node_modules/.cache/logto-entra-sso/providers");

let sourcesDigest: string | undefined;

/** What the serialised text depends on: the providers' sources (read once per run), the serialiser's version, Node's. */
function sourceKey(kind: string): string {
  if (sourcesDigest === undefined) {
    const sources = createHash("sha256").update(`${sdkVersion}\n${process.version}\n`);
    for (const file of readdirSync(__dirname)
      .filter((name) => /\.[cm]?[jt]s$/.test(name))
      .sort()) {
      sources.update(`${file}\n`).update(readFileSync(path.join(__dirname, file)));
    }
    sourcesDigest = sources.digest("hex");
  }
  return createHash("sha256").update(`${kind}\n${sourcesDigest}`).digest("hex").slice(0, 32);
}

function readCached(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Keeps a loader for the next run; a cache that cannot be written only costs the next run its time. */
function writeCached(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  } catch {
    // A read-only checkout, say: serialise again next time.
  }
}

/**
 * The provider as the engine stores it: serialised once per provider object (and per source version, across
 * runs). Secrets may not be captured (credentials come from the stack config through `configure`):
 * serialisation fails rather than store one.
 */
export function storedProviderText(provider: pulumi.dynamic.ResourceProvider, kind: string): Promise<string> {
  let text = packedProviders.get(provider);
  if (!text) {
    const file = cachedLoaderFile(kind);
    const cached = readCached(file);
    text =
      cached !== undefined
        ? Promise.resolve(cached)
        : pulumi.runtime
            .serializeFunction(() => provider, { allowSecrets: false })
            .then((serialised) => {
              const loader = providerLoader(serialised.text);
              writeCached(file, loader);
              return loader;
            });
    packedProviders.set(provider, text);
  }
  return text;
}

/** Where `storedProviderText` keeps the loader of `kind` for the current sources. */
export function cachedLoaderFile(kind: string): string {
  return path.join(cacheDir, `${kind.replace(/[^A-Za-z0-9]+/g, "-")}-${sourceKey(kind)}.js`);
}

/**
 * `pulumi.dynamic.Resource` with the provider packed: the same type token (`pulumi-nodejs:dynamic/<module>:
 * <type>`) and the same `__provider` input, so state written by either loads in the engine's provider process.
 */
export abstract class PackedDynamicResource extends pulumi.CustomResource {
  constructor(
    provider: pulumi.dynamic.ResourceProvider,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    super(
      `pulumi-nodejs:dynamic/${module}:${type}`,
      name,
      { ...props, __provider: pulumi.output(storedProviderText(provider, `${module}:${type}`)) },
      opts,
    );
  }
}
