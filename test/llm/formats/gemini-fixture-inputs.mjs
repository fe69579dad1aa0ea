// Inputs of the Gemini golden fixtures (regen-fixtures.mjs writes the expected outputs). The
// Gemini bodies follow Google's generateContent reference: camelCase fields, roles user/model,
// usageMetadata, and streamed chunks that are whole GenerateContentResponses.
const png =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { enum: ["c", "f"] } },
      required: ["city"],
      additionalProperties: false,
    },
  },
};
const usage = {
  promptTokenCount: 120,
  candidatesTokenCount: 20,
  cachedContentTokenCount: 100,
  thoughtsTokenCount: 10,
  totalTokenCount: 150,
};
const g = (parts, extra = {}) => ({
  data: {
    candidates: [{ content: { parts, role: "model" }, index: 0, ...extra }],
    usageMetadata: { promptTokenCount: 120, totalTokenCount: 120 },
    modelVersion: "gemini-2.5-flash",
    responseId: "resp-1",
  },
});
const last = (parts, finishReason) => {
  const c = g(parts, { finishReason });
  c.data.usageMetadata = usage;
  return c;
};

export const fixtures = [
  {
    name: "chat-gemini.request.tools-history",
    kind: "request",
    client: "openai-chat",
    upstream: "gemini",
    input: {
      model: "gemini-2.5-flash",
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Weather here?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_gm_resp-1_0__ts__c2ln-_x",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            {
              id: "fc-given",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Rome"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_gm_resp-1_0__ts__c2ln-_x", content: '{"temp":21}' },
        { role: "tool", tool_call_id: "fc-given", content: "sunny" },
        { role: "user", content: "Thanks. Which is warmer?" },
      ],
      tools: [weather],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 256,
      stop: ["END"],
      seed: 7,
      reasoning_effort: "low",
      response_format: {
        type: "json_schema",
        json_schema: { name: "answer", schema: { type: "object", properties: { city: { type: "string" } } } },
      },
      user: "u-1",
      parallel_tool_calls: false,
    },
  },
  {
    name: "anthropic-gemini.request.thinking-tools",
    kind: "request",
    client: "anthropic-messages",
    upstream: "gemini",
    input: {
      model: "gemini-2.5-pro",
      system: [{ type: "text", text: "You are terse." }],
      max_tokens: 1024,
      thinking: { type: "enabled", budget_tokens: 2000 },
      tools: [
        {
          name: "lookup",
          description: "Look up",
          input_schema: { type: "object", properties: { q: { type: "string" } } },
        },
      ],
      tool_choice: { type: "any" },
      messages: [
        { role: "user", content: "Find it" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "need lookup", signature: "sig" },
            { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "x" } },
          ],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "not found", is_error: true }],
        },
      ],
    },
  },
  {
    name: "chat-gemini.response.tool-calls",
    kind: "response",
    client: "openai-chat",
    upstream: "gemini",
    input: {
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "Let me check.", thought: true },
              { text: "Checking both." },
              {
                functionCall: { name: "get_weather", args: { city: "Paris" } },
                thoughtSignature: "c2ln+/x=",
              },
              { functionCall: { id: "fc-2", name: "get_weather", args: { city: "Rome" } } },
            ],
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: usage,
      modelVersion: "gemini-2.5-flash",
      responseId: "resp-1",
    },
  },
  {
    name: "anthropic-gemini.response.prompt-blocked",
    kind: "response",
    client: "anthropic-messages",
    upstream: "gemini",
    input: {
      promptFeedback: { blockReason: "SAFETY", safetyRatings: [] },
      usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
      modelVersion: "gemini-2.5-flash",
      responseId: "resp-2",
    },
  },
  {
    name: "chat-gemini.response.max-tokens",
    kind: "response",
    client: "openai-chat",
    upstream: "gemini",
    input: {
      candidates: [
        { content: { role: "model", parts: [{ text: "Long an" }] }, finishReason: "MAX_TOKENS", index: 0 },
      ],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
      modelVersion: "gemini-2.5-flash",
      responseId: "resp-3",
    },
  },
  {
    name: "chat-gemini.stream.thinking-text-tool",
    kind: "stream",
    client: "openai-chat",
    upstream: "gemini",
    options: { includeUsage: true },
    input: [
      g([{ text: "Thinking about ", thought: true }]),
      g([{ text: "it.", thought: true }]),
      g([{ text: "Héllo " }]),
      g([{ text: "wörld" }, { functionCall: { name: "get_weather", args: { city: "Paris" } } }]),
      last([{ text: "" }], "STOP"),
    ],
  },
  {
    name: "anthropic-gemini.stream.safety",
    kind: "stream",
    client: "anthropic-messages",
    upstream: "gemini",
    input: [g([{ text: "Sure, here" }]), last([{ text: " is" }], "SAFETY")],
  },
  {
    name: "chat-gemini.stream.truncated",
    kind: "stream",
    client: "openai-chat",
    upstream: "gemini",
    input: [g([{ text: "Partial" }])],
  },
  {
    name: "chat-gemini.error.key-invalid",
    kind: "error",
    client: "openai-chat",
    upstream: "gemini",
    input: {
      status: 400,
      body: {
        error: {
          code: 400,
          message: "API key not valid. Please pass a valid API key.",
          status: "INVALID_ARGUMENT",
          details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
        },
      },
    },
  },
  {
    name: "anthropic-gemini.error.quota",
    kind: "error",
    client: "anthropic-messages",
    upstream: "gemini",
    input: {
      status: 429,
      body: { error: { code: 429, message: "Resource has been exhausted", status: "RESOURCE_EXHAUSTED" } },
    },
  },
  // Gemini-format clients (the model and stream flag come from the URL, put on the body by the router).
  {
    name: "gemini-chat.request.tools-history",
    kind: "request",
    client: "gemini",
    upstream: "openai-chat",
    input: {
      model: "gemini-2.5-flash",
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [
        { role: "user", parts: [{ text: "Weather?" }, { inlineData: { mimeType: "image/png", data: png } }] },
        {
          role: "model",
          parts: [
            { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "c2ln+/x=" },
            { functionCall: { name: "get_weather", args: { city: "Rome" } } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", response: { temp: 21 } } },
            { functionResponse: { name: "get_weather", response: { output: "sunny" } } },
          ],
        },
      ],
      tools: [
        {
          functionDeclarations: [
            {
              name: "get_weather",
              description: "Weather for a city",
              parameters: {
                type: "OBJECT",
                properties: { city: { type: "STRING", nullable: true } },
                required: ["city"],
              },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } },
      generationConfig: {
        temperature: 0.3,
        maxOutputTokens: 300,
        stopSequences: ["END"],
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object" },
        thinkingConfig: { thinkingBudget: 0 },
      },
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
    },
  },
  {
    name: "gemini-gemini.request.signature-roundtrip",
    kind: "request",
    client: "gemini",
    upstream: "gemini",
    input: {
      model: "gemini-3-pro",
      contents: [
        { role: "user", parts: [{ text: "Go" }] },
        {
          role: "model",
          parts: [{ functionCall: { id: "fc1", name: "f", args: {} }, thoughtSignature: "c2ln+/x=" }],
        },
        { role: "user", parts: [{ functionResponse: { id: "fc1", name: "f", response: { ok: true } } }] },
      ],
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
    },
  },
  {
    name: "gemini-anthropic.response.thinking-tool",
    kind: "response",
    client: "gemini",
    upstream: "anthropic-messages",
    input: {
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "Hmm.", signature: "s" },
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 30,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 0,
      },
    },
  },
  {
    name: "gemini-chat.stream.text-tool",
    kind: "stream",
    client: "gemini",
    upstream: "openai-chat",
    input: [
      {
        data: {
          id: "c1",
          object: "chat.completion.chunk",
          created: 1,
          model: "gpt-4o",
          choices: [{ index: 0, delta: { role: "assistant", content: "Hi " }, finish_reason: null }],
        },
      },
      {
        data: {
          id: "c1",
          object: "chat.completion.chunk",
          created: 1,
          model: "gpt-4o",
          choices: [{ index: 0, delta: { content: "there" }, finish_reason: null }],
        },
      },
      {
        data: {
          id: "c1",
          object: "chat.completion.chunk",
          created: 1,
          model: "gpt-4o",
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  { index: 0, id: "call_1", type: "function", function: { name: "f", arguments: '{"a"' } },
                ],
              },
              finish_reason: null,
            },
          ],
        },
      },
      {
        data: {
          id: "c1",
          object: "chat.completion.chunk",
          created: 1,
          model: "gpt-4o",
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { arguments: ":1}" } }] },
              finish_reason: null,
            },
          ],
        },
      },
      {
        data: {
          id: "c1",
          object: "chat.completion.chunk",
          created: 1,
          model: "gpt-4o",
          choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }],
        },
      },
      {
        data: {
          id: "c1",
          object: "chat.completion.chunk",
          created: 1,
          model: "gpt-4o",
          choices: [],
          usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
        },
      },
      { data: "[DONE]" },
    ],
  },
  {
    name: "gemini-chat.error.rate-limit",
    kind: "error",
    client: "gemini",
    upstream: "openai-chat",
    input: { status: 429, body: { error: { message: "Slow down", type: "rate_limit_error", code: null } } },
  },
];
