/** Relative links and #anchors in README.md, docs/*.md and the local world's READMEs resolve, by GitHub's anchor rules. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { anchors, links, readDoc, repoRoot } from "./markdown";

const documents = [
  "README.md",
  ...readdirSync(join(repoRoot, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  "local/README.md",
  ...readdirSync(join(repoRoot, "local"))
    .filter((f) => existsSync(join(repoRoot, "local", f, "README.md")))
    .map((f) => `local/${f}/README.md`),
];

function problemsOf(document: string): string[] {
  const text = readDoc(document);
  return links(text).flatMap(({ target, lineNumber }) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return []; // https:, mailto: …: not checked offline
    const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
    const file =
      pathPart === "" ? join(repoRoot, document) : join(repoRoot, dirname(document), decodeURIComponent(pathPart));
    const where = `${document}:${lineNumber} → ${target}`;
    if (!existsSync(file)) return [`${where}: no file ${relative(repoRoot, file)}`];
    if (anchor === undefined) return [];
    if (statSync(file).isDirectory() || !file.endsWith(".md")) return [`${where}: an anchor into a non-Markdown file`];
    return anchors(readDoc(relative(repoRoot, file))).has(anchor)
      ? []
      : [`${where}: no heading with anchor #${anchor}`];
  });
}

describe("links in the docs", () => {
  it.each(documents)("%s: every relative link and anchor resolves", (document) => {
    expect(problemsOf(document)).toEqual([]);
  });

  it("checks links at all: the docs link to each other", () => {
    expect(links(readDoc("docs/troubleshooting.md")).some((l) => l.target.startsWith("configuration.md#"))).toBe(true);
  });
});
