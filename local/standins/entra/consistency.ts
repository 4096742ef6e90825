/**
 * Entra's replication lag, on demand. Graph is eventually consistent: a new object can answer 404 for a
 * while, a new secret can be missing from `passwordCredentials`, a deleted object can still be read; the
 * azuread provider polls for all three (TF internal/helpers/consistency, application_password_resource.go).
 * All switches are 0 (consistent) unless a test sets them; they count GETs by id.
 */
import type { GraphJson } from "./objects";

export interface ConsistencySwitches {
  /** A new application, service principal or grant answers 404 to its first N GETs by id. */
  newObjectNotFoundReads: number;
  /** A new password is missing from its application's `passwordCredentials` for the first N GETs of it. */
  newPasswordHiddenReads: number;
  /** A deleted application, service principal or grant still answers its last state to the next N GETs by id. */
  deletedObjectVisibleReads: number;
}

export const consistentSwitches = (): ConsistencySwitches => ({
  newObjectNotFoundReads: 0,
  newPasswordHiddenReads: 0,
  deletedObjectVisibleReads: 0,
});

/** Takes one read off a countdown; true while the countdown was still running. */
function takeRead(countdowns: Map<string, number>, key: string): boolean {
  const left = countdowns.get(key);
  if (left === undefined) return false;
  if (left <= 1) countdowns.delete(key);
  else countdowns.set(key, left - 1);
  return true;
}

/** One tenant's lagging objects. */
export class ReplicationLag {
  private readonly unseenObjects = new Map<string, number>();
  private readonly unseenPasswords = new Map<string, number>();
  private readonly deletedObjects = new Map<string, { lastState: GraphJson; readsLeft: number }>();

  constructor(private readonly switches: () => ConsistencySwitches) {}

  created(objectId: string): void {
    const reads = this.switches().newObjectNotFoundReads;
    if (reads > 0) this.unseenObjects.set(objectId, reads);
  }

  passwordAdded(keyId: string): void {
    const reads = this.switches().newPasswordHiddenReads;
    if (reads > 0) this.unseenPasswords.set(keyId, reads);
  }

  deleted(objectId: string, lastState: GraphJson): void {
    this.unseenObjects.delete(objectId);
    const reads = this.switches().deletedObjectVisibleReads;
    if (reads > 0) this.deletedObjects.set(objectId, { lastState: structuredClone(lastState), readsLeft: reads });
  }

  /** A GET by id of a live object: whether it still answers 404. */
  hidesNew(objectId: string): boolean {
    return takeRead(this.unseenObjects, objectId);
  }

  /** A GET by id of an application: whether this password is still missing from it. */
  hidesPassword(keyId: string): boolean {
    return takeRead(this.unseenPasswords, keyId);
  }

  /** A GET by id of an object that is gone: its last state while it is still visible. */
  lastStateOfDeleted(objectId: string): GraphJson | undefined {
    const deleted = this.deletedObjects.get(objectId);
    if (!deleted) return undefined;
    deleted.readsLeft -= 1;
    if (deleted.readsLeft <= 0) this.deletedObjects.delete(objectId);
    return structuredClone(deleted.lastState);
  }

  clear(): void {
    this.unseenObjects.clear();
    this.unseenPasswords.clear();
    this.deletedObjects.clear();
  }
}
