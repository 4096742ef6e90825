/** Client secret rotation: the period from the clock, and what a new period changes in the program. */
import { describe, expect, it } from "vitest";
import { secretRotationWindow } from "../../infra/rotation";
import { now, rawConfig } from "./fixtures";
import { Recording, entraSecretFor, find, reveal, runProgram, types } from "./harness";

const epoch = "2025-01-01";

describe("secretRotationWindow", () => {
  it("counts whole periods from the epoch and expires the secret 30 days after its period", () => {
    expect(secretRotationWindow({ epoch, days: 180, now })).toEqual({
      period: 1,
      trigger: { period: "1" },
      rotatesAt: "2025-12-27T00:00:00Z",
      endDate: "2026-01-26T00:00:00Z",
    });
  });

  it("stays the same for the whole period and changes exactly at its end", () => {
    const first = secretRotationWindow({ epoch, days: 180, now: new Date("2025-06-30T00:00:00Z") });
    const last = secretRotationWindow({ epoch, days: 180, now: new Date("2025-12-26T23:59:59Z") });
    const next = secretRotationWindow({ epoch, days: 180, now: new Date("2025-12-27T00:00:00Z") });
    expect(last).toEqual(first);
    expect(next.period).toBe(2);
    expect(next.endDate).toBe("2026-07-25T00:00:00Z");
  });

  it("refuses an epoch that is no date or lies in the future, and a period under a day", () => {
    expect(() => secretRotationWindow({ epoch: "2025-13-01", days: 30, now })).toThrow("give a date as YYYY-MM-DD");
    expect(() => secretRotationWindow({ epoch: "2030-01-01", days: 30, now })).toThrow("is in the future");
    expect(() => secretRotationWindow({ epoch, days: 0, now })).toThrow("at least 1");
  });
});

/** Revealed inputs of every resource by type and name, without the serialised dynamic provider. */
async function inputsAt(at: Date): Promise<{ recording: Recording; inputs: Map<string, string> }> {
  const { recording } = await runProgram(rawConfig(), at);
  const inputs = new Map(
    recording.resources.map((r) => [
      `${r.type}::${r.name}`,
      JSON.stringify(reveal({ ...r.inputs, __provider: undefined })),
    ]),
  );
  return { recording, inputs };
}

describe("a rotation in the program", () => {
  it("changes only the Entra password and the connector that receives the new secret", async () => {
    const before = await inputsAt(now);
    const after = await inputsAt(new Date("2026-01-05T08:00:00Z"));
    expect([...after.inputs.keys()].sort()).toEqual([...before.inputs.keys()].sort());
    const changed = [...before.inputs.keys()].filter((key) => before.inputs.get(key) !== after.inputs.get(key));
    expect(changed.sort()).toEqual([
      `${types.password}::contoso-entra-secret`,
      `${types.connector}::contoso-sso-connector`,
    ]);

    const password = find(after.recording, types.password);
    expect(reveal(password.inputs)).toMatchObject({
      rotateWhenChanged: { period: "2" },
      endDate: "2026-07-25T00:00:00Z",
      displayName: "Logto SSO (rotation period 2)",
    });
    // Create the new secret, hand it to Logto, then delete the old one.
    expect(password.deleteBeforeReplace).toBe(false);
    const connector = find(after.recording, types.connector);
    expect(connector.dependencies).toContain(password.urn);
    expect(reveal(connector.inputs)).toMatchObject({
      config: { clientSecret: entraSecretFor("contoso-entra-secret", "2") },
    });
  });
});
