/**
 * The organization guard's record: each organization the stack holds, whether removing it from the stack deletes
 * it in Logto, and the connection it belongs to.
 *
 * Why a record: Pulumi calls no provider when it previews a delete, and an organization leaves the stack by
 * disappearing from the program (a removed connection, or its `organization`). The guard is registered after the
 * organizations on every run; its `check` compares the record of the last `up` with this run's, so a preview (and
 * the `up`) says what the change does to each organization that leaves, members counted. The record is that of
 * the last `up` because so is the organizations' `retainOnDelete` in the state, which decides whether a removed
 * organization is deleted, not the config of this run.
 */
export interface GuardedOrganization {
  /** The connection whose `organization` it is. */
  connection: string;
  /** The organization's id in Logto (its resource id). */
  organizationId: string;
  /** Removing it from the stack deletes it in Logto: deleteOrganizationOnRemoval (its `retainOnDelete` off). */
  deleteOnRemoval: boolean;
  /** The stack adopted it (adoptOrganizationId): its delete keeps it in Logto whatever deleteOnRemoval says. */
  adopted: boolean;
}

export interface OrganizationGuardInputs {
  organizations: GuardedOrganization[];
  /** The Logto the recorded organizations live at (logto:endpoint when recorded); filled by check. */
  endpoint?: string;
}

export type OrganizationGuardOutputs = OrganizationGuardInputs;

/** Guard state is a plain record; the record of a state without it is empty. */
export function guardedIn(props: Partial<OrganizationGuardInputs> | undefined): GuardedOrganization[] {
  return Array.isArray(props?.organizations) ? props.organizations : [];
}
