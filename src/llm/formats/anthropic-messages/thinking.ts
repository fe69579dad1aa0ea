/**
 * How an IR request's reasoning becomes a Claude model's thinking settings: adaptive thinking
 * with an effort where the model takes it, else an extended-thinking budget below max_tokens;
 * nothing where Claude would reject thinking (a forced tool choice, or a last tool-use turn
 * without a signed thinking block). Shared by the Anthropic Messages format and by Bedrock
 * Converse for Claude models, which take the same fields in additionalModelRequestFields.
 */
import type { IrRequest } from "../ir.js";
import { anthropicEffortFor, budgetForEffort, MIN_THINKING_BUDGET } from "../reasoning.js";
import type { Json } from "../util.js";
import { claudeModelLimits } from "./model-limits.js";

/** Used when the client did not say: Anthropic requires max_tokens. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

export interface ClaudeTokenOptions {
  /** max_tokens when the client gave none (Anthropic requires it). */
  defaultMaxTokens?: number;
  /** The model's output cap (config), over the built-in table: a derived max_tokens never exceeds it. */
  maxOutputTokens?: number;
}

export interface ClaudeThinking {
  /** The `thinking` field, when one is sent. */
  thinking?: Json;
  /** `output_config.effort`, when one is sent. */
  effort?: string;
  /** max_tokens: the client's, else the default, raised (within the model's cap) to make room for thinking. */
  maxTokens: number;
  /** Thinking is on: Claude then takes only the default temperature and no top_k. */
  on: boolean;
}

/**
 * `lastToolTurnUnsigned`: the last assistant turn holds a tool call without starting with a
 * signed thinking block, which Anthropic rejects with thinking on.
 */
export function claudeThinking(
  ir: IrRequest,
  opts: ClaudeTokenOptions,
  lastToolTurnUnsigned: boolean,
  dropped: string[],
): ClaudeThinking {
  const limits = claudeModelLimits(ir.model);
  const cap = opts.maxOutputTokens ?? limits?.maxOutputTokens ?? Number.POSITIVE_INFINITY;
  const defaulted = ir.maxTokens === undefined;
  const baseMax = opts.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  const out: ClaudeThinking = { maxTokens: ir.maxTokens ?? Math.min(baseMax, cap), on: false };
  const r = ir.reasoning;
  if (r === undefined) return out;
  const forcedTool = ir.toolChoice?.type === "required" || ir.toolChoice?.type === "tool";
  const effortOf = (effort: string | undefined): string | undefined =>
    effort === undefined ? undefined : anthropicEffortFor(effort, limits?.maxEffort ?? true);
  // A budget the client set (Messages thinking.enabled) is kept; an effort goes adaptive where the model takes it.
  const adaptive = r.adaptive === true || (limits?.adaptive === true && r.budgetTokens === undefined);
  if (r.disabled === true || r.effort === "none") out.thinking = { type: "disabled" };
  else if (r.effortOnly === true) {
    const effort = effortOf(r.effort);
    if (effort !== undefined) out.effort = effort;
  } else if (forcedTool) dropped.push("reasoning (Anthropic rejects thinking with a forced tool_choice)");
  else if (lastToolTurnUnsigned)
    dropped.push(
      "reasoning (the last assistant tool_use turn has no signed thinking block, which Anthropic requires with thinking on)",
    );
  else if (adaptive) {
    out.thinking = { type: "adaptive" };
    out.on = true;
    const effort = effortOf(r.effort);
    if (effort !== undefined) out.effort = effort;
    else if (r.effort !== undefined) dropped.push(`reasoning.effort=${r.effort}`);
    // Thinking shares max_tokens: a defaulted one gets room for it, within the model's cap.
    if (defaulted) out.maxTokens = Math.min(baseMax + (budgetForEffort(r.effort ?? "high") ?? 8192), cap);
  } else {
    let budget = Math.max(
      MIN_THINKING_BUDGET,
      r.budgetTokens ?? budgetForEffort(r.effort ?? "medium") ?? 8192,
    );
    // budget_tokens must be below max_tokens: a defaulted max_tokens is raised (within the
    // model's cap), a given one caps the budget.
    if (budget >= out.maxTokens) {
      if (defaulted) out.maxTokens = Math.min(budget + baseMax, cap);
      if (budget >= out.maxTokens) budget = out.maxTokens - 1;
    }
    if (budget < MIN_THINKING_BUDGET)
      dropped.push("reasoning (max_tokens below the minimum thinking budget)");
    else {
      out.thinking = { type: "enabled", budget_tokens: budget };
      out.on = true;
    }
  }
  return out;
}
