/**
 * What agw needs to know about a Claude model family when it derives a request for it: the
 * documented output cap (so a `max_tokens` agw derives never exceeds it), whether the model takes
 * adaptive thinking with an effort (`thinking: {type: "adaptive"}` + `output_config.effort`), and
 * whether it takes the `max` effort. Matched by the longest model-name prefix, after any cloud
 * prefix (`anthropic.`, `us.anthropic.`); a config's per-model `maxOutputTokens` overrides the cap.
 */
export interface ClaudeModelLimits {
  /** Largest `max_tokens` the model accepts. */
  readonly maxOutputTokens: number;
  /** Takes `thinking: {type: "adaptive"}` with `output_config.effort`. */
  readonly adaptive: boolean;
  /** Takes `output_config.effort: "max"`. */
  readonly maxEffort: boolean;
}

const TABLE: ReadonlyArray<readonly [prefix: string, limits: ClaudeModelLimits]> = [
  ["claude-opus-4-7", { maxOutputTokens: 128000, adaptive: true, maxEffort: true }],
  ["claude-opus-4-6", { maxOutputTokens: 128000, adaptive: true, maxEffort: true }],
  ["claude-sonnet-4-6", { maxOutputTokens: 64000, adaptive: true, maxEffort: false }],
  ["claude-opus-4-5", { maxOutputTokens: 64000, adaptive: false, maxEffort: false }],
  ["claude-sonnet-4-5", { maxOutputTokens: 64000, adaptive: false, maxEffort: false }],
  ["claude-haiku-4-5", { maxOutputTokens: 64000, adaptive: false, maxEffort: false }],
  ["claude-opus-4-1", { maxOutputTokens: 32000, adaptive: false, maxEffort: false }],
  ["claude-opus-4", { maxOutputTokens: 32000, adaptive: false, maxEffort: false }],
  ["claude-sonnet-4", { maxOutputTokens: 64000, adaptive: false, maxEffort: false }],
  ["claude-3-7-sonnet", { maxOutputTokens: 64000, adaptive: false, maxEffort: false }],
  ["claude-3-5-sonnet", { maxOutputTokens: 8192, adaptive: false, maxEffort: false }],
  ["claude-3-5-haiku", { maxOutputTokens: 8192, adaptive: false, maxEffort: false }],
  ["claude-3-opus", { maxOutputTokens: 4096, adaptive: false, maxEffort: false }],
  ["claude-3-haiku", { maxOutputTokens: 4096, adaptive: false, maxEffort: false }],
];

/** The limits of a Claude model by name, or undefined for a name the table does not know. */
export function claudeModelLimits(model: string): ClaudeModelLimits | undefined {
  const at = model.indexOf("claude-");
  if (at < 0) return undefined;
  const name = model.slice(at);
  let best: readonly [string, ClaudeModelLimits] | undefined;
  for (const row of TABLE)
    if (name.startsWith(row[0]) && (best === undefined || row[0].length > best[0].length)) best = row;
  return best?.[1];
}
