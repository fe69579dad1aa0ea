/**
 * OpenAI speaks reasoning *effort*, Anthropic speaks a thinking *budget* in tokens. The two are
 * mapped with fixed, documented tables so a round trip is stable:
 *   effort → budget: minimal 1024, low 2048, medium 8192, high 24576 (xhigh 32768)
 *   budget → effort: ≤1024 minimal... we never emit "minimal" (not every model takes it):
 *                    < 4096 low, < 16384 medium, otherwise high.
 * Anthropic's minimum budget is 1024 tokens.
 */
export const EFFORT_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
};

export const MIN_THINKING_BUDGET = 1024;

export function budgetForEffort(effort: string): number | undefined {
  return EFFORT_BUDGETS[effort];
}

export function effortForBudget(budget: number): string {
  if (budget < 4096) return "low";
  if (budget < 16384) return "medium";
  return "high";
}

/**
 * OpenAI efforts → Anthropic `output_config.effort` (low | medium | high | max) for models with
 * adaptive thinking: minimal → low, xhigh → max where the model takes it (else high).
 * `none` means no thinking at all and is handled before this.
 */
export function anthropicEffortFor(effort: string, maxEffort: boolean): string | undefined {
  switch (effort) {
    case "minimal":
    case "low":
      return "low";
    case "medium":
      return "medium";
    case "high":
      return "high";
    case "xhigh":
    case "max":
      return maxEffort ? "max" : "high";
    default:
      return undefined;
  }
}

/** Anthropic `output_config.effort` → the IR's (OpenAI) effort: max → xhigh, the rest by name. */
export function effortFromAnthropic(effort: string): string | undefined {
  if (effort === "max") return "xhigh";
  if (effort === "low" || effort === "medium" || effort === "high") return effort;
  return undefined;
}
