/** The journal's verdicts (no engine): what counts as a cut link, a failed sign-in, and a warning said beforehand. */
import { describe, expect, it } from "vitest";

import { Journal, namesLinkLoss, rolesInToken } from "./journal";

const signedIn = (userId: string) => ({ userId, visited: [] });
const refused = (problem: string) => ({ problem, visited: [] });

describe("day-2 journal verdicts", () => {
  it("recognises a warning that people lose their links, and not the program's usual notices", () => {
    expect(namesLinkLoss("Users are re-linked only by verified email (Entra sends none): they get new accounts.")).toBe(
      true,
    );
    expect(namesLinkLoss("Deleting the connector deletes every user's link to it.")).toBe(true);
    expect(
      namesLinkLoss(
        "connections[0].trustUnverifiedEmail is on: Logto will treat email addresses from tenant t as verified although Entra sends no email_verified and some tenants let users edit their address.",
      ),
    ).toBe(false);
    expect(namesLinkLoss("  - pulumi-nodejs:dynamic:Resource contoso-sso-connector delete")).toBe(false);
  });

  it("fails a routine operation whose people land in new users or cannot sign in, and carries accounts on", () => {
    const journal = new Journal();
    const first = journal.row("first", "keep");
    first.record("first sign-ins", [
      ["adele", signedIn("u1")],
      ["nora", signedIn("u2")],
    ]);
    journal.close(first);
    expect(first.failures).toEqual([]);

    const routine = journal.row("routine", "keep");
    routine.record("after up", [
      ["adele", signedIn("u9")],
      ["nora", refused("AADSTS50011: The redirect URI …")],
    ]);
    journal.close(routine);
    expect(routine.failures).toEqual([
      "after up: adele landed in a new Logto user",
      "after up: nora could not sign in (AADSTS50011)",
    ]);
    expect(routine.sameUser()).toBe("no: adele in new users");
    expect(journal.accounts.get("adele")).toBe("u9");
    expect([...journal.outOfJournal.keys()]).toEqual(["nora"]);
  });

  it("lets an operation that cannot keep links move people only when the preview said so", () => {
    const journal = new Journal();
    journal.accounts.set("adele", "u1");
    const silent = journal.row("silent", "may-cut");
    silent.record("after up", [["adele", signedIn("u2")]]);
    expect(silent.failures).toHaveLength(1);

    const warned = journal.row("warned", "may-cut");
    warned.saidSo = true;
    warned.record("after up", [["adele", signedIn("u2")]], []);
    warned.record("removed", [["nora", refused("Single Sign-On is not enabled for this email account.")]], ["nora"]);
    expect(warned.failures).toEqual([]);
  });

  it("fails a sign-in whose ID token does not list the person's organization with the roles expected", () => {
    const journal = new Journal();
    journal.accounts.set("bianca", "u1");
    const token = (roles: string[]) => ({
      userId: "u1",
      visited: [],
      idTokenClaims: { organizations: roles.length ? ["o1"] : [], organization_roles: roles.map((r) => `o1:${r}`) },
    });
    const member = () => ({ organizationId: "o1", organizationName: "Fabrikam", roles: ["member"] });
    const row = journal.row("routine", "keep");
    row.record("kept", [["bianca", token(["member"])]], [], false, member);
    expect(row.failures).toEqual([]);
    row.record("cut off", [["bianca", token([])]], [], false, member);
    row.record("roles changed", [["bianca", token(["admin", "member"])]], [], false, member);
    expect(row.failures).toEqual([
      "cut off: bianca Fabrikam: NOT a member, expected member",
      "roles changed: bianca Fabrikam: admin, member, expected member",
    ]);
    journal.close(row);
    expect(journal.markdown()).toContain("bianca ✓ same (Fabrikam: member)");
    expect(rolesInToken({ organizations: ["o1", "o2"], organization_roles: ["o2:admin", "o1:member"] }, "o2")).toEqual([
      "admin",
    ]);
  });
});
