/**
 * The `ai.routes` table: which route type a request path gets. Keys are path suffixes,
 * matched longest first; "*" matches every other path. The table is compiled once per
 * config into an ordered list, so a lookup is a handful of `endsWith` calls.
 *
 * Matching ignores letter case and a trailing slash: `/V1/Chat/Completions/` is a
 * completions request, so no spelling of an LLM path is passed through unparsed (its
 * guards and limits skipped). Keys are folded the same way when the table is compiled.
 */
import type { RouteTypeName } from "../config/schema.js";

/** Route types the opaque proxy handles itself; every other type goes to the LLM pipeline. */
export type OpaqueRouteType = "passthrough" | "detect";
export type ParsedRouteType = Exclude<RouteTypeName, OpaqueRouteType>;

export function isOpaqueRouteType(t: RouteTypeName): t is OpaqueRouteType {
  return t === "passthrough" || t === "detect";
}

/** The `llm` form's map (DESIGN.md); "*" is set from the model entry's `passthrough`. */
export const LLM_DEFAULT_ROUTES: Readonly<Record<string, RouteTypeName>> = Object.freeze({
  "/v1/chat/completions": "completions",
  "/v1/messages": "messages",
  "/v1/messages/count_tokens": "anthropicTokenCount",
  "/v1/responses": "responses",
  "/v1/embeddings": "embeddings",
  "/v1/models": "models",
  "/v1beta/models": "models",
  ":generateContent": "generateContent",
  ":streamGenerateContent": "generateContent",
  ":countTokens": "geminiCountTokens",
  "*": "passthrough",
});

export interface RouteTypeTable {
  /** Suffix entries, longest suffix first. */
  readonly suffixes: ReadonlyArray<{ readonly suffix: string; readonly type: RouteTypeName }>;
  /**
   * Whole paths without the leading `/v1` of a `/v1/...` key (`/chat/completions`), for a
   * client whose base URL lacks `/v1`. Whole-path only: as suffixes, `/messages` or `/models`
   * would catch other APIs' paths (`/v1/threads/{id}/messages`).
   */
  readonly unversioned: ReadonlyMap<string, RouteTypeName>;
  /** What "*" maps to; passthrough when the table has no "*". */
  readonly fallback: RouteTypeName;
  /**
   * Whether `/v1beta/models/{model}` (Gemini's models.get) is the models type: when the table
   * maps `/v1beta/models` to it. A path segment, not a suffix, so it is not a table key.
   */
  readonly geminiModelGet: boolean;
}

export function compileRouteTypes(
  map: Readonly<Record<string, RouteTypeName>>,
  fallbackOverride?: RouteTypeName,
): RouteTypeTable {
  const folded = new Map<string, RouteTypeName>();
  let fallback: RouteTypeName = "passthrough";
  for (const [key, type] of Object.entries(map)) {
    // When two keys fold to one path, the one written last wins (as a later key of the map would).
    if (key === "*") fallback = type;
    else folded.set(foldPath(key), type);
  }
  const suffixes = [...folded].map(([suffix, type]) => ({ suffix, type }));
  // Stable sort: equal lengths keep the order written.
  suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
  const unversioned = new Map<string, RouteTypeName>();
  for (const { suffix, type } of suffixes) {
    if (!suffix.startsWith("/v1/")) continue;
    const bare = suffix.slice(3);
    if (!folded.has(bare) && !unversioned.has(bare)) unversioned.set(bare, type);
  }
  return Object.freeze({
    suffixes: Object.freeze(suffixes.map((s) => Object.freeze(s))),
    unversioned,
    fallback: fallbackOverride ?? fallback,
    geminiModelGet: folded.get("/v1beta/models") === "models",
  });
}

/** A path as the table compares it: lower-cased, without a trailing slash ("/" stays). */
export function foldPath(path: string): string {
  const lower = path.toLowerCase();
  if (lower.length < 2 || lower.charCodeAt(lower.length - 1) !== 0x2f) return lower;
  return lower.replace(/\/+$/, "") || "/";
}

/** The route type of a path (without its query string); letter case and a trailing slash ignored. */
export function routeTypeFor(table: RouteTypeTable, path: string): RouteTypeName {
  const folded = foldPath(path);
  const list = table.suffixes;
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (folded.endsWith(e.suffix)) return e.type;
  }
  const bare = table.unversioned.get(folded);
  if (bare !== undefined) return bare;
  if (table.geminiModelGet && isGeminiModelPath(folded)) return "models";
  return table.fallback;
}

const GEMINI_MODELS = "/v1beta/models/";

/** `/v1beta/models/{model}`: one segment after the collection, no method (`:generateContent`). */
export function isGeminiModelPath(folded: string): boolean {
  return (
    folded.startsWith(GEMINI_MODELS) &&
    folded.length > GEMINI_MODELS.length &&
    folded.indexOf("/", GEMINI_MODELS.length) === -1 &&
    folded.indexOf(":", GEMINI_MODELS.length) === -1
  );
}
