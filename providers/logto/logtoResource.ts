import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "./referencedResource";

/** A resource class's outputs, as its properties. */
type OutputsOf<Exposed> = { readonly [K in keyof Exposed]: pulumi.Output<Exposed[K]> };

/**
 * The class of one Logto resource kind: `new Kind(name, args, opts)` registers `logto:<type>` with the inputs
 * `inputs` makes of the args and exposes `Exposed` (the outputs a program reads). `outputs`: those only the
 * provider fills (logto:endpoint, recorded by check, and what Logto answers), registered unknown so the class
 * has them; `secretOutputs`: kept encrypted in the state whatever the args' secretness.
 */
export function logtoResourceClass<Args, Exposed>(
  provider: pulumi.dynamic.ResourceProvider,
  type: string,
  inputs: (args: Args) => pulumi.Inputs,
  options: { outputs?: string[]; secretOutputs?: string[] } = {},
) {
  const unknownOutputs = Object.fromEntries((options.outputs ?? []).map((output) => [output, undefined]));
  const secretOutputs = options.secretOutputs;
  class LogtoResource extends ReferencedDynamicResource {
    constructor(name: string, args: Args, opts?: pulumi.CustomResourceOptions) {
      const merged = secretOutputs ? pulumi.mergeOptions(opts, { additionalSecretOutputs: [...secretOutputs] }) : opts;
      super(provider, name, { ...inputs(args), ...unknownOutputs }, merged, "logto", type);
    }
  }
  return LogtoResource as new (
    name: string,
    args: Args,
    opts?: pulumi.CustomResourceOptions,
  ) => ReferencedDynamicResource & OutputsOf<Exposed>;
}
