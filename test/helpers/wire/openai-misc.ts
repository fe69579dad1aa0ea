/** OpenAI embeddings and model-list bodies (and Anthropic's model list), from the API references. */
import { isRecord } from "./openai-chat.js";

/** A deterministic vector in [-1, 1) derived from the text, so equal inputs give equal vectors. */
export function embeddingVector(text: string, dimensions: number): number[] {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 3266489909) >>> 0;
    // Quantised to float32 so base64 and float encodings describe the same numbers.
    out.push(Math.fround(((h >>> 0) / 2 ** 32) * 2 - 1));
  }
  return out;
}

/** The list of inputs of an embeddings request (string, string[], or token arrays). */
export function embeddingInputs(body: unknown): string[] {
  const input = isRecord(body) ? body.input : undefined;
  if (typeof input === "string") return [input];
  if (!Array.isArray(input)) return [];
  if (input.every((x) => typeof x === "number")) return [input.join(",")];
  return input.map((x: unknown) => (typeof x === "string" ? x : JSON.stringify(x)));
}

/**
 * `{"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}`.
 * `encoding_format: "base64"` (what the openai SDK asks for by default) gets little-endian
 * float32 bytes in base64, as the API does.
 */
export function embeddingsResponse(body: unknown, model: string, countTokens: (s: string) => number) {
  const inputs = embeddingInputs(body);
  const dims =
    isRecord(body) && typeof body.dimensions === "number" && body.dimensions > 0 ? body.dimensions : 8;
  const base64 = isRecord(body) && body.encoding_format === "base64";
  const tokens = inputs.reduce((n, s) => n + countTokens(s), 0);
  return {
    object: "list",
    data: inputs.map((text, index) => {
      const vec = embeddingVector(text, dims);
      return {
        object: "embedding",
        index,
        embedding: base64 ? Buffer.from(new Float32Array(vec).buffer).toString("base64") : vec,
      };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

export const DEFAULT_MODEL_IDS = ["gpt-4o", "gpt-4o-mini", "text-embedding-3-small"];

export function openaiModelList(ids: readonly string[], created: number) {
  return {
    object: "list",
    data: ids.map((id) => ({ id, object: "model", created, owned_by: "system" })),
  };
}

/** Anthropic's `GET /v1/models` page shape. */
export function anthropicModelList(ids: readonly string[], created: number) {
  const createdAt = new Date(created * 1000).toISOString();
  return {
    data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: createdAt })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
  };
}
