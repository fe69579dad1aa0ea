/**
 * The synchronous guards (regex, blocklist) compiled once from a config entry. Each works on a
 * whole text (`scan`) and on a stream of deltas (`scanner()`), with the same semantics.
 */
import type { GuardConfig } from "../../config/schema.js";
import { builtinRules, customRule, wordRule } from "./detectors.js";
import { MAX_MATCH_HOLD, type ScanRule, type ScanStep, scanAll, TextScanner } from "./scanner.js";

export interface Rejection {
  readonly status: number;
  readonly message: string;
}

export const DEFAULT_REJECTION: Rejection = Object.freeze({
  status: 403,
  message: "The request was rejected by a guardrail.",
});

export function rejectionOf(cfg: GuardConfig): Rejection {
  return Object.freeze({
    status: cfg.rejection?.status ?? DEFAULT_REJECTION.status,
    message: cfg.rejection?.message ?? DEFAULT_REJECTION.message,
  });
}

export interface SyncGuard {
  readonly kind: "regex" | "blocklist";
  readonly action: "mask" | "reject";
  readonly rules: readonly ScanRule[];
  readonly rejection: Rejection;
  /** The most characters a stream scanner of this guard holds back. */
  readonly holdbackBound: number;
  scan(text: string): ScanStep;
  scanner(): TextScanner;
}

function syncGuard(
  kind: SyncGuard["kind"],
  action: SyncGuard["action"],
  rules: ScanRule[],
  rejection: Rejection,
): SyncGuard {
  const frozen = Object.freeze(rules);
  const stop = action === "reject";
  return Object.freeze({
    kind,
    action,
    rules: frozen,
    rejection,
    // A masking stream holds a match that may still grow whole, up to MAX_MATCH_HOLD.
    holdbackBound: Math.max(
      0,
      ...frozen.map((r) =>
        !stop && r.growth !== undefined ? Math.max(MAX_MATCH_HOLD, r.window - 1) : r.window - 1,
      ),
    ),
    scan: (text: string) => scanAll(text, frozen, stop),
    scanner: () => new TextScanner(frozen, stop),
  });
}

export function createRegexGuard(cfg: GuardConfig): SyncGuard {
  const regex = cfg.regex;
  if (regex === undefined) throw new Error("not a regex guard");
  const rules: ScanRule[] = [];
  for (const r of regex.rules) {
    if (r.builtin !== undefined) rules.push(...builtinRules(r.builtin));
    else if (r.pattern !== undefined) rules.push(customRule(r.pattern));
  }
  return syncGuard("regex", regex.action, rules, rejectionOf(cfg));
}

export function createBlocklistGuard(cfg: GuardConfig): SyncGuard {
  const words = cfg.blocklist?.words;
  if (words === undefined) throw new Error("not a blocklist guard");
  return syncGuard("blocklist", "reject", words.map(wordRule), rejectionOf(cfg));
}
