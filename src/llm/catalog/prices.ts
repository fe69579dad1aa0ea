/**
 * The shipped price catalog: USD per million tokens for the common models of each provider
 * kind, with where and when each price was read. Data only (cost.ts reads it); the config's
 * `config.modelCatalog` overrides or adds entries. `cacheWrite` is what a token written to the
 * provider's prompt cache costs: Anthropic bills it above input (5-minute writes); the others
 * bill no write premium, so it equals `input` there. Prices change: check the source before
 * relying on a figure, and override it in the config when it is out of date.
 */

export interface CatalogEntry {
  /** The model name as the provider's API takes it (dated snapshots fall back to it: cost.ts). */
  readonly model: string;
  /** The provider kind that sells the model at this price. */
  readonly provider: string;
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  /** The page the prices were read from. */
  readonly source: string;
  /** When they were read (YYYY-MM-DD). */
  readonly read: string;
}

const OPENAI_VIA_MORPH = "https://www.morphllm.com/openai-api-pricing (table of the official page)";
const OPENAI_VIA_BENCHLM = "https://benchlm.ai/blog/posts/openai-api-pricing (table of the official page)";
const OPENAI_41_VIA_TOKENMATH = "https://tokenmath.io/openai-api-pricing-explained (OpenAI model pricing)";
const OPENAI_4O_VIA_LIST = "https://chatgptpricing-akr.pages.dev/api-pricing (from developers.openai.com)";
const ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing";
const DEEPSEEK = "https://api-docs.deepseek.com/quick_start/pricing-details-usd";
const XAI_47 = "https://apidog.com/blog/how-to-use-grok-4-7-api/ (xAI docs, Grok 4.7 page)";
const XAI_43 = "https://docs.sim.ai/models/xai (xAI models page)";
const GROQ = "https://smithery.ai/skills/jeremylongshore/groq-cost-tuning (groq.com/pricing)";
const READ = "2026-12-06";

function openai(
  model: string,
  input: number,
  cacheRead: number,
  output: number,
  source: string,
): CatalogEntry {
  return { model, provider: "openAI", input, output, cacheRead, cacheWrite: input, source, read: READ };
}

/** Anthropic: 5-minute cache writes at 1.25× input, cache hits at 0.1× input. */
function anthropic(model: string, input: number, output: number): CatalogEntry {
  return {
    model,
    provider: "anthropic",
    input,
    output,
    cacheRead: Math.round(input * 0.1 * 1e6) / 1e6,
    cacheWrite: Math.round(input * 1.25 * 1e6) / 1e6,
    source: ANTHROPIC,
    read: READ,
  };
}

function other(
  provider: string,
  model: string,
  input: number,
  cacheRead: number,
  output: number,
  source: string,
): CatalogEntry {
  return { model, provider, input, output, cacheRead, cacheWrite: input, source, read: READ };
}

export const SHIPPED_PRICES: readonly CatalogEntry[] = Object.freeze([
  openai("gpt-5.5", 5, 0.5, 30, OPENAI_VIA_MORPH),
  openai("gpt-5.4", 2.5, 0.25, 15, OPENAI_VIA_BENCHLM),
  openai("gpt-5.4-mini", 0.75, 0.075, 4.5, OPENAI_VIA_BENCHLM),
  openai("gpt-5.4-nano", 0.2, 0.02, 1.25, OPENAI_VIA_BENCHLM),
  openai("gpt-5.2", 1.75, 0.175, 14, OPENAI_VIA_BENCHLM),
  openai("gpt-5.1", 1.25, 0.125, 10, OPENAI_VIA_BENCHLM),
  openai("gpt-4.1", 2, 0.5, 8, OPENAI_41_VIA_TOKENMATH),
  openai("gpt-4.1-mini", 0.4, 0.1, 1.6, OPENAI_41_VIA_TOKENMATH),
  openai("gpt-4o", 2.5, 1.25, 10, OPENAI_4O_VIA_LIST),
  openai("gpt-4o-mini", 0.15, 0.075, 0.6, OPENAI_4O_VIA_LIST),
  anthropic("claude-opus-4-7", 5, 25),
  anthropic("claude-opus-4-6", 5, 25),
  anthropic("claude-opus-4-5", 5, 25),
  anthropic("claude-opus-4-1", 15, 75),
  anthropic("claude-opus-4-0", 15, 75),
  anthropic("claude-sonnet-4-6", 3, 15),
  anthropic("claude-sonnet-4-5", 3, 15),
  anthropic("claude-sonnet-4-0", 3, 15),
  anthropic("claude-haiku-4-5", 1, 5),
  anthropic("claude-3-5-haiku", 0.8, 4),
  other("deepseek", "deepseek-chat", 0.27, 0.07, 1.1, DEEPSEEK),
  other("deepseek", "deepseek-reasoner", 0.55, 0.14, 2.19, DEEPSEEK),
  other("xai", "grok-4.7", 2, 0.5, 6, XAI_47),
  // No cached rate was published with it: cache hits are priced as input (an upper bound).
  other("xai", "grok-4.3", 1.25, 1.25, 2.5, XAI_43),
  // Groq publishes no cached rate for these: cache hits are priced as input.
  other("groq", "llama-3.3-70b-versatile", 0.59, 0.59, 0.79, GROQ),
  other("groq", "llama-3.1-8b-instant", 0.05, 0.05, 0.08, GROQ),
]);
