/** The Enterprise SSO switch's shapes: what the program declares and what the state records. */
import { OnEndpoint } from "../support";

export interface SignInExperienceSsoInputs extends OnEndpoint {
  /** The value of "Enterprise SSO" in the sign-in experience while the stack exists. */
  enabled: boolean;
}

export type SignInExperienceSsoOutputs = SignInExperienceSsoInputs;
