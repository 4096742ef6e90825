/**
 * The verdict of scripts/audit.sh: pip-audit's and `npm audit`'s JSON reports against the findings recorded, with
 * a reason, in scripts/audit/recorded-findings.json.
 *
 * Usage: tsx scripts/audit/findings.ts PIP_JSON PIP_STDERR NPM_JSON RECORDED_JSON
 * Exit 0: every finding is recorded (and its review date not past); 1: a finding is not (listed); 2: a scanner
 * could not audit everything (its service unreachable, a package it could not look up), which is never taken
 * as "nothing found".
 */
import { readFileSync } from "node:fs";

export interface Finding {
  scanner: "pip-audit" | "npm audit";
  package: string;
  /** The installed version (pip) or the vulnerable range (npm). */
  version: string;
  /** The advisory's id and its aliases (PYSEC-, GHSA-, CVE-). */
  ids: string[];
  detail: string;
}

export interface RecordedFinding {
  /** One of the finding's ids. */
  id: string;
  package: string;
  reason: string;
  /** YYYY-MM-DD: after this day the record no longer excuses the finding, so someone looks again. */
  reviewBy: string;
}

export interface Verdict {
  exitCode: 0 | 1 | 2;
  lines: string[];
}

interface PipAuditReport {
  dependencies?: Array<{
    name: string;
    version?: string;
    skip_reason?: string;
    vulns?: Array<{ id: string; aliases?: string[]; fix_versions?: string[] }>;
  }>;
}

interface NpmAuditReport {
  auditReportVersion?: number;
  message?: string;
  vulnerabilities?: {
    [name: string]: {
      via: Array<
        string | { source: number; name: string; title: string; url: string; severity: string; range: string }
      >;
    };
  };
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** pip-audit's findings, and why it could not audit (its own error, or each package it skipped). */
export function pipFindings(reportText: string, stderr: string): { findings: Finding[]; unaudited: string[] } {
  const report = parse<PipAuditReport>(reportText);
  if (!report?.dependencies) {
    const why = stderr.trim().split("\n").slice(-3).join(" / ") || "it wrote no JSON report";
    return { findings: [], unaudited: [`pip-audit failed: ${why}`] };
  }
  const findings: Finding[] = [];
  const unaudited: string[] = [];
  for (const dependency of report.dependencies) {
    if (dependency.skip_reason) unaudited.push(`pip-audit: ${dependency.skip_reason}`);
    for (const vuln of dependency.vulns ?? []) {
      findings.push({
        scanner: "pip-audit",
        package: dependency.name,
        version: dependency.version ?? "",
        ids: [vuln.id, ...(vuln.aliases ?? [])],
        detail: vuln.fix_versions?.length ? `fixed in ${vuln.fix_versions.join(", ")}` : "no fixed version yet",
      });
    }
  }
  return { findings, unaudited };
}

/** npm audit's advisories (each once, under the package it is about), or why it could not audit. */
export function npmFindings(reportText: string): { findings: Finding[]; unaudited: string[] } {
  const report = parse<NpmAuditReport>(reportText);
  if (report?.auditReportVersion !== 2 || !report.vulnerabilities) {
    return { findings: [], unaudited: [`npm audit failed: ${report?.message ?? "it wrote no audit report"}`] };
  }
  const byId = new Map<string, Finding>();
  for (const entry of Object.values(report.vulnerabilities)) {
    // A string names a dependency through which the package is vulnerable; that one has the advisory itself.
    for (const via of entry.via) {
      if (typeof via === "string") continue;
      const ghsa = /GHSA-[\w-]+$/.exec(via.url)?.[0];
      const ids = [...(ghsa ? [ghsa] : []), `npm-${via.source}`];
      byId.set(ids[0], {
        scanner: "npm audit",
        package: via.name,
        version: via.range,
        ids,
        detail: `${via.severity}: ${via.title}`,
      });
    }
  }
  return { findings: [...byId.values()], unaudited: [] };
}

export function verdict(
  scans: Array<{ findings: Finding[]; unaudited: string[] }>,
  recorded: RecordedFinding[],
  today: string,
): Verdict {
  const lines: string[] = [];
  let unrecorded = 0;
  const used = new Set<RecordedFinding>();
  for (const finding of scans.flatMap((scan) => scan.findings)) {
    const record = recorded.find((r) => r.package === finding.package && finding.ids.includes(r.id));
    const what = `${finding.scanner}: ${finding.package} ${finding.version} ${finding.ids.join(" / ")} (${finding.detail})`;
    if (record) used.add(record);
    if (record && record.reviewBy >= today) {
      lines.push(`recorded   ${what}: ${record.reason} (review by ${record.reviewBy})`);
    } else {
      unrecorded += 1;
      const why = record ? `its record's review date ${record.reviewBy} has passed` : "not recorded";
      lines.push(
        `FINDING    ${what}: ${why}; fix it, or record it with a reason in scripts/audit/recorded-findings.json`,
      );
    }
  }
  for (const record of recorded.filter((r) => !used.has(r))) {
    lines.push(`stale      ${record.package} ${record.id} is recorded but no longer reported: remove its record`);
  }
  const unaudited = scans.flatMap((scan) => scan.unaudited);
  lines.push(...unaudited.map((reason) => `UNAUDITED  ${reason}`));
  const exitCode = unrecorded > 0 ? 1 : unaudited.length > 0 ? 2 : 0;
  const counts = `${unrecorded} unrecorded finding(s), ${unaudited.length} thing(s) not audited`;
  lines.push(exitCode === 0 ? `audit passed: ${counts}` : `audit FAILED: ${counts}`);
  return { exitCode, lines };
}

function main(): void {
  const [pipJson, pipStderr, npmJson, recordedJson] = process.argv.slice(2);
  const read = (file: string) => readFileSync(file, "utf8");
  const { findings: recorded } = JSON.parse(read(recordedJson)) as { findings: RecordedFinding[] };
  const result = verdict(
    [pipFindings(read(pipJson), read(pipStderr)), npmFindings(read(npmJson))],
    recorded,
    new Date().toISOString().slice(0, 10),
  );
  for (const line of result.lines) console.log(line);
  process.exitCode = result.exitCode;
}

if (require.main === module) main();
