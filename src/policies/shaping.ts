/**
 * Request shaping on the IR, so one config works whatever format the caller speaks:
 * `modelAliases` (exact name first, then the most specific pattern, ties by config order),
 * `defaults` (set when the request left the field unset), `overrides` (always set),
 * `prompts` (system messages go to the IR system prompt; others before/after the messages).
 *
 * Field names: the well-known names of all three APIs map onto IR fields (FIELDS below), so
 * `max_tokens`, `max_completion_tokens` and `max_output_tokens` all mean `maxTokens`. Any other
 * name behaves exactly as if the caller had written it in its own request: it goes into
 * `extras[clientFormat]`, which only a same-format upstream receives (others drop it, reported).
 */
import type { AiPolicyConfig } from "../config/schema.js";
import type { IrFormat, IrRequest } from "../llm/formats/ir.js";
import { bySpecificity, type ModelPattern, matchesModel, parseModelPattern } from "../llm/model-pattern.js";
import { type PolicyEvent, policyEvent } from "./events.js";

type Setter = (ir: IrRequest, value: unknown) => boolean;
interface Field {
  readonly isSet: (ir: IrRequest) => boolean;
  readonly set: Setter;
}

const num = (
  key: "temperature" | "topP" | "topK" | "maxTokens" | "seed" | "n" | "presencePenalty" | "frequencyPenalty",
): Field => ({
  isSet: (ir) => ir[key] !== undefined,
  set: (ir, v) => {
    if (typeof v !== "number") return false;
    ir[key] = v;
    return true;
  },
});

const stop: Field = {
  isSet: (ir) => ir.stop !== undefined,
  set: (ir, v) => {
    if (typeof v === "string") ir.stop = [v];
    else if (Array.isArray(v) && v.every((s) => typeof s === "string")) ir.stop = [...v];
    else return false;
    return true;
  },
};

const FIELDS: Readonly<Record<string, Field>> = Object.freeze({
  temperature: num("temperature"),
  top_p: num("topP"),
  top_k: num("topK"),
  max_tokens: num("maxTokens"),
  max_completion_tokens: num("maxTokens"),
  max_output_tokens: num("maxTokens"),
  seed: num("seed"),
  n: num("n"),
  presence_penalty: num("presencePenalty"),
  frequency_penalty: num("frequencyPenalty"),
  stop,
  stop_sequences: stop,
  parallel_tool_calls: {
    isSet: (ir) => ir.parallelToolCalls !== undefined,
    set: (ir, v) => {
      if (typeof v !== "boolean") return false;
      ir.parallelToolCalls = v;
      return true;
    },
  },
  user: {
    isSet: (ir) => ir.user !== undefined,
    set: (ir, v) => {
      if (typeof v !== "string") return false;
      ir.user = v;
      return true;
    },
  },
  reasoning_effort: {
    isSet: (ir) => ir.reasoning?.effort !== undefined,
    set: (ir, v) => {
      if (typeof v !== "string") return false;
      ir.reasoning = { ...ir.reasoning, effort: v };
      return true;
    },
  },
  metadata: {
    isSet: (ir) => ir.metadata !== undefined,
    set: (ir, v) => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
      const entries = Object.entries(v);
      if (!entries.every(([, s]) => typeof s === "string")) return false;
      ir.metadata = { ...ir.metadata, ...(Object.fromEntries(entries) as Record<string, string>) };
      return true;
    },
  },
});

export const KNOWN_SHAPING_FIELDS: readonly string[] = Object.freeze(Object.keys(FIELDS));

export interface ShapeResult {
  readonly ir: IrRequest;
  /** Defaults/overrides whose value had the wrong type for the IR field (left out). */
  readonly skipped: readonly string[];
  readonly events: readonly PolicyEvent[];
}

export interface Shaping {
  /** The model after aliasing (the input when no alias applies). */
  resolveAlias(model: string): string;
  /** Applies defaults, overrides and prompts (and aliases) to a copy of `ir`. */
  shape(ir: IrRequest, clientFormat: IrFormat): ShapeResult;
}

export function createShaping(cfg: AiPolicyConfig): Shaping {
  const aliases = Object.entries(cfg.modelAliases ?? {});
  const exact = new Map(aliases.filter(([k]) => !k.includes("*")));
  const patterns: ReadonlyArray<{ p: ModelPattern; target: string }> = aliases
    .filter(([k]) => k.includes("*"))
    .map(([k, target]) => ({ p: parseModelPattern(k), target }))
    // Stable sort: equally specific patterns keep config order.
    .sort((a, b) => bySpecificity(a.p, b.p));
  const defaults = Object.entries(cfg.defaults ?? {});
  const overrides = Object.entries(cfg.overrides ?? {});
  const prepend = cfg.prompts?.prepend ?? [];
  const append = cfg.prompts?.append ?? [];

  function resolveAlias(model: string): string {
    const e = exact.get(model);
    if (e !== undefined) return e;
    return patterns.find(({ p }) => matchesModel(p, model))?.target ?? model;
  }

  function shape(input: IrRequest, clientFormat: IrFormat): ShapeResult {
    const ir: IrRequest = { ...input, system: [...input.system], messages: [...input.messages] };
    if (input.stop !== undefined) ir.stop = [...input.stop];
    if (input.extras !== undefined) ir.extras = { ...input.extras };
    const events: PolicyEvent[] = [];
    const skipped: string[] = [];

    const model = resolveAlias(input.model);
    if (model !== input.model) {
      ir.model = model;
      events.push(policyEvent("modelAliases", "request", "allow"));
    }

    const extrasBag = (): Record<string, unknown> => {
      const extras = ir.extras ?? {};
      ir.extras = extras;
      const bag = { ...(extras[clientFormat] ?? {}) };
      extras[clientFormat] = bag;
      return bag;
    };
    const apply = (name: string, value: unknown, onlyIfAbsent: boolean) => {
      const field = FIELDS[name];
      if (field !== undefined) {
        if (onlyIfAbsent && field.isSet(ir)) return;
        if (!field.set(ir, value)) skipped.push(name);
        return;
      }
      if (onlyIfAbsent && ir.extras?.[clientFormat]?.[name] !== undefined) return;
      extrasBag()[name] = value;
    };
    for (const [k, v] of defaults) apply(k, v, true);
    for (const [k, v] of overrides) apply(k, v, false);

    for (const m of [...prepend].reverse()) {
      if (m.role === "system") ir.system.unshift({ type: "text", text: m.content });
      else ir.messages.unshift({ role: m.role, content: [{ type: "text", text: m.content }] });
    }
    for (const m of append) {
      if (m.role === "system") ir.system.push({ type: "text", text: m.content });
      else ir.messages.push({ role: m.role, content: [{ type: "text", text: m.content }] });
    }
    if (defaults.length + overrides.length + prepend.length + append.length > 0) {
      events.push(policyEvent("shaping", "request", "allow"));
    }
    return { ir, skipped, events };
  }

  return Object.freeze({ resolveAlias, shape });
}
