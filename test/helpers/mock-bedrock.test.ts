/**
 * The Bedrock mock is only worth having if it refuses what AWS refuses and frames what AWS frames:
 * requests are signed with the real @smithy/signature-v4 signer, and stream bodies are decoded with
 * the smithy event-stream codec (which checks both CRCs), so neither side is checked by itself.
 */
import http from "node:http";
import { fromHttp } from "@aws-sdk/credential-providers";
import { EventStreamCodec, getChunkedStream } from "@smithy/core/event-streams";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockAwsContainerCredentials } from "./mock-aws-container-credentials.js";
import { ERROR_STATUS, type MockBedrock, startMockBedrock } from "./mock-bedrock.js";
import type { AwsCredential } from "./sigv4-verify.js";
import { splitBytes } from "./sse-chunks.js";
import { awkwardFrameCuts, crc32, decodeMessages, encodeMessage } from "./wire/aws-event-stream.js";

type Json = Record<string, unknown>;

const ALICE: AwsCredential = { accessKeyId: "AKIDALICE", secretAccessKey: "alice-secret" };
const TEMP: AwsCredential = {
  accessKeyId: "ASIATEMP",
  secretAccessKey: "temp-secret",
  sessionToken: "tok-1",
};
const PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const ARN = `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${PROFILE}`;

let mock: MockBedrock;
beforeAll(async () => {
  mock = await startMockBedrock({ credentials: [ALICE, TEMP], apiKeys: ["ABSK-good"] });
});
afterAll(async () => {
  await mock.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json(): Json;
}

function post(path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${mock.url}${path}`, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const b = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: b,
          json: () => JSON.parse(b.toString("utf8")) as Json,
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const modelPath = (model: string, op: string): string => `/model/${encodeURIComponent(model)}/${op}`;

interface SignOptions {
  cred?: AwsCredential;
  region?: string;
  date?: Date;
  headers?: Record<string, string>;
  /** S3-style signing (path not encoded again): what Bedrock must refuse. */
  s3Style?: boolean;
}

async function signedHeaders(
  path: string,
  body: string,
  o: SignOptions = {},
): Promise<Record<string, string>> {
  const u = new URL(mock.url);
  const signer = new SignatureV4({
    credentials: o.cred ?? ALICE,
    region: o.region ?? "us-east-1",
    service: "bedrock",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: !o.s3Style,
  });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: u.hostname,
      port: Number(u.port),
      path,
      query: {},
      headers: { host: u.host, "content-type": "application/json", ...o.headers },
      body,
    },
    { signingDate: o.date },
  );
  return signed.headers as Record<string, string>;
}

async function signedPost(path: string, body: Json | string, o: SignOptions = {}): Promise<Answer> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return post(path, await signedHeaders(path, text, o), text);
}

const converseBody = (text: string, extra: Json = {}): Json => ({
  messages: [{ role: "user", content: [{ text }] }],
  ...extra,
});
const invokeBody = (text: string, extra: Json = {}): Json => ({
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 100,
  messages: [{ role: "user", content: text }],
  ...extra,
});

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * Decodes a stream body as the AWS SDK does: getChunkedStream reassembles messages from pieces cut
 * every 5 bytes, and the codec decodes each (checking both CRCs).
 */
async function smithyDecode(body: Buffer): Promise<{ headers: Record<string, string>; json: Json }[]> {
  async function* source(): AsyncIterable<Uint8Array> {
    yield* splitBytes(body, { every: 5 });
  }
  const out: { headers: Record<string, string>; json: Json }[] = [];
  for await (const whole of getChunkedStream(source())) {
    const m = codec.decode(whole);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.headers)) headers[k] = String(v.value);
    out.push({ headers, json: JSON.parse(toUtf8(m.body)) as Json });
  }
  return out;
}

function errorType(a: Answer): string {
  return String(a.headers["x-amzn-errortype"]).split(":")[0]!;
}

describe("SigV4", () => {
  it("accepts a request signed by @smithy/signature-v4 for an inference-profile id (%3A in the path)", async () => {
    const path = modelPath(PROFILE, "converse");
    expect(path).toContain("%3A0");
    const a = await signedPost(path, converseBody("hello there"));
    expect(a.status).toBe(200);
    const r = mock.requests.at(-1)!;
    expect(r).toMatchObject({ op: "converse", modelId: PROFILE });
    expect(r.auth).toEqual({ method: "sigv4", ok: true, accessKeyId: "AKIDALICE" });
    expect(a.json()).toMatchObject({ output: { message: { content: [{ text: "echo: hello there" }] } } });
  });

  it("accepts an ARN model id (its slash encoded in the segment)", async () => {
    const a = await signedPost(modelPath(ARN, "converse"), converseBody("arn please"));
    expect(a.status).toBe(200);
    expect(mock.requests.at(-1)?.modelId).toBe(ARN);
  });

  it("accepts temporary credentials with their signed session token, and refuses another token", async () => {
    const path = modelPath(PROFILE, "converse");
    const ok = await signedPost(path, converseBody("hi"), { cred: TEMP });
    expect(ok.status).toBe(200);
    expect(ok.status === 200 && mock.requests.at(-1)?.auth.accessKeyId).toBe("ASIATEMP");
    const bad = await signedPost(path, converseBody("hi"), { cred: { ...TEMP, sessionToken: "stolen" } });
    expect(bad.status).toBe(403);
    expect(errorType(bad)).toBe("UnrecognizedClientException");
    const none = await signedPost(path, converseBody("hi"), { cred: { ...TEMP, sessionToken: undefined } });
    expect(none.status).toBe(403);
  });

  it("refuses a tampered body, a wrong secret, a wrong region, a stale date and a once-encoded path", async () => {
    const path = modelPath(PROFILE, "converse");
    const body = JSON.stringify(converseBody("original"));
    const tampered = await post(
      path,
      await signedHeaders(path, body),
      JSON.stringify(converseBody("changed")),
    );
    const wrongSecret = await signedPost(path, body, { cred: { ...ALICE, secretAccessKey: "guess" } });
    const wrongRegion = await signedPost(path, body, { region: "us-west-2" });
    const stale = await signedPost(path, body, { date: new Date(Date.now() - 6 * 60_000) });
    const s3Style = await signedPost(path, body, { s3Style: true });
    for (const [name, a] of Object.entries({ tampered, wrongSecret, wrongRegion, stale, s3Style })) {
      expect(a.status, name).toBe(403);
      expect(errorType(a), name).toBe("InvalidSignatureException");
      expect(a.headers["x-amzn-errortype"], name).toMatch(/:http:\/\/internal\.amazon\.com\/coral\//);
      expect(typeof a.json().message, name).toBe("string");
    }
    expect(mock.requests.at(-1)?.auth).toMatchObject({
      method: "sigv4",
      ok: false,
      error: "InvalidSignatureException",
    });
  });

  it("a recent date inside the 5 minutes is fine, and a path without ':' is unaffected by s3-style signing", async () => {
    const ok = await signedPost(modelPath(PROFILE, "converse"), converseBody("x"), {
      date: new Date(Date.now() - 4 * 60_000),
    });
    expect(ok.status).toBe(200);
    // Proves the refusal above is about the double encoding, not about s3Style itself.
    const plain = await signedPost(modelPath("anthropic.claude-x", "converse"), converseBody("x"), {
      s3Style: true,
    });
    expect(plain.status).toBe(200);
  });

  it("refuses a sent x-amz-content-sha256 that is not the body's hash, even when signed", async () => {
    const path = modelPath(PROFILE, "converse");
    const a = await signedPost(path, converseBody("x"), {
      headers: { "x-amz-content-sha256": "0".repeat(64) },
    });
    expect(a.status).toBe(403);
    expect(errorType(a)).toBe("InvalidSignatureException");
  });

  it("an unknown access key is UnrecognizedClientException", async () => {
    const a = await signedPost(modelPath(PROFILE, "converse"), converseBody("x"), {
      cred: { accessKeyId: "AKIDNOBODY", secretAccessKey: "x" },
    });
    expect(a.status).toBe(403);
    expect(errorType(a)).toBe("UnrecognizedClientException");
    expect(mock.requests.at(-1)?.auth).toMatchObject({ ok: false, accessKeyId: "AKIDNOBODY" });
  });

  it("no Authorization at all is 403 with AWS's capitalised Message", async () => {
    const a = await post(modelPath(PROFILE, "converse"), { "content-type": "application/json" }, "{}");
    expect(a.status).toBe(403);
    expect(a.json()).toEqual({ Message: "Authorization header is missing" });
    expect(mock.requests.at(-1)?.auth).toMatchObject({ method: "none", ok: false });
  });
});

describe("Bedrock API keys", () => {
  it("accepts a known key as Bearer and refuses another", async () => {
    const path = modelPath(PROFILE, "converse");
    const body = JSON.stringify(converseBody("key"));
    const ok = await post(
      path,
      { authorization: "Bearer ABSK-good", "content-type": "application/json" },
      body,
    );
    expect(ok.status).toBe(200);
    expect(mock.requests.at(-1)?.auth).toEqual({ method: "bearer", ok: true, apiKey: "ABSK-good" });
    const bad = await post(
      path,
      { authorization: "Bearer ABSK-bad", "content-type": "application/json" },
      body,
    );
    expect(bad.status).toBe(403);
    expect(bad.json()).toHaveProperty("message");
  });
});

describe("event-stream framing", () => {
  it("matches the smithy codec byte for byte, CRCs included", () => {
    const mine = encodeMessage(
      [
        [":event-type", "chunk"],
        [":message-type", "event"],
      ],
      '{"a":1}',
    );
    const theirs = codec.encode({
      headers: {
        ":event-type": { type: "string", value: "chunk" },
        ":message-type": { type: "string", value: "event" },
      },
      body: fromUtf8('{"a":1}'),
    });
    expect(Buffer.from(theirs).equals(mine)).toBe(true);
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    const corrupt = Buffer.from(mine);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 6) ^ 1, corrupt.length - 6);
    expect(() => codec.decode(corrupt)).toThrow();
    expect(() => decodeMessages(corrupt)).toThrow(/CRC/);
  });

  it("default cuts fall inside each frame's prelude, headers and payload", () => {
    const f = encodeMessage([[":event-type", "x"]], "payload!");
    const cuts = awkwardFrameCuts([f, f]);
    const headersEnd = 12 + f.readUInt32BE(4);
    expect(cuts.filter((c) => c < 12)).not.toHaveLength(0);
    expect(cuts.filter((c) => c > 12 && c < headersEnd)).not.toHaveLength(0);
    expect(cuts.filter((c) => c > headersEnd && c < f.length - 4)).not.toHaveLength(0);
    expect(cuts.some((c) => c > f.length)).toBe(true);
  });
});

describe("Converse", () => {
  it("renders thinking, text, tool uses and verbatim usage", async () => {
    mock.script({
      reply: {
        thinking: { text: "let me think", signature: "sig-1" },
        text: "calling",
        toolUses: [{ id: "tooluse_1", name: "get_weather", input: { city: "Paris" } }],
        usage: { input: 10, output: 5, cacheRead: 100, cacheWrite: 7 },
      },
    });
    const a = await signedPost(modelPath(PROFILE, "converse"), converseBody("weather?"));
    expect(a.json()).toEqual({
      output: {
        message: {
          role: "assistant",
          content: [
            { reasoningContent: { reasoningText: { text: "let me think", signature: "sig-1" } } },
            { text: "calling" },
            { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } },
          ],
        },
      },
      stopReason: "tool_use",
      usage: {
        inputTokens: 10,
        outputTokens: 5,
        totalTokens: 122,
        cacheReadInputTokens: 100,
        cacheWriteInputTokens: 7,
      },
      metrics: { latencyMs: 12 },
    });
  });

  it("refuses a body without messages", async () => {
    const a = await signedPost(modelPath(PROFILE, "converse"), { messages: [] });
    expect(a.status).toBe(400);
    expect(errorType(a)).toBe("ValidationException");
  });

  it("streams Converse events as frames with padding, decodable by the smithy codec", async () => {
    mock.script({
      reply: {
        thinking: { text: "hmm ok", signature: "sig-2" },
        text: "two words",
        toolUses: [{ id: "t1", name: "f", input: { q: "a long enough query" } }],
        usage: { input: 4, output: 6 },
      },
    });
    const a = await signedPost(modelPath(PROFILE, "converse-stream"), converseBody("go"));
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toBe("application/vnd.amazon.eventstream");
    const msgs = await smithyDecode(a.body);
    expect(decodeMessages(a.body).map((m) => m.headers[":event-type"])).toEqual(
      msgs.map((m) => m.headers[":event-type"]),
    );
    for (const m of msgs) {
      expect(m.headers[":message-type"]).toBe("event");
      expect(m.headers[":content-type"]).toBe("application/json");
      expect(typeof m.json.p).toBe("string");
      delete m.json.p;
    }
    const types = msgs.map((m) => m.headers[":event-type"]);
    expect(types[0]).toBe("messageStart");
    expect(types.slice(-2)).toEqual(["messageStop", "metadata"]);
    expect(msgs[0]?.json).toEqual({ role: "assistant" });
    const deltas = msgs.filter((m) => m.headers[":event-type"] === "contentBlockDelta").map((m) => m.json);
    expect(deltas).toContainEqual({ contentBlockIndex: 0, delta: { reasoningContent: { text: "hmm" } } });
    expect(deltas).toContainEqual({
      contentBlockIndex: 0,
      delta: { reasoningContent: { signature: "sig-2" } },
    });
    expect(
      deltas
        .filter((d) => d.contentBlockIndex === 1)
        .map((d) => (d.delta as { text: string }).text)
        .join(""),
    ).toBe("two words");
    expect(msgs.find((m) => m.headers[":event-type"] === "contentBlockStart")?.json).toEqual({
      contentBlockIndex: 2,
      start: { toolUse: { toolUseId: "t1", name: "f" } },
    });
    const input = deltas
      .filter((d) => d.contentBlockIndex === 2)
      .map((d) => (d.delta as { toolUse: { input: string } }).toolUse.input)
      .join("");
    expect(JSON.parse(input)).toEqual({ q: "a long enough query" });
    expect(msgs.at(-2)?.json).toEqual({ stopReason: "tool_use" });
    expect(msgs.at(-1)?.json).toEqual({
      usage: { inputTokens: 4, outputTokens: 6, totalTokens: 10 },
      metrics: { latencyMs: 12 },
    });
  });

  it("sends an exception frame mid-stream", async () => {
    mock.script({
      streamException: { afterEvents: 2, type: "ThrottlingException", message: "Too many tokens" },
    });
    const a = await signedPost(modelPath(PROFILE, "converse-stream"), converseBody("one two three"));
    const msgs = await smithyDecode(a.body);
    expect(msgs).toHaveLength(3);
    expect(msgs[2]?.headers).toEqual({
      ":exception-type": "throttlingException",
      ":content-type": "application/json",
      ":message-type": "exception",
    });
    expect(msgs[2]?.json).toEqual({ message: "Too many tokens" });
  });
});

describe("InvokeModel (Anthropic)", () => {
  it("answers an Anthropic message, named by Anthropic's model name, with token-count headers", async () => {
    const a = await signedPost(modelPath(PROFILE, "invoke"), invokeBody("hi there"));
    expect(a.status).toBe(200);
    expect(a.headers["x-amzn-bedrock-input-token-count"]).toBe("2");
    expect(a.json()).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "echo: hi there" }],
      stop_reason: "end_turn",
      usage: { input_tokens: 2, cache_read_input_tokens: 0, output_tokens: 3 },
    });
  });

  it("refuses a body without anthropic_version, with another one, or with model", async () => {
    const path = modelPath(PROFILE, "invoke");
    const { anthropic_version: _, ...noVersion } = invokeBody("x");
    for (const body of [
      noVersion,
      invokeBody("x", { anthropic_version: "vertex-2023-10-16" }),
      invokeBody("x", { model: "claude" }),
    ]) {
      const a = await signedPost(path, body);
      expect(a.status).toBe(400);
      expect(a.headers["x-amzn-errortype"]).toBe(
        "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
      );
      expect(a.json().message).toMatch(/Malformed input request/);
    }
  });

  it("streams chunk frames whose base64 bytes are Anthropic events", async () => {
    mock.script({
      reply: { text: "streamed reply", toolUses: [{ id: "toolu_1", name: "f", input: { a: 1 } }] },
    });
    const a = await signedPost(modelPath(PROFILE, "invoke-with-response-stream"), invokeBody("go"));
    expect(a.headers["content-type"]).toBe("application/vnd.amazon.eventstream");
    const msgs = await smithyDecode(a.body);
    expect(new Set(msgs.map((m) => m.headers[":event-type"]))).toEqual(new Set(["chunk"]));
    expect(Object.keys(msgs[0]?.json ?? {}).sort()).toEqual(["bytes", "p"]);
    const events = msgs.map(
      (m) => JSON.parse(Buffer.from(m.json.bytes as string, "base64").toString("utf8")) as Json,
    );
    expect(events.map((e) => e.type)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: "tool_use" } });
    expect(events.at(-1)).toHaveProperty("amazon-bedrock-invocationMetrics.inputTokenCount", 1);
  });
});

describe("guardrails", () => {
  const gc = { guardrailIdentifier: "gr123abc", guardrailVersion: "1", trace: "enabled" };

  it("Converse: BLOCKME intervenes with the blocked message and a trace; other text passes", async () => {
    const a = await signedPost(
      modelPath(PROFILE, "converse"),
      converseBody("please BLOCKME", { guardrailConfig: gc }),
    );
    const j = a.json();
    expect(j.stopReason).toBe("guardrail_intervened");
    expect(j.output).toEqual({
      message: { role: "assistant", content: [{ text: "Sorry, the model cannot answer this question." }] },
    });
    expect(j).toHaveProperty(["trace", "guardrail", "inputAssessment", "gr123abc"]);
    expect(mock.requests.at(-1)?.guardrail).toEqual({
      identifier: "gr123abc",
      version: "1",
      trace: "enabled",
      source: "body",
      intervened: true,
    });
    const ok = await signedPost(
      modelPath(PROFILE, "converse"),
      converseBody("fine", { guardrailConfig: gc }),
    );
    expect(ok.json().stopReason).toBe("end_turn");
    expect(mock.requests.at(-1)?.guardrail?.intervened).toBe(false);
  });

  it("ConverseStream: the intervention streams as text then messageStop guardrail_intervened", async () => {
    const a = await signedPost(
      modelPath(PROFILE, "converse-stream"),
      converseBody("BLOCKME", { guardrailConfig: gc }),
    );
    const msgs = await smithyDecode(a.body);
    expect(msgs.find((m) => m.headers[":event-type"] === "messageStop")?.json.stopReason).toBe(
      "guardrail_intervened",
    );
  });

  it("invoke: headers carry the guardrail; an intervention is flagged in the Anthropic body", async () => {
    const a = await signedPost(modelPath(PROFILE, "invoke"), invokeBody("BLOCKME now"), {
      headers: {
        "x-amzn-bedrock-guardrailidentifier": "gr123abc",
        "x-amzn-bedrock-guardrailversion": "DRAFT",
      },
    });
    expect(a.json()).toMatchObject({
      "amazon-bedrock-guardrailAction": "INTERVENED",
      content: [{ type: "text", text: "Sorry, the model cannot answer this question." }],
    });
    expect(mock.requests.at(-1)?.guardrail).toMatchObject({
      source: "headers",
      version: "DRAFT",
      intervened: true,
    });
    const streamed = await signedPost(
      modelPath(PROFILE, "invoke-with-response-stream"),
      invokeBody("BLOCKME"),
      {
        headers: { "x-amzn-bedrock-guardrailidentifier": "gr123abc", "x-amzn-bedrock-guardrailversion": "1" },
      },
    );
    const first = (await smithyDecode(streamed.body))[0]?.json.bytes as string;
    expect(JSON.parse(Buffer.from(first, "base64").toString("utf8"))).toHaveProperty(
      ["message", "amazon-bedrock-guardrailAction"],
      "INTERVENED",
    );
    const noVersion = await signedPost(modelPath(PROFILE, "invoke"), invokeBody("x"), {
      headers: { "x-amzn-bedrock-guardrailidentifier": "gr123abc" },
    });
    expect(noVersion.status).toBe(400);
  });
});

describe("scripts", () => {
  it("answers each error type with its status, header and {message}", async () => {
    for (const [type, status] of Object.entries(ERROR_STATUS)) {
      mock.script({ error: { type, message: `boom ${type}` } });
      const a = await signedPost(modelPath(PROFILE, "converse"), converseBody("x"));
      expect(a.status, type).toBe(status);
      expect(a.headers["x-amzn-errortype"]).toBe(
        `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      );
      expect(a.json()).toEqual({ message: `boom ${type}` });
    }
  });

  it("one-shots go first in order, then the always default, then the echo again", async () => {
    const path = modelPath(PROFILE, "converse");
    mock.always({ reply: { text: "default" } });
    mock.script({ reply: { text: "first" } });
    mock.script((req) => ({ reply: { text: `second for ${req.modelId}` } }));
    const texts: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await signedPost(path, converseBody("x"));
      texts.push(
        (a.json() as { output: { message: { content: { text: string }[] } } }).output.message.content[0]
          ?.text,
      );
    }
    mock.always(undefined);
    const echo = await signedPost(path, converseBody("back"));
    expect(texts).toEqual(["first", `second for ${PROFILE}`, "default"]);
    expect(echo.json()).toHaveProperty(["output", "message", "content", 0, "text"], "echo: back");
  });

  it("chunking 'frames' writes whole frames and still decodes", async () => {
    mock.script({ chunking: "frames" });
    const a = await signedPost(modelPath(PROFILE, "converse-stream"), converseBody("a b"));
    expect((await smithyDecode(a.body)).map((m) => m.headers[":event-type"])).toContain("metadata");
  });
});

describe("container credentials", () => {
  it("the SDK's HTTP provider reads each next set from a loopback URI with the token", async () => {
    const c = await startMockAwsContainerCredentials({
      token: "ecs-token",
      credentials: [TEMP, { ...TEMP, accessKeyId: "ASIATEMP2", sessionToken: "tok-2" }],
      expiresInMs: 10 * 60_000,
    });
    try {
      const provider = fromHttp({
        awsContainerCredentialsFullUri: c.url,
        awsContainerAuthorizationToken: "ecs-token",
      });
      const first = await provider();
      const second = await provider();
      expect([first.accessKeyId, second.accessKeyId]).toEqual(["ASIATEMP", "ASIATEMP2"]);
      expect(first.sessionToken).toBe("tok-1");
      expect(first.expiration?.getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
      expect(c.calls).toBe(2);
      const wrong = fromHttp({
        awsContainerCredentialsFullUri: c.url,
        awsContainerAuthorizationToken: "nope",
        maxRetries: 0,
      });
      await expect(wrong()).rejects.toThrow();
      expect(c.refused).toBeGreaterThan(0);
      expect(c.calls).toBe(2);
    } finally {
      await c.close();
    }
  });
});
