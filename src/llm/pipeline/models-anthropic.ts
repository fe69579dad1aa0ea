/**
 * GET /v1/models for an Anthropic client (it sends `anthropic-version`): Anthropic's page
 * shape (`data` of `type: "model"` entries, `has_more`, `first_id`, `last_id`) with its
 * cursor parameters `limit` (1 to 1000, default 20), `after_id` and `before_id`.
 */
import { GatewayError } from "../../errors.js";

export interface AnthropicModelInfo {
  type: "model";
  id: string;
  display_name: string;
  created_at: string;
  capabilities: null;
  deprecated_at: null;
  lifecycle: "active";
  line: null;
  max_input_tokens: null;
  max_tokens: null;
  retires_at: null;
}

export interface AnthropicModelPage {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** What a listed model gives this page: its id and creation time (seconds). */
export interface ListedModel {
  readonly id: string;
  readonly created: number;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

function bad(message: string): GatewayError {
  return new GatewayError(400, "invalid_path", message);
}

function limitOf(raw: string | null): number {
  if (raw === null) return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw bad(`limit must be an integer from 1 to ${MAX_LIMIT}; got "${raw.slice(0, 40)}"`);
  return n;
}

function indexOf(ids: readonly string[], id: string, param: string): number {
  const i = ids.indexOf(id);
  if (i < 0) throw bad(`${param} "${id.slice(0, 200)}" is not a model this gateway lists`);
  return i;
}

function info(m: ListedModel): AnthropicModelInfo {
  return {
    type: "model",
    id: m.id,
    display_name: m.id,
    created_at: new Date(m.created * 1000).toISOString().replace(".000Z", "Z"),
    capabilities: null,
    deprecated_at: null,
    lifecycle: "active",
    line: null,
    max_input_tokens: null,
    max_tokens: null,
    retires_at: null,
  };
}

/** One page of `all` as the query asks; throws a 400 GatewayError for a bad parameter. */
export function anthropicModelPage(all: readonly ListedModel[], query: URLSearchParams): AnthropicModelPage {
  const limit = limitOf(query.get("limit"));
  const after = query.get("after_id");
  const before = query.get("before_id");
  if (after !== null && before !== null) throw bad("send after_id or before_id, not both");
  const ids = all.map((m) => m.id);
  let start = 0;
  let end = all.length;
  if (after !== null) start = indexOf(ids, after, "after_id") + 1;
  if (before !== null) {
    end = indexOf(ids, before, "before_id");
    start = Math.max(0, end - limit);
  } else end = Math.min(all.length, start + limit);
  const data = all.slice(start, end).map(info);
  const hasMore = before !== null ? start > 0 : end < all.length;
  return {
    data,
    has_more: hasMore,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  };
}
