// Golden fixture inputs for structured output, reasoning effort, thinking with tool turns and
// usage accounting across formats (issue 17 items 1, 2, 3, 5). Regenerated with the others by
// regen-fixtures.mjs.
const a = (type, rest) => ({ event: type, data: { type, ...rest } });
const chunk = (delta, finish = null, extra = {}) => ({
  data: {
    id: "chatcmpl-fid",
    object: "chat.completion.chunk",
    created: 1700000000,
    model: "gpt-4o",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  },
});
const usageChunk = (u) => ({
  data: {
    id: "chatcmpl-fid",
    object: "chat.completion.chunk",
    created: 1700000000,
    model: "gpt-4o",
    choices: [],
    usage: u,
  },
});
const personSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    name: { type: "string", description: "Full name" },
    address: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    pet: {
      oneOf: [
        {
          type: "object",
          properties: { kind: { const: "cat" } },
          required: ["kind"],
          additionalProperties: false,
        },
        {
          type: "object",
          properties: { kind: { const: "dog" } },
          required: ["kind"],
          additionalProperties: false,
        },
      ],
    },
    tags: { type: "array", items: { type: "string" }, minItems: 1 },
  },
  required: ["name", "address", "pet", "tags"],
  additionalProperties: false,
};
const closedSchema = {
  type: "object",
  properties: { answer: { type: "string" } },
  required: ["answer"],
  additionalProperties: false,
};
const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather",
    parameters: { type: "object", properties: { city: { type: "string" } } },
  },
};
const anthJsonStream = [
  a("message_start", {
    message: {
      id: "msg_json",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-6",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 1 },
    },
  }),
  a("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  a("content_block_delta", { index: 0, delta: { type: "text_delta", text: '{"answer":' } }),
  a("content_block_delta", { index: 0, delta: { type: "text_delta", text: '"42"}' } }),
  a("content_block_stop", { index: 0 }),
  a("message_delta", {
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: { output_tokens: 6 },
  }),
  a("message_stop", {}),
];
const cacheWriteUsage = {
  prompt_tokens: 1200,
  completion_tokens: 20,
  total_tokens: 1220,
  prompt_tokens_details: { cached_tokens: 200, cache_write_tokens: 900 },
};
// Gemini's OpenAI-compatible usage: thoughts count in total_tokens but not in completion_tokens.
const geminiUsage = {
  prompt_tokens: 10,
  completion_tokens: 5,
  total_tokens: 40,
  completion_tokens_details: { reasoning_tokens: 25 },
};

export const fidelityFixtures = [
  // ---- item 1: structured output ----
  {
    name: "chat-anthropic.request.json-schema",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "Who is Ada?" }],
      max_tokens: 500,
      response_format: {
        type: "json_schema",
        json_schema: { name: "person", strict: true, schema: personSchema },
      },
    },
  },
  {
    name: "chat-anthropic.request.json-object",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-5",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Give me a JSON object with a greeting." },
      ],
      max_tokens: 100,
      response_format: { type: "json_object" },
    },
  },
  {
    name: "chat-anthropic.response.json-output",
    kind: "response",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      id: "msg_json",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-6",
      content: [{ type: "text", text: '{"answer":"42"}' }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 6 },
    },
  },
  {
    name: "chat-anthropic.stream.json-output",
    kind: "stream",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { includeUsage: true },
    input: anthJsonStream,
  },
  {
    name: "responses-anthropic.request.text-format",
    kind: "request",
    client: "openai-responses",
    upstream: "anthropic-messages",
    input: {
      model: "claude-haiku-4-5",
      input: "What is 6 x 7?",
      max_output_tokens: 200,
      text: { format: { type: "json_schema", name: "answer", strict: true, schema: closedSchema } },
    },
  },
  {
    name: "responses-anthropic.stream.json-output",
    kind: "stream",
    client: "openai-responses",
    upstream: "anthropic-messages",
    input: anthJsonStream,
  },
  {
    name: "anthropic-chat.request.output-format",
    kind: "request",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      model: "gpt-4o",
      max_tokens: 300,
      messages: [{ role: "user", content: "What is 6 x 7?" }],
      output_config: { format: { type: "json_schema", schema: closedSchema } },
    },
  },
  {
    name: "anthropic-responses.request.output-format",
    kind: "request",
    client: "anthropic-messages",
    upstream: "openai-responses",
    input: {
      model: "gpt-5",
      max_tokens: 300,
      messages: [{ role: "user", content: "What is 6 x 7?" }],
      output_config: { format: { type: "json_schema", schema: closedSchema } },
    },
  },
  {
    name: "anthropic-chat.response.json-output",
    kind: "response",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      id: "chatcmpl-json",
      object: "chat.completion",
      created: 1700000000,
      model: "gpt-4o",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: '{"answer":"42"}' },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
    },
  },
  // ---- item 2: reasoning effort ----
  {
    name: "anthropic-chat.request.adaptive-effort",
    kind: "request",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      model: "gpt-5",
      max_tokens: 32000,
      messages: [{ role: "user", content: "Plan the refactor." }],
      thinking: { type: "adaptive" },
      output_config: { effort: "max" },
      stream: true,
    },
  },
  {
    name: "anthropic-responses.request.adaptive-effort",
    kind: "request",
    client: "anthropic-messages",
    upstream: "openai-responses",
    input: {
      model: "gpt-5",
      max_tokens: 32000,
      messages: [{ role: "user", content: "Plan the refactor." }],
      thinking: { type: "adaptive" },
      output_config: { effort: "low" },
    },
  },
  {
    name: "anthropic-anthropic.request.adaptive-effort-format",
    kind: "request",
    client: "anthropic-messages",
    upstream: "anthropic-messages",
    input: {
      model: "claude-opus-4-6",
      max_tokens: 32000,
      messages: [{ role: "user", content: "Plan the refactor." }],
      thinking: { type: "adaptive" },
      output_config: { effort: "max", format: { type: "json_schema", schema: closedSchema }, future_key: 1 },
    },
  },
  {
    name: "anthropic-anthropic.request.effort-without-thinking",
    kind: "request",
    client: "anthropic-messages",
    upstream: "anthropic-messages",
    input: {
      model: "claude-opus-4-5",
      max_tokens: 1000,
      messages: [{ role: "user", content: "Be quick." }],
      output_config: { effort: "low" },
    },
  },
  {
    name: "anthropic-anthropic.request.budget-kept-on-adaptive-model",
    kind: "request",
    client: "anthropic-messages",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-6",
      max_tokens: 16000,
      messages: [{ role: "user", content: "Think." }],
      thinking: { type: "enabled", budget_tokens: 10000 },
    },
  },
  {
    name: "anthropic-chat.request.effort-without-thinking",
    kind: "request",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      model: "gpt-5",
      max_tokens: 1000,
      messages: [{ role: "user", content: "Be quick." }],
      output_config: { effort: "low" },
    },
  },
  {
    name: "chat-anthropic.request.effort-adaptive-model",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-6",
      messages: [{ role: "user", content: "Think briefly." }],
      reasoning_effort: "minimal",
    },
  },
  {
    name: "chat-anthropic.request.effort-xhigh-opus",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-opus-4-6",
      messages: [{ role: "user", content: "Think hard." }],
      reasoning_effort: "xhigh",
    },
  },
  {
    name: "chat-anthropic.request.effort-budget-capped",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-opus-4-1-20250805",
      messages: [{ role: "user", content: "Think hard." }],
      reasoning_effort: "xhigh",
    },
  },
  {
    name: "chat-anthropic.request.effort-budget-config-cap",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { maxOutputTokens: 10000 },
    input: {
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "Think hard." }],
      reasoning_effort: "high",
    },
  },
  {
    name: "chat-anthropic.request.effort-none",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-6",
      messages: [{ role: "user", content: "No thinking." }],
      reasoning_effort: "none",
      temperature: 0.2,
    },
  },
  {
    name: "responses-anthropic.request.effort-adaptive",
    kind: "request",
    client: "openai-responses",
    upstream: "anthropic-messages",
    input: {
      model: "claude-opus-4-6",
      input: "Think.",
      max_output_tokens: 20000,
      reasoning: { effort: "medium" },
    },
  },
  // ---- item 3: thinking with tool turns ----
  {
    name: "chat-anthropic.request.reasoning-tool-turn",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-5",
      reasoning_effort: "high",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "toolu_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "Sunny" },
      ],
    },
  },
  {
    name: "chat-anthropic.request.reasoning-after-text-turn",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-5",
      reasoning_effort: "low",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Now think." },
      ],
    },
  },
  {
    name: "chat-anthropic.request.reasoning-signed-tool-turn",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-5",
      reasoning_effort: "high",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          reasoning_content: "Need the tool.",
          thinking_blocks: [{ type: "thinking", thinking: "Need the tool.", signature: "sig-paris" }],
          tool_calls: [
            {
              id: "toolu_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "Sunny" },
      ],
    },
  },
  {
    name: "responses-anthropic.request.reasoning-signed-tool-turn",
    kind: "request",
    client: "openai-responses",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-5",
      reasoning: { effort: "low" },
      tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} } }],
      input: [
        { type: "message", role: "user", content: "Weather?" },
        {
          type: "reasoning",
          summary: [{ type: "summary_text", text: "Need the tool." }],
          encrypted_content: "sig-1",
        },
        { type: "function_call", call_id: "toolu_1", name: "get_weather", arguments: "{}" },
        { type: "function_call_output", call_id: "toolu_1", output: "Sunny" },
      ],
    },
  },
  // ---- item 5: cache and usage accounting ----
  {
    name: "anthropic-chat.response.cache-write",
    kind: "response",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      id: "chatcmpl-cw",
      object: "chat.completion",
      created: 1700000000,
      model: "anthropic/claude-sonnet-4.5",
      choices: [
        { index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop", logprobs: null },
      ],
      usage: cacheWriteUsage,
    },
  },
  {
    name: "anthropic-chat.stream.cache-write",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "ok" }),
      chunk({}, "stop"),
      usageChunk(cacheWriteUsage),
      { data: "[DONE]" },
    ],
  },
  {
    name: "chat-anthropic.response.cache-write",
    kind: "response",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      id: "msg_cw",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "ok" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 100,
        output_tokens: 20,
        cache_creation_input_tokens: 900,
        cache_read_input_tokens: 200,
      },
    },
  },
  {
    name: "responses-chat.response.gemini-total",
    kind: "response",
    client: "openai-responses",
    upstream: "openai-chat",
    input: {
      id: "chatcmpl-gem",
      object: "chat.completion",
      created: 1700000000,
      model: "gemini-2.5-flash",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: geminiUsage,
    },
  },
  {
    name: "responses-chat.stream.gemini-total",
    kind: "stream",
    client: "openai-responses",
    upstream: "openai-chat",
    input: [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "ok" }),
      chunk({}, "stop", { usage: geminiUsage }),
      { data: "[DONE]" },
    ],
  },
];
