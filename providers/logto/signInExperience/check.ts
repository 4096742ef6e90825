/** The switch's check: the default and a boolean value. */
import * as pulumi from "@pulumi/pulumi";
import { configuredEndpoint } from "../support";
import { SignInExperienceSsoInputs } from "./schema";

export function checkSignInExperienceSso(
  news: Partial<SignInExperienceSsoInputs>,
): pulumi.dynamic.CheckResult<SignInExperienceSsoInputs> {
  const failures =
    news.enabled === undefined || typeof news.enabled === "boolean"
      ? []
      : [{ property: "enabled", reason: `enabled is "${String(news.enabled)}": use true or false.` }];
  return { inputs: { ...news, enabled: news.enabled ?? true, endpoint: configuredEndpoint() }, failures };
}
