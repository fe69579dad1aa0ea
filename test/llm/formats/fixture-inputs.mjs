const png =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const tool = (name, props = {}) => ({
  type: "function",
  function: { name, description: `${name} tool`, parameters: { type: "object", properties: props } },
});
const a = (type, rest) => ({ event: type, data: { type, ...rest } });
const chunk = (delta, finish = null, extra = {}) => ({
  data: {
    id: "chatcmpl-abc",
    object: "chat.completion.chunk",
    created: 1700000000,
    model: "gpt-4o",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  },
});
const usageChunk = (u) => ({
  data: {
    id: "chatcmpl-abc",
    object: "chat.completion.chunk",
    created: 1700000000,
    model: "gpt-4o",
    choices: [],
    usage: u,
  },
});
const chatUsage = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 100 },
  completion_tokens_details: { reasoning_tokens: 0 },
};
const anthStart = (
  usage = {
    input_tokens: 20,
    output_tokens: 1,
    cache_creation_input_tokens: 5,
    cache_read_input_tokens: 100,
  },
) =>
  a("message_start", {
    message: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  });

const anthropicToolStream = [
  anthStart(),
  a("ping", {}),
  a("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
  a("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "Let me check " } }),
  a("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "the weather." } }),
  a("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig-abc" } }),
  a("content_block_stop", { index: 0 }),
  a("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
  a("content_block_delta", { index: 1, delta: { type: "text_delta", text: "Checking é世" } }),
  a("content_block_delta", { index: 1, delta: { type: "text_delta", text: "🎉 now." } }),
  a("content_block_stop", { index: 1 }),
  a("content_block_start", {
    index: 2,
    content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} },
  }),
  a("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: "" } }),
  a("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: '{"city": "Pa' } }),
  a("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: 'ris"}' } }),
  a("content_block_stop", { index: 2 }),
  a("content_block_start", {
    index: 3,
    content_block: { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
  }),
  a("content_block_stop", { index: 3 }),
  a("message_delta", {
    delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: { output_tokens: 42 },
  }),
  a("message_stop", {}),
];

const chatToolStream = [
  chunk({ role: "assistant", content: "" }),
  chunk({ content: "Let me " }),
  chunk({ content: "check." }),
  chunk({
    tool_calls: [
      { index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } },
    ],
  }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({
    tool_calls: [{ index: 1, id: "call_2", type: "function", function: { name: "get_time", arguments: "" } }],
  }),
  chunk({}, "tool_calls"),
  usageChunk(chatUsage),
  { data: "[DONE]" },
];

const chatInterleaved = [
  chunk({ role: "assistant", content: null }),
  chunk({
    tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "f_a", arguments: '{"x"' } }],
  }),
  chunk({
    tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "f_b", arguments: '{"y"' } }],
  }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: ":1}" } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: ":2}" } }] }),
  chunk({}, "tool_calls"),
  usageChunk({ prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 }),
  { data: "[DONE]" },
];

const chatTruncated = [chunk({ role: "assistant", content: "" }), chunk({ content: "Partial ans" })];
const anthTruncated = [
  anthStart(),
  a("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  a("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Partial" } }),
];

const chatToolsRequest = {
  model: "claude-sonnet-4-5",
  messages: [
    { role: "system", content: "You are terse." },
    { role: "developer", content: [{ type: "text", text: "Use metric units." }] },
    {
      role: "user",
      content: [
        { type: "text", text: "Weather in these?" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } },
      ],
    },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { id: "call_2", type: "function", function: { name: "get_time", arguments: "" } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "18C" },
    { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "12:00" }] },
    { role: "user", content: "Thanks. And tomorrow?" },
  ],
  tools: [tool("get_weather", { city: { type: "string" } }), tool("get_time")],
  tool_choice: "required",
  parallel_tool_calls: false,
  stop: "END",
  temperature: 0.5,
  top_p: 0.9,
  user: "user-1",
  logit_bias: { 50256: -100 },
};

export const fixtures = [
  // ---------- chat client → Anthropic upstream ----------
  {
    name: "chat-anthropic.request.tools-images",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: chatToolsRequest,
  },
  {
    name: "chat-anthropic.request.specific-tool-reasoning",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      model: "claude-opus-4",
      messages: [{ role: "user", content: "hi" }],
      tools: [tool("lookup")],
      tool_choice: { type: "function", function: { name: "lookup" } },
      max_completion_tokens: 1000,
      stop: ["a", "b"],
      reasoning_effort: "medium",
      temperature: 0.7,
      stream: true,
      stream_options: { include_usage: true },
    },
  },
  {
    name: "chat-anthropic.request.max-tokens-default",
    kind: "request",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { defaultMaxTokens: 2048 },
    input: {
      model: "claude-haiku",
      messages: [{ role: "user", content: "hi" }],
      temperature: 1.5,
      tool_choice: "none",
      n: 1,
      seed: 7,
      response_format: { type: "json_object" },
    },
  },
  {
    name: "chat-anthropic.response.thinking-tools-cache",
    kind: "response",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { now: 1700000000000 },
    input: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "Need weather.", signature: "sig" },
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
        { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 42,
        cache_creation_input_tokens: 5,
        cache_read_input_tokens: 100,
      },
    },
  },
  {
    name: "chat-anthropic.response.stop-sequence",
    kind: "response",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { now: 1700000000000 },
    input: {
      id: "msg_02",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "one two" }],
      stop_reason: "stop_sequence",
      stop_sequence: "three",
      usage: { input_tokens: 5, output_tokens: 2 },
    },
  },
  {
    name: "chat-anthropic.response.max-tokens",
    kind: "response",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { now: 1700000000000 },
    input: {
      id: "msg_03",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "cut" }],
      stop_reason: "max_tokens",
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 2 },
    },
  },
  {
    name: "chat-anthropic.response.refusal",
    kind: "response",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { now: 1700000000000 },
    input: {
      id: "msg_04",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [],
      stop_reason: "refusal",
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 0 },
    },
  },
  {
    name: "chat-anthropic.stream.thinking-text-tools",
    kind: "stream",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { includeUsage: true },
    input: anthropicToolStream,
  },
  {
    name: "chat-anthropic.stream.no-include-usage",
    kind: "stream",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: {},
    input: anthropicToolStream
      .slice(0, 3)
      .concat([
        a("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        a("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hi" } }),
        a("content_block_stop", { index: 0 }),
        a("message_delta", {
          delta: { stop_reason: "end_turn", stop_sequence: null },
          usage: { output_tokens: 3 },
        }),
        a("message_stop", {}),
      ])
      .filter((e) => e.data.type !== "content_block_start" || e.data.content_block.type === "text"),
  },
  {
    name: "chat-anthropic.stream.truncated",
    kind: "stream",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: { includeUsage: true },
    input: anthTruncated,
  },
  {
    name: "chat-anthropic.stream.upstream-error-event",
    kind: "stream",
    client: "openai-chat",
    upstream: "anthropic-messages",
    options: {},
    input: [anthStart(), a("error", { error: { type: "overloaded_error", message: "Overloaded" } })],
  },
  {
    name: "chat-anthropic.error.overloaded",
    kind: "error",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      status: 529,
      body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    },
  },
  {
    name: "chat-anthropic.error.rate-limit",
    kind: "error",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: { status: 429, body: { type: "error", error: { type: "rate_limit_error", message: "Too many" } } },
  },
  {
    name: "chat-anthropic.error.too-large",
    kind: "error",
    client: "openai-chat",
    upstream: "anthropic-messages",
    input: {
      status: 413,
      body: {
        type: "error",
        error: { type: "request_too_large", message: "Request exceeds the maximum size" },
      },
    },
  },

  // ---------- Anthropic client → chat upstream ----------
  {
    name: "anthropic-chat.request.full",
    kind: "request",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      model: "gpt-4o",
      max_tokens: 1024,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      stop_sequences: ["STOP"],
      top_k: 5,
      temperature: 0.2,
      thinking: { type: "enabled", budget_tokens: 10000 },
      metadata: { user_id: "u-9" },
      stream: true,
      tools: [
        {
          name: "get_weather",
          description: "Weather",
          input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      ],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Weather?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig" },
            { type: "text", text: "Let me check." },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "get_weather", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "18C" },
            {
              type: "tool_result",
              tool_use_id: "toolu_2",
              content: [{ type: "text", text: "error: no city" }],
              is_error: true,
            },
            { type: "text", text: "And Rome?" },
          ],
        },
      ],
    },
  },
  {
    name: "anthropic-chat.request.unsupported",
    kind: "request",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      model: "gpt-4o",
      max_tokens: 100,
      messages: [
        {
          role: "user",
          content: [
            { type: "document", source: { type: "text", media_type: "text/plain", data: "x" } },
            { type: "text", text: "hi" },
          ],
        },
      ],
      tools: [{ type: "web_search_20250305", name: "web_search" }],
    },
  },
  {
    name: "anthropic-chat.response.tools-cached",
    kind: "response",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      id: "chatcmpl-xyz",
      object: "chat.completion",
      created: 1700000000,
      model: "gpt-4o",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Sure.",
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris"}' },
              },
              { id: "call_2", type: "function", function: { name: "get_time", arguments: "" } },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: chatUsage,
    },
  },
  {
    name: "anthropic-chat.response.length",
    kind: "response",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      id: "chatcmpl-len",
      object: "chat.completion",
      created: 1700000000,
      model: "gpt-4o",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "trunc" },
          finish_reason: "length",
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    },
  },
  {
    name: "anthropic-chat.stream.text-tools",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: chatToolStream,
  },
  {
    name: "anthropic-chat.stream.interleaved-parallel",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: chatInterleaved,
  },
  {
    name: "anthropic-chat.stream.reasoning-content",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: [
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning_content: "think" }),
      chunk({ content: "answer" }),
      chunk({}, "stop"),
      { data: "[DONE]" },
    ],
  },
  {
    name: "anthropic-chat.stream.finish-without-done",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "ok" }),
      chunk({}, "stop", { usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } }),
    ],
  },
  {
    name: "anthropic-chat.stream.truncated",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: chatTruncated,
  },
  {
    name: "anthropic-chat.stream.error-chunk",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: [
      chunk({ role: "assistant", content: "" }),
      {
        data: {
          error: {
            message: "rate limited",
            type: "rate_limit_error",
            param: null,
            code: "rate_limit_exceeded",
          },
        },
      },
    ],
  },
  {
    name: "anthropic-chat.error.auth",
    kind: "error",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      status: 401,
      body: {
        error: {
          message: "Incorrect API key provided",
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      },
    },
  },
  {
    name: "anthropic-chat.error.server",
    kind: "error",
    client: "anthropic-messages",
    upstream: "openai-chat",
    input: {
      status: 500,
      body: { error: { message: "boom", type: "server_error", param: null, code: null } },
    },
  },

  // ---------- Responses client → chat upstream ----------
  {
    name: "responses-chat.request.items",
    kind: "request",
    client: "openai-responses",
    upstream: "openai-chat",
    input: {
      model: "gpt-4o",
      instructions: "Be helpful.",
      max_output_tokens: 500,
      reasoning: { effort: "low" },
      text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
      parallel_tool_calls: true,
      stream: true,
      tools: [
        {
          type: "function",
          name: "get_weather",
          description: "Weather",
          parameters: { type: "object", properties: { city: { type: "string" } } },
          strict: false,
        },
      ],
      tool_choice: { type: "function", name: "get_weather" },
      input: [
        { role: "developer", content: "Metric units." },
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "Weather?" },
            { type: "input_image", image_url: "https://example.com/a.png", detail: "low" },
          ],
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: "18C" },
      ],
    },
  },
  {
    name: "responses-chat.request.string-input",
    kind: "request",
    client: "openai-responses",
    upstream: "openai-chat",
    input: { model: "gpt-4o-mini", input: "Hello", store: false, temperature: 0.1 },
  },
  {
    name: "responses-chat.request.unsupported",
    kind: "request",
    client: "openai-responses",
    upstream: "openai-chat",
    input: {
      model: "gpt-4o",
      input: [
        { type: "item_reference", id: "msg_1" },
        { role: "user", content: "hi" },
      ],
      previous_response_id: "resp_1",
      conversation: "conv_1",
      store: true,
      tools: [{ type: "web_search" }, { type: "file_search", vector_store_ids: ["vs"] }],
    },
  },
  {
    name: "responses-chat.response.text-tool",
    kind: "response",
    client: "openai-responses",
    upstream: "openai-chat",
    input: {
      id: "chatcmpl-r1",
      object: "chat.completion",
      created: 1700000000,
      model: "gpt-4o",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Checking.",
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris"}' },
              },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: chatUsage,
    },
  },
  {
    name: "responses-chat.response.length",
    kind: "response",
    client: "openai-responses",
    upstream: "openai-chat",
    input: {
      id: "chatcmpl-r2",
      object: "chat.completion",
      created: 1700000000,
      model: "gpt-4o",
      choices: [
        { index: 0, message: { role: "assistant", content: "cut" }, finish_reason: "length", logprobs: null },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    },
  },
  {
    name: "responses-chat.stream.text-tools",
    kind: "stream",
    client: "openai-responses",
    upstream: "openai-chat",
    input: chatToolStream,
  },
  {
    name: "responses-chat.stream.interleaved-parallel",
    kind: "stream",
    client: "openai-responses",
    upstream: "openai-chat",
    input: chatInterleaved,
  },
  {
    name: "responses-chat.stream.truncated",
    kind: "stream",
    client: "openai-responses",
    upstream: "openai-chat",
    input: chatTruncated,
  },
  {
    name: "responses-chat.error.not-found",
    kind: "error",
    client: "openai-responses",
    upstream: "openai-chat",
    input: {
      status: 404,
      body: {
        error: {
          message: "The model `x` does not exist",
          type: "invalid_request_error",
          param: null,
          code: "model_not_found",
        },
      },
    },
  },

  // ---------- Responses client → Anthropic upstream ----------
  {
    name: "responses-anthropic.request.items",
    kind: "request",
    client: "openai-responses",
    upstream: "anthropic-messages",
    input: {
      model: "claude-sonnet-4-5",
      instructions: "Be helpful.",
      reasoning: { effort: "high" },
      tool_choice: "required",
      tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} } }],
      input: [
        { role: "user", content: "Weather?" },
        {
          type: "reasoning",
          id: "rs_1",
          summary: [{ type: "summary_text", text: "Need tool." }],
          encrypted_content: "sig-1",
        },
        { type: "function_call", call_id: "toolu_1", name: "get_weather", arguments: "" },
        { type: "function_call_output", call_id: "toolu_1", output: "18C" },
      ],
    },
  },
  {
    name: "responses-anthropic.response.thinking-tools",
    kind: "response",
    client: "openai-responses",
    upstream: "anthropic-messages",
    options: { now: 1700000000000 },
    input: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "Need weather.", signature: "sig" },
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 42,
        cache_creation_input_tokens: 5,
        cache_read_input_tokens: 100,
      },
    },
  },
  {
    name: "responses-anthropic.stream.thinking-text-tools",
    kind: "stream",
    client: "openai-responses",
    upstream: "anthropic-messages",
    options: { now: 1700000000000 },
    input: anthropicToolStream,
  },
  {
    name: "responses-anthropic.stream.truncated",
    kind: "stream",
    client: "openai-responses",
    upstream: "anthropic-messages",
    options: { now: 1700000000000 },
    input: anthTruncated,
  },
  {
    name: "responses-anthropic.error.overloaded",
    kind: "error",
    client: "openai-responses",
    upstream: "anthropic-messages",
    input: {
      status: 529,
      body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    },
  },

  // ---------- same-format round trips ----------
  {
    name: "chat-chat.request.roundtrip",
    kind: "request",
    client: "openai-chat",
    upstream: "openai-chat",
    options: { maxTokensField: "max_tokens" },
    input: { ...chatToolsRequest, model: "gpt-4o", max_tokens: 100 },
  },
  {
    name: "chat-chat.stream.roundtrip",
    kind: "stream",
    client: "openai-chat",
    upstream: "openai-chat",
    options: { includeUsage: true },
    input: chatToolStream,
  },
  {
    name: "anthropic-anthropic.stream.roundtrip",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "anthropic-messages",
    input: anthropicToolStream,
  },
  {
    name: "anthropic-anthropic.response.roundtrip",
    kind: "response",
    client: "anthropic-messages",
    upstream: "anthropic-messages",
    input: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "t", signature: "s" },
        { type: "redacted_thinking", data: "xyz" },
        { type: "text", text: "hi" },
        { type: "tool_use", id: "toolu_1", name: "f", input: { a: 1 } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 42,
        cache_creation_input_tokens: 5,
        cache_read_input_tokens: 100,
      },
    },
  },
  {
    name: "responses-responses.stream.roundtrip",
    kind: "stream",
    client: "openai-responses",
    upstream: "openai-responses",
    input: "FROM:responses-chat.stream.text-tools",
  },
];
