/**
 * Dynamic resources whose state carries their provider compressed.
 *
 * Why: a dynamic resource keeps its serialised provider (37 to 56 KB of code here) in both its inputs and its
 * outputs, and the engine rewrites the whole state file twice for every step. At 50 connections the state was
 * 6.2 MB and writing it, not Logto, set the pace: destroy took 9.4 s where it took 2.3 s with checkpoints
 * skipped (bench/README.md). Packed with brotli the provider is about a quarter of that size. The engine's
 * provider process loads it as usual (require-from-string); the loader unpacks the same code once per
 * process, as the process caches providers by their text.
 */
import * as pulumi from "@pulumi/pulumi";
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
  return [...text.matchAll(pattern)].map((match) => brotliDecompressSync(Buffer.from(match[1], "base64")).toString("utf8"));
}

/**
 * The provider as the engine stores it: serialised once per provider object. Secrets may not be captured
 * (credentials come from the stack config through `configure`): serialisation fails rather than store one.
 */
function packedProvider(provider: pulumi.dynamic.ResourceProvider): pulumi.Output<string> {
  let text = packedProviders.get(provider);
  if (!text) {
    text = pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false }).then((serialised) => providerLoader(serialised.text));
    packedProviders.set(provider, text);
  }
  return pulumi.output(text);
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
    super(`pulumi-nodejs:dynamic/${module}:${type}`, name, { ...props, __provider: packedProvider(provider) }, opts);
  }
}
