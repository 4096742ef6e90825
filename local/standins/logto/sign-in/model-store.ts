/**
 * oidc-provider's storage (its `adapter`), in memory: one map per model (Session, Interaction, Grant,
 * AuthorizationCode, AccessToken, RefreshToken...), expiring entries as Logto's Postgres adapter does on read.
 * Clients are not stored here: they are the stand-in's applications (see provider.ts). Tests read `sessions()`.
 */
import type { Adapter, AdapterPayload } from "oidc-provider";

interface StoredModel {
  payload: AdapterPayload;
  expiresAt: number;
}

/** A signed-in browser session as tests see it. */
export interface SessionView {
  uid: string;
  accountId?: string;
  /** Client ids that were authorized in the session. */
  clientIds: string[];
  expiresAt: number;
}

export class ModelStore {
  private readonly models = new Map<string, Map<string, StoredModel>>();

  private table(model: string): Map<string, StoredModel> {
    let table = this.models.get(model);
    if (!table) {
      table = new Map();
      this.models.set(model, table);
    }
    return table;
  }

  private live(model: string): [string, StoredModel][] {
    const table = this.table(model);
    const now = Date.now();
    for (const [id, stored] of table) if (stored.expiresAt <= now) table.delete(id);
    return [...table];
  }

  adapterFor(model: string): Adapter {
    const findBy = (matches: (id: string, payload: AdapterPayload) => boolean): AdapterPayload | undefined => {
      const found = this.live(model).find(([id, { payload }]) => matches(id, payload));
      return found && structuredClone(found[1].payload);
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        this.table(model).set(id, { payload: structuredClone(payload), expiresAt: Date.now() + expiresIn * 1000 });
      },
      find: async (id) => findBy((key) => key === id),
      findByUid: async (uid) => findBy((_, payload) => payload.uid === uid),
      findByUserCode: async (userCode) => findBy((_, payload) => payload.userCode === userCode),
      consume: async (id) => {
        const stored = this.table(model).get(id);
        if (stored) stored.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.table(model).delete(id);
      },
      revokeByGrantId: async (grantId) => {
        const table = this.table(model);
        for (const [id, { payload }] of table) if (payload.grantId === grantId) table.delete(id);
      },
    };
  }

  sessions(): SessionView[] {
    return this.live("Session").map(([, { payload, expiresAt }]) => ({
      uid: payload.uid ?? "",
      accountId: payload.accountId,
      clientIds: Object.keys(payload.authorizations ?? {}),
      expiresAt,
    }));
  }

  /**
   * Ends everything issued to an account (sessions, grants, codes, tokens), as Logto's `signOutUser` does before
   * a user is deleted (libraries/user.ts).
   */
  revokeAccount(accountId: string): void {
    for (const table of this.models.values()) {
      for (const [id, { payload }] of table) if (payload.accountId === accountId) table.delete(id);
    }
  }

  clear(): void {
    this.models.clear();
  }
}
