/**
 * The order policies run in, written once. The engine runs the gateway phase for every route;
 * the LLM pipeline runs the request phase after parsing (and before routing) and the response
 * phase before writing. Each name is one step; a missing policy is skipped.
 */
export const POLICY_ORDER = Object.freeze({
  gateway: Object.freeze(["cors", "apiKey", "budget", "requestRateLimit", "requestHeaderModifier"] as const),
  llmRequest: Object.freeze([
    "modelAliases",
    "shaping",
    "promptGuardRequest",
    "tokenRateLimitReserve",
  ] as const),
  llmResponse: Object.freeze([
    "promptGuardResponse",
    "tokenRateLimitAmend",
    "responseHeaderModifier",
  ] as const),
});

export type PolicyPhaseName = keyof typeof POLICY_ORDER;
export type PolicyStepName<P extends PolicyPhaseName = PolicyPhaseName> = (typeof POLICY_ORDER)[P][number];

/** A step continues (undefined) or ends the phase with a value (an answer, an error...). */
export type PolicyStep<C, S> = (ctx: C) => S | undefined | Promise<S | undefined>;

/**
 * Runs the steps of `phase` in POLICY_ORDER; the first step returning a value stops the phase
 * and that value is returned. Steps absent from `steps` (policy not configured) are skipped.
 */
export async function runPolicyPhase<P extends PolicyPhaseName, C, S>(
  phase: P,
  steps: Partial<Record<PolicyStepName<P>, PolicyStep<C, S>>>,
  ctx: C,
): Promise<S | undefined> {
  for (const name of POLICY_ORDER[phase] as readonly PolicyStepName<P>[]) {
    const step = steps[name];
    if (step === undefined) continue;
    const stop = await step(ctx);
    if (stop !== undefined) return stop;
  }
  return undefined;
}
