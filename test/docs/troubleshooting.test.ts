/**
 * docs/troubleshooting.md has a section for every error code the Logto provider maps (its hints, its
 * not-found codes, the token errors) and for the Entra sign-in codes, and the provider's messages point
 * to sections that exist.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { troubleshootingLink } from "../../providers/logto/errors";
import { enterpriseSsoVerificationLogKey } from "../../local/standins/logto/audit-log";
import { RequestError } from "../../local/standins/logto/sign-in/errors";
import { anchors, githubSlug, readDoc, repoRoot } from "./markdown";

const doc = readDoc("docs/troubleshooting.md");
const docAnchors = anchors(doc);
const errorsSource = readFileSync(join(repoRoot, "providers/logto/errors.ts"), "utf8");
const providerSources = readdirSync(join(repoRoot, "providers/logto"), { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts"))
  .map((file) => readFileSync(join(repoRoot, "providers/logto", file), "utf8"));

/** The keys of `const hints: Record<string, string> = { … }` in errors.ts. */
function hintCodes(): string[] {
  const block = /const hints: Record<string, string> = \{([\s\S]*?)\n\};/.exec(errorsSource)?.[1] ?? "";
  return [...block.matchAll(/^\s*"([a-z_]+\.[a-z_]+)":/gm)].map((m) => m[1]);
}

function notExistsCodes(): string[] {
  const list = /const notExistsCodes: readonly string\[\] = \[([^\]]*)\]/.exec(errorsSource)?.[1] ?? "";
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

/** Codes the provider compares against outside the hints (`error.code === "…"`). */
function comparedCodes(): string[] {
  return providerSources.flatMap((source) =>
    [...source.matchAll(/code (?:===|!==) "([a-z_]+\.[a-z_]+)"/g)].map((m) => m[1]),
  );
}

describe("docs/troubleshooting.md", () => {
  it("finds the codes it checks in the provider's source", () => {
    expect(hintCodes().length).toBeGreaterThanOrEqual(10);
    expect(notExistsCodes()).toEqual(["entity.not_exists_with_id", "entity.not_found"]);
    expect(comparedCodes()).toEqual(expect.arrayContaining(["oidc.invalid_target", "application.secret_name_exists"]));
  });

  it("has a section headed by each Logto error code the provider maps", () => {
    const codes = [...new Set([...hintCodes(), ...notExistsCodes(), ...comparedCodes()])];
    const missing = codes.filter((code) => !docAnchors.has(githubSlug(`\`${code}\``)));
    expect(missing).toEqual([]);
  });

  it("has a section for each Entra sign-in error and for Graph's Authorization_RequestDenied", () => {
    const headingsText = doc.split("\n").filter((line) => line.startsWith("#"));
    for (const code of ["AADSTS50011", "AADSTS7000215", "AADSTS65001", "AADSTS700016", "Authorization_RequestDenied"]) {
      expect(
        headingsText.some((line) => line.includes(code)),
        code,
      ).toBe(true);
    }
  });

  it("says what a person sees on Logto's sign-in page when SSO fails (the stand-in's Logto phrases), and where the AADSTS code is", () => {
    const shown = [
      "connector.authorization_failed",
      "connector.invalid_request_parameters",
      "user.sso_identity_not_exist",
    ];
    for (const code of shown) {
      const message = new RequestError(500, code).message;
      expect(message, code).not.toBe(code);
      expect(doc, code).toContain(`"${message}"`);
    }
    expect(doc).toContain(enterpriseSsoVerificationLogKey);
    expect(doc).not.toMatch(/sees the AADSTS code on\s+Entra's page or in Logto's error/);
  });

  it("every section the provider's messages link to exists", () => {
    const linked = providerSources.flatMap((source) =>
      [...source.matchAll(/troubleshootingLink\("([^"]+)"\)/g)].map((m) => m[1]),
    );
    expect(linked.length).toBeGreaterThanOrEqual(3);
    for (const section of [...linked, ...hintCodes()]) {
      const anchor = troubleshootingLink(section).replace("see docs/troubleshooting.md#", "");
      expect(docAnchors.has(anchor), `${section} → #${anchor}`).toBe(true);
    }
  });
});
