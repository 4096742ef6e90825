/** Just enough Markdown for the docs tests: headings, their GitHub anchors, sections and links. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const repoRoot = join(__dirname, "..", "..");

export function readDoc(relativePath: string): string {
  return readFileSync(join(repoRoot, relativePath), "utf8");
}

export interface Heading {
  level: number;
  /** The heading's source text, e.g. "`logto:endpoint`". */
  text: string;
  /** GitHub's anchor for it, duplicates numbered as GitHub does (`-1`, `-2`). */
  anchor: string;
  /** Index of the heading's line. */
  line: number;
}

/** The text a heading renders to: code spans, emphasis and links reduced to their text. */
function renderedText(source: string): string {
  return source
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/<[^>]+>/g, "")
    .trim();
}

/**
 * GitHub's heading anchor (github-slugger): lowercase, every character but letters, marks, digits,
 * connector punctuation (`_`), `-` and spaces removed, spaces turned into `-`.
 */
export function githubSlug(headingText: string): string {
  return renderedText(headingText)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** The lines outside fenced code blocks, with their indexes. */
function proseLines(text: string): Array<{ line: string; index: number }> {
  const lines = text.split("\n");
  const out: Array<{ line: string; index: number }> = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker) {
      if (fence === undefined) fence = marker;
      else if (fence === marker) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line, index });
  });
  return out;
}

export function headings(text: string): Heading[] {
  const seen = new Map<string, number>();
  return proseLines(text).flatMap(({ line, index }) => {
    const match = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!match) return [];
    const base = githubSlug(match[2]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return [{ level: match[1].length, text: match[2], anchor: count === 0 ? base : `${base}-${count}`, line: index }];
  });
}

/** The anchors a document offers: its headings' and any explicit `<a id="…">` / `<a name="…">`. */
export function anchors(text: string): Set<string> {
  const explicit = [...text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)].map((m) => m[1]);
  return new Set([...headings(text).map((h) => h.anchor), ...explicit]);
}

/** The lines under a heading up to the next heading (of any level). */
export function sectionBody(text: string, heading: Heading): string {
  const lines = text.split("\n");
  const next = headings(text).find((h) => h.line > heading.line);
  return lines.slice(heading.line + 1, next ? next.line : lines.length).join("\n");
}

export interface Link {
  target: string;
  /** 1-based line number, for messages. */
  lineNumber: number;
}

/** Inline links and images outside code blocks and code spans. */
export function links(text: string): Link[] {
  return proseLines(text).flatMap(({ line, index }) => {
    const withoutCode = line.replace(/`[^`]*`/g, "");
    return [...withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({
      target: m[1],
      lineNumber: index + 1,
    }));
  });
}
