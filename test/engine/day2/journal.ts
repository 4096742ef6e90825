/**
 * The day-2 journal's record: one row per operation, with what the preview planned, who signed in at each
 * checkpoint and as which Logto user, and the verdict. Two kinds of operation:
 *
 * - `keep`: a routine operation. It passes when every person of a connection it keeps signs in at every
 *   checkpoint, each as the Logto user they were before the operation.
 * - `may-cut`: an operation that cannot keep everyone's links (a new app registration, a new issuer, a removed
 *   connector). It passes when the preview refused it or said beforehand that people lose their links
 *   (`namesLinkLoss`); it fails when links were cut without that, and when a person who should still sign in
 *   could not.
 *
 * People a row's operation broke for good (their connection no longer signs anyone in) are left out of the
 * verdicts of later rows, and the table says so.
 *
 * A person whose connection has an organization (issue 19) must also come back a member of it with the roles
 * expected of their Logto user, as their ID token's `organization_roles` claim says (what the app shows them):
 * any row that signs them in without it fails, whatever its kind.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import type { HttpSignInOutcome } from "../../../local/browser/http-sign-in";
import type { PersonKey } from "./world";

export type RowKind = "keep" | "may-cut";

/** The organization a signed-in person must be a member of, and with which roles (names). */
export interface ExpectedMembership {
  organizationId: string;
  /** As the table shows it. */
  organizationName: string;
  roles: string[];
}

export interface MembershipRecord extends ExpectedMembership {
  /** The roles in that organization the ID token gave; undefined when it does not list the organization. */
  seen?: string[];
}

export interface SignInRecord {
  person: PersonKey;
  userId?: string;
  problem?: string;
  /** The Logto user the person had before the row's operation. */
  before?: string;
  /** The person was not expected to get in at this checkpoint (their connection is being removed or fixed). */
  expectedOut?: boolean;
  /** Their organization membership as the ID token says, where their connection has an organization. */
  membership?: MembershipRecord;
}

/**
 * The organizations and roles in an ID token (claims `organizations`, `organization_roles` as
 * `<organization id>:<role name>`, asked for with the `urn:logto:scope:organization*` scopes): the roles in
 * `organizationId`, or undefined when the token does not list it.
 */
export function rolesInToken(claims: Record<string, unknown> | undefined, organizationId: string) {
  const organizations = Array.isArray(claims?.organizations) ? claims.organizations : [];
  if (!organizations.includes(organizationId)) return undefined;
  const roles = Array.isArray(claims?.organization_roles) ? claims.organization_roles : [];
  return roles
    .filter((entry): entry is string => typeof entry === "string" && entry.startsWith(`${organizationId}:`))
    .map((entry) => entry.slice(organizationId.length + 1))
    .sort();
}

function sameRoles(seen: string[] | undefined, expected: string[]): boolean {
  return seen !== undefined && seen.join("\n") === [...expected].sort().join("\n");
}

function rolesText(roles: string[]): string {
  return roles.length > 0 ? [...roles].sort().join(", ") : "no role";
}

/** A membership as the table shows it. */
function membershipText({ organizationName, roles, seen }: MembershipRecord): string {
  if (seen === undefined) return `${organizationName}: NOT a member, expected ${rolesText(roles)}`;
  if (!sameRoles(seen, roles)) return `${organizationName}: ${rolesText(seen)}, expected ${rolesText(roles)}`;
  return `${organizationName}: ${rolesText(seen)}`;
}

export interface Checkpoint {
  label: string;
  signIns: SignInRecord[];
  /** Sampled checkpoints print a count instead of every sign-in. */
  sampled?: boolean;
}

/**
 * Whether text (a preview's or an up's output, a refusal) tells the person running it that users lose their
 * SSO links: a line naming users or people, their links, accounts or identities, and a loss (lose, cut,
 * delete, new, re-key, re-link, verified email).
 */
export function namesLinkLoss(text: string): boolean {
  return text
    .split("\n")
    .some(
      (line) =>
        /\b(users?|people|persons?|everyone|members?)\b/i.test(line) &&
        /(link|account|identit)/i.test(line) &&
        /(\blos[et]|\blost|\bcut|delet|\bnew\b|re-?key|re-?link|verified email)/i.test(line),
    );
}

export class JournalRow {
  readonly plans: string[] = [];
  readonly checkpoints: Checkpoint[] = [];
  readonly notes: string[] = [];
  readonly failures: string[] = [];
  /** Set when the preview refused the operation or said that people lose their links. */
  saidSo = false;
  readonly startedAt = Date.now();
  finishedAt = 0;

  constructor(
    readonly operation: string,
    readonly kind: RowKind,
    private readonly accounts: Map<PersonKey, string>,
    private readonly outOfJournal: ReadonlySet<PersonKey>,
  ) {}

  plan(text: string): void {
    this.plans.push(text);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  fail(text: string): void {
    this.failures.push(text);
  }

  /**
   * Records the sign-ins of one checkpoint; `expectedOut` people may fail there without failing the row.
   * `membershipOf` gives the organization membership a signed-in person's Logto user must have, if any.
   */
  record(
    label: string,
    outcomes: [PersonKey, HttpSignInOutcome][],
    expectedOut: PersonKey[] = [],
    sampled = false,
    membershipOf: (person: PersonKey, userId: string) => ExpectedMembership | undefined = () => undefined,
  ): Checkpoint {
    const signIns: SignInRecord[] = outcomes.map(([person, outcome]) => {
      const expected = outcome.userId ? membershipOf(person, outcome.userId) : undefined;
      const seen = expected && rolesInToken(outcome.idTokenClaims, expected.organizationId);
      return {
        person,
        ...(outcome.userId ? { userId: outcome.userId } : { problem: outcome.problem ?? "no way back to the app" }),
        ...(this.accounts.has(person) ? { before: this.accounts.get(person) } : {}),
        ...(expectedOut.includes(person) ? { expectedOut: true } : {}),
        ...(expected ? { membership: { ...expected, ...(seen ? { seen } : {}) } } : {}),
      };
    });
    const checkpoint = { label, signIns, ...(sampled ? { sampled } : {}) };
    this.checkpoints.push(checkpoint);
    for (const signIn of signIns) {
      if (this.outOfJournal.has(signIn.person) || signIn.expectedOut) continue;
      if (signIn.userId === undefined)
        this.fail(`${label}: ${signIn.person} could not sign in (${brief(signIn.problem)})`);
      else if (signIn.before !== undefined && signIn.userId !== signIn.before && !this.excused()) {
        this.fail(
          `${label}: ${signIn.person} landed in a new Logto user` +
            (this.kind === "may-cut" ? " and neither the preview nor up said people lose their links" : ""),
        );
      }
      if (signIn.membership && !sameRoles(signIn.membership.seen, signIn.membership.roles))
        this.fail(`${label}: ${signIn.person} ${membershipText(signIn.membership)}`);
    }
    return checkpoint;
  }

  /** A may-cut operation whose preview said people lose their links may move them to new users. */
  private excused(): boolean {
    return this.kind === "may-cut" && this.saidSo;
  }

  /** People who could not sign in at their last checkpoint of this row (and were expected to). */
  brokenPeople(): PersonKey[] {
    const last = new Map<PersonKey, SignInRecord>();
    for (const checkpoint of this.checkpoints) for (const signIn of checkpoint.signIns) last.set(signIn.person, signIn);
    return [...last.values()]
      .filter((signIn) => signIn.userId === undefined && !signIn.expectedOut)
      .map((signIn) => signIn.person);
  }

  sameUser(): string {
    const changed = new Map<PersonKey, boolean>();
    for (const checkpoint of this.checkpoints) {
      for (const signIn of checkpoint.signIns) {
        if (signIn.before === undefined || signIn.userId === undefined) continue;
        changed.set(signIn.person, (changed.get(signIn.person) ?? false) || signIn.userId !== signIn.before);
      }
    }
    if (changed.size === 0) return "—";
    const moved = [...changed].filter(([, value]) => value).map(([person]) => person);
    return moved.length === 0 ? "yes" : `no: ${moved.join(", ")} in new users`;
  }
}

export interface JournalPrint {
  markdown: string;
  file: string;
}

/** A problem as the table shows it: Entra's AADSTS code alone, anything else cut short. */
export function brief(problem: string | undefined): string {
  const text = problem ?? "no way back to the app";
  const aadsts = /^AADSTS\d+/.exec(text)?.[0];
  if (aadsts) return aadsts;
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
}

function checkpointText(checkpoint: Checkpoint): string {
  if (checkpoint.sampled) {
    const failed = checkpoint.signIns.filter((signIn) => signIn.userId === undefined);
    const moved = checkpoint.signIns.filter(
      (signIn) => signIn.userId && signIn.before && signIn.userId !== signIn.before,
    );
    const problems = [...new Set(failed.map((signIn) => `${signIn.person} ✗ ${brief(signIn.problem)}`))];
    const checked = checkpoint.signIns.filter((signIn) => signIn.membership);
    const members = checked.length
      ? `, ${checked.filter((signIn) => signIn.membership && sameRoles(signIn.membership.seen, signIn.membership.roles)).length}/${checked.length} members with their roles`
      : "";
    return `${checkpoint.label}: ${checkpoint.signIns.length} sign-ins, ${failed.length} failed, ${moved.length} in another user${members}${problems.length ? ` (${problems.join(", ")})` : ""}`;
  }
  const parts = checkpoint.signIns.map((signIn) => {
    if (signIn.userId === undefined)
      return `${signIn.person} ✗ ${signIn.expectedOut ? "(expected) " : ""}${brief(signIn.problem)}`;
    const same = signIn.before === undefined ? "" : signIn.userId === signIn.before ? " same" : " NEW";
    return `${signIn.person} ✓${same}${signIn.membership ? ` (${membershipText(signIn.membership)})` : ""}`;
  });
  return `${checkpoint.label}: ${parts.join(", ")}`;
}

/** The journal: rows in order, the accounts people have, and the table. */
export class Journal {
  readonly rows: JournalRow[] = [];
  /** Each person's Logto user id as of the last row. */
  readonly accounts = new Map<PersonKey, string>();
  /** People whose connection an earlier row broke for good, with the row. */
  readonly outOfJournal = new Map<PersonKey, string>();

  row(operation: string, kind: RowKind): JournalRow {
    const row = new JournalRow(operation, kind, new Map(this.accounts), new Set(this.outOfJournal.keys()));
    this.rows.push(row);
    return row;
  }

  /** Closes a row: people's accounts move on to the users they landed in last; people it broke leave the journal. */
  close(row: JournalRow): void {
    row.finishedAt = Date.now();
    const brokenFor = row.brokenPeople();
    for (const checkpoint of row.checkpoints)
      for (const signIn of checkpoint.signIns) if (signIn.userId) this.accounts.set(signIn.person, signIn.userId);
    for (const person of brokenFor) {
      if (!this.outOfJournal.has(person)) {
        this.outOfJournal.set(person, row.operation);
        row.note(`${person} is left out of later rows: this operation broke their sign-in`);
      }
    }
  }

  markdown(): string {
    const lines = [
      "| operation | plan | sign-in at each checkpoint | same Logto user | verdict |",
      "|---|---|---|---|---|",
      ...this.rows.map((row) => {
        const verdict = row.failures.length === 0 ? "pass" : `FAIL: ${row.failures.join("; ")}`;
        const seconds = row.finishedAt ? ` (${((row.finishedAt - row.startedAt) / 1000).toFixed(0)} s)` : "";
        const notes = row.notes.length > 0 ? ` Notes: ${row.notes.join("; ")}` : "";
        return `| ${cell(row.operation + seconds)} | ${cell(row.plans.join("; "))} | ${cell(row.checkpoints.map(checkpointText).join(" · "))} | ${cell(row.sameUser())} | ${cell(verdict + notes)} |`;
      }),
    ];
    return lines.join("\n");
  }

  async print(dir: string): Promise<JournalPrint> {
    const markdown = this.markdown();
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "day2-journal.md");
    await writeFile(file, `# Day-2 journal\n\n${markdown}\n`);
    process.stdout.write(`\nDay-2 journal (also in ${file}):\n${markdown}\n`);
    return { markdown, file };
  }
}
