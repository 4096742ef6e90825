/** The application secret's check: defaults and the names Logto accepts. */
import * as pulumi from "@pulumi/pulumi";
import { configuredEndpoint, containsUnknown } from "../support";
import { ApplicationSecretInputs } from "./schema";

export function checkApplicationSecret(
  news: ApplicationSecretInputs,
): pulumi.dynamic.CheckResult<ApplicationSecretInputs> {
  const inputs = { ...news, removeDefaultSecret: news.removeDefaultSecret ?? false, endpoint: configuredEndpoint() };
  if (containsUnknown(inputs.name) || /^[A-Za-z0-9._ -]{1,256}$/.test(inputs.name ?? ""))
    return { inputs, failures: [] };
  const reason = `name is ${inputs.name ? `"${inputs.name}"` : "empty"}: use 1 to 256 letters, digits, spaces, dots, dashes or underscores.`;
  return { inputs, failures: [{ property: "name", reason }] };
}
