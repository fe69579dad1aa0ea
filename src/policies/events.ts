/**
 * Every policy outcome as one small typed record, so the observability issue can count them
 * (`agw_policy_events_total{policy,phase,action}`) without each policy knowing about metrics.
 * Labels are closed sets: never a key, a text, a model or a user value (cardinality and secrecy).
 */

export type PolicyName =
  | "cors"
  | "apiKey"
  | "localRateLimit"
  | "globalRateLimit"
  | "budget"
  | "requestHeaderModifier"
  | "responseHeaderModifier"
  | "modelAliases"
  | "shaping"
  | "promptGuard";

/** gateway: before any backend; request/response: the LLM pipeline; stream: streamed responses. */
export type PolicyPhase = "gateway" | "request" | "response" | "stream";

export type PolicyAction = "allow" | "mask" | "reject" | "failOpen" | "rateLimited";

/** The guard kind, for promptGuard events. */
export type GuardKind = "regex" | "blocklist" | "webhook";

export interface PolicyEvent {
  readonly policy: PolicyName;
  readonly phase: PolicyPhase;
  readonly action: PolicyAction;
  readonly guard?: GuardKind;
}

export function policyEvent(
  policy: PolicyName,
  phase: PolicyPhase,
  action: PolicyAction,
  guard?: GuardKind,
): PolicyEvent {
  return Object.freeze(guard === undefined ? { policy, phase, action } : { policy, phase, action, guard });
}

/** Where events go; the pipeline passes one per request (e.g. a metrics counter and the access log). */
export type PolicyEventSink = (e: PolicyEvent) => void;
