/** scripts/audit.sh's verdict over pip-audit's and npm audit's JSON reports and the recorded findings. */
import { describe, expect, it } from "vitest";
import { RecordedFinding, npmFindings, pipFindings, verdict } from "../../scripts/audit/findings";

// The shapes pip-audit 2.10 (--format json) and npm audit (auditReportVersion 2) write.
const pipReport = JSON.stringify({
  dependencies: [
    { name: "flask", version: "3.1.3", vulns: [] },
    {
      name: "jinja2",
      version: "3.1.6",
      vulns: [{ id: "PYSEC-2099-1", aliases: ["GHSA-aaaa-bbbb-cccc", "CVE-2099-1"], fix_versions: ["3.1.7"] }],
    },
    { name: "werkzeug", version: "3.1.9", vulns: [{ id: "GHSA-dddd-eeee-ffff", aliases: [], fix_versions: [] }] },
  ],
  fixes: [],
});

const npmReport = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {
    axios: {
      via: [
        {
          source: 1097679,
          name: "axios",
          title: "Server-Side Request Forgery",
          url: "https://github.com/advisories/GHSA-jr5f-v2jv-69x6",
          severity: "high",
          range: ">=1.0.0 <1.8.2",
        },
      ],
    },
    // Vulnerable only through axios: no advisory of its own.
    "some-wrapper": { via: ["axios"] },
  },
});

const jinjaRecord: RecordedFinding = {
  id: "CVE-2099-1",
  package: "jinja2",
  reason: "the app renders no user-supplied template",
  reviewBy: "2027-01-31",
};

const today = "2026-12-07";

describe("the audit verdict", () => {
  it("fails on a finding nobody recorded, and shows the recorded one with its reason", () => {
    const result = verdict([pipFindings(pipReport, ""), npmFindings(npmReport)], [jinjaRecord], today);

    expect(result.exitCode).toBe(1);
    expect(result.lines).toEqual([
      "recorded   pip-audit: jinja2 3.1.6 PYSEC-2099-1 / GHSA-aaaa-bbbb-cccc / CVE-2099-1 (fixed in 3.1.7): the app renders no user-supplied template (review by 2027-01-31)",
      "FINDING    pip-audit: werkzeug 3.1.9 GHSA-dddd-eeee-ffff (no fixed version yet): not recorded; fix it, or record it with a reason in scripts/audit/recorded-findings.json",
      "FINDING    npm audit: axios >=1.0.0 <1.8.2 GHSA-jr5f-v2jv-69x6 / npm-1097679 (high: Server-Side Request Forgery): not recorded; fix it, or record it with a reason in scripts/audit/recorded-findings.json",
      "audit FAILED: 2 unrecorded finding(s), 0 thing(s) not audited",
    ]);
  });

  it("passes when every finding is recorded, and names records no longer needed", () => {
    const records = [
      jinjaRecord,
      { id: "GHSA-dddd-eeee-ffff", package: "werkzeug", reason: "no fix yet; the debugger is off", reviewBy: today },
      { id: "GHSA-jr5f-v2jv-69x6", package: "axios", reason: "only Logto's endpoint is fetched", reviewBy: today },
      { id: "GHSA-old0-0000-0000", package: "axios", reason: "fixed since", reviewBy: today },
    ];

    const result = verdict([pipFindings(pipReport, ""), npmFindings(npmReport)], records, today);

    expect(result.exitCode).toBe(0);
    expect(result.lines).toContain(
      "stale      axios GHSA-old0-0000-0000 is recorded but no longer reported: remove its record",
    );
    expect(result.lines.at(-1)).toBe("audit passed: 0 unrecorded finding(s), 0 thing(s) not audited");
  });

  it("does not excuse a finding past its record's review date, nor one recorded for another package", () => {
    const expired = verdict([pipFindings(pipReport, "")], [{ ...jinjaRecord, reviewBy: "2026-12-06" }], today);
    expect(expired.lines[0]).toContain("FINDING    pip-audit: jinja2");
    expect(expired.lines[0]).toContain("its record's review date 2026-12-06 has passed");

    const elsewhere = verdict([pipFindings(pipReport, "")], [{ ...jinjaRecord, package: "markupsafe" }], today);
    expect(elsewhere.lines[0]).toMatch(/^FINDING {4}pip-audit: jinja2 .*: not recorded/);
  });

  it("never takes a scan that could not look a package up, or could not run, for a clean one", () => {
    // pip-audit exits 0 and prints "No known vulnerabilities found" in this case.
    const skipped = JSON.stringify({
      dependencies: [
        { name: "flask", skip_reason: "Dependency not found on PyPI and could not be audited: flask (3.1.3)" },
      ],
    });
    const npmError = JSON.stringify({ message: "405 Method Not Allowed - POST https://registry.example/-/npm/v1/x" });

    const result = verdict([pipFindings(skipped, ""), npmFindings(npmError)], [], today);

    expect(result.exitCode).toBe(2);
    expect(result.lines).toEqual([
      "UNAUDITED  pip-audit: Dependency not found on PyPI and could not be audited: flask (3.1.3)",
      "UNAUDITED  npm audit failed: 405 Method Not Allowed - POST https://registry.example/-/npm/v1/x",
      "audit FAILED: 0 unrecorded finding(s), 2 thing(s) not audited",
    ]);
    expect(pipFindings("", "Traceback …\nConnectionError: index unreachable\n").unaudited).toEqual([
      "pip-audit failed: Traceback … / ConnectionError: index unreachable",
    ]);
    // An unrecorded finding is the louder failure.
    expect(verdict([pipFindings(pipReport, ""), npmFindings(npmError)], [jinjaRecord], today).exitCode).toBe(1);
  });
});
