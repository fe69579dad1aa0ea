/** Error envelopes exactly as each provider sends them. */

const OPENAI_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  403: "invalid_request_error",
  404: "invalid_request_error",
  409: "invalid_request_error",
  422: "invalid_request_error",
  429: "rate_limit_exceeded",
};

const OPENAI_CODE: Record<number, string | null> = {
  401: "invalid_api_key",
  404: "model_not_found",
  429: "rate_limit_exceeded",
};

/** `{"error":{"message","type","param","code"}}`. */
export function openaiError(
  status: number,
  message: string,
  type?: string,
  code?: string | null,
): Record<string, unknown> {
  return {
    error: {
      message,
      type: type ?? OPENAI_TYPE[status] ?? (status >= 500 ? "server_error" : "invalid_request_error"),
      param: null,
      code: code === undefined ? (OPENAI_CODE[status] ?? null) : code,
    },
  };
}

const ANTHROPIC_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/** `{"type":"error","error":{"type","message"},"request_id"}`. */
export function anthropicError(
  status: number,
  message: string,
  type?: string,
  requestId?: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: "error",
    error: {
      type: type ?? ANTHROPIC_TYPE[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"),
      message,
    },
  };
  if (requestId !== undefined) body.request_id = requestId;
  return body;
}

/** A mid-stream error on an OpenAI SSE stream: a `data:` line whose payload is the error envelope. */
export function openaiStreamError(message: string, type = "server_error"): { data: Record<string, unknown> } {
  return { data: openaiError(500, message, type, null) };
}
