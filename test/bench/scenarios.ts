/**
 * What the bench sends. Each scenario is one request shape sent to agw and, unchanged, to the
 * baseline. The baseline always forwards same-format to the same upstream path, so on the
 * cross-format scenarios agw does strictly more work (translation both ways) than the baseline.
 */

export type ScenarioKind = "same-format" | "cross-format" | "passthrough";

export interface Scenario {
  id: string;
  title: string;
  kind: ScenarioKind;
  /** The target for baseline CPU µs/request ÷ agw CPU µs/request (per-round median). */
  target: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** A response body of a correct answer contains this (checked once, before the load). */
  expect: string;
}

const SYSTEM =
  "You are a concise assistant. Answer in plain English, in at most three sentences, and never invent facts you are not sure about.";
const USER =
  "Explain in a few sentences what an API gateway does for an application that talks to several large language model providers, and why a team might want one instead of calling each provider directly from its code.";

const OPENAI_HEADERS = { "content-type": "application/json" };
const ANTHROPIC_HEADERS = { "content-type": "application/json", "anthropic-version": "2023-06-01" };

/** An OpenAI chat body; `gate` marks it for the upstream's gated stream (first-byte check). */
export function chatBody(model: string, stream: boolean, gate = false): string {
  return JSON.stringify({
    model,
    messages: [
      { role: "system", content: SYSTEM },
      { role: "user", content: gate ? `${USER} bench-gate` : USER },
    ],
    max_tokens: 256,
    temperature: 0.2,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

function messagesBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    system: SYSTEM,
    messages: [{ role: "user", content: USER }],
    max_tokens: 256,
    temperature: 0.2,
    ...(stream ? { stream: true } : {}),
  });
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: "chat",
    title: "chat, non-stream (same format)",
    kind: "same-format",
    target: 0.85,
    path: "/v1/chat/completions",
    headers: OPENAI_HEADERS,
    body: chatBody("gpt-bench", false),
    expect: '"chat.completion"',
  },
  {
    id: "chat-stream",
    title: "chat, stream (same format)",
    kind: "same-format",
    target: 0.8,
    path: "/v1/chat/completions",
    headers: OPENAI_HEADERS,
    body: chatBody("gpt-bench", true),
    expect: "data: [DONE]",
  },
  {
    id: "chat-to-anthropic",
    title: "chat → Anthropic, non-stream",
    kind: "cross-format",
    target: 0.7,
    path: "/v1/chat/completions",
    headers: OPENAI_HEADERS,
    body: chatBody("claude-bench", false),
    expect: '"chat.completion"',
  },
  {
    id: "chat-to-anthropic-stream",
    title: "chat → Anthropic, stream",
    kind: "cross-format",
    target: 0.7,
    path: "/v1/chat/completions",
    headers: OPENAI_HEADERS,
    body: chatBody("claude-bench", true),
    expect: "data: [DONE]",
  },
  {
    id: "messages-to-openai",
    title: "messages → OpenAI, non-stream",
    kind: "cross-format",
    target: 0.7,
    path: "/v1/messages",
    headers: ANTHROPIC_HEADERS,
    body: messagesBody("gpt-bench", false),
    expect: '"type":"message"',
  },
  {
    id: "messages-to-openai-stream",
    title: "messages → OpenAI, stream",
    kind: "cross-format",
    target: 0.7,
    path: "/v1/messages",
    headers: ANTHROPIC_HEADERS,
    body: messagesBody("gpt-bench", true),
    expect: "event: message_stop",
  },
  {
    id: "passthrough",
    title: "opaque passthrough",
    kind: "passthrough",
    target: 0.95,
    path: "/v1/moderations",
    headers: { ...OPENAI_HEADERS, authorization: "Bearer bench-caller-key" },
    body: JSON.stringify({ model: "omni-moderation-latest", input: USER }),
    expect: '"modr-bench"',
  },
];

export function pickScenarios(list: string | undefined): Scenario[] {
  if (list === undefined || list === "" || list === "all") return [...SCENARIOS];
  const ids = list.split(",").map((s) => s.trim());
  const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`,
    );
  }
  return SCENARIOS.filter((s) => ids.includes(s.id));
}
