/**
 * A `model` longer than MAX_MODEL_BYTES is refused with 400 model_too_long before routing, on
 * every parsed route type, in the caller's envelope; and the strings a caller or an upstream
 * controls that reach the access log (and so the recent list and spans) are clipped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { CUT_MARK, MAX_KEPT_CHARS } from "../../src/http/clip.js";
import { MAX_MODEL_BYTES } from "../../src/llm/pipeline/body.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort } from "../server/engine-helpers.js";
import { loadYaml, post } from "./harness.js";

let mock: MockUpstream;
let gateway: Gateway;
let logs: ReturnType<typeof captureLogs>;
let url: string;

beforeAll(async () => {
  mock = await startMockUpstream();
  const port = await freePort();
  const yaml = `
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "*"
      provider: openAI
      params: { apiKey: sk-length-test, baseUrl: "${mock.url}/v1" }
      passthrough: detect
`;
  logs = captureLogs();
  gateway = await startGateway({
    runtime: compileConfig(loadYaml(yaml, {}), { env: {} }),
    logger: logs.logger,
  });
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await gateway.drain(500);
  await mock.close();
});
beforeEach(() => mock.reset());

const routes: Array<{ path: string; body: (model: string) => unknown; anthropic: boolean }> = [
  {
    path: "/v1/chat/completions",
    body: (model) => ({ model, messages: [{ role: "user", content: "hi" }] }),
    anthropic: false,
  },
  { path: "/v1/responses", body: (model) => ({ model, input: "hi" }), anthropic: false },
  { path: "/v1/embeddings", body: (model) => ({ model, input: "hi" }), anthropic: false },
  {
    path: "/v1/messages",
    body: (model) => ({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    anthropic: true,
  },
  {
    path: "/v1/messages/count_tokens",
    body: (model) => ({ model, messages: [{ role: "user", content: "hi" }] }),
    anthropic: true,
  },
];

describe("model length limit", () => {
  it.each(routes)(
    "$path: one byte over the limit is 400 model_too_long, nothing goes upstream",
    async (r) => {
      const before = mock.requests.length;
      const res = await post(url, r.path, JSON.stringify(r.body("m".repeat(MAX_MODEL_BYTES + 1))));
      expect(res.status).toBe(400);
      expect(res.headers.get("x-agw-error-code")).toBe("model_too_long");
      const body = JSON.parse(res.text) as Record<string, { message: string; type: string; code?: string }>;
      if (r.anthropic) {
        expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      } else {
        expect(body.error).toMatchObject({ type: "model_too_long", code: "model_too_long" });
      }
      expect(body.error!.message).toContain(`${MAX_MODEL_BYTES} bytes`);
      expect(mock.requests.length).toBe(before);
    },
  );

  it("counts bytes, not characters, and accepts a model at the limit", async () => {
    const atLimit = "m".repeat(MAX_MODEL_BYTES);
    const ok = await post(url, "/v1/chat/completions", JSON.stringify(routes[0]!.body(atLimit)));
    expect(ok.status).toBe(200);
    expect(mock.requests.at(-1)?.json).toMatchObject({ model: atLimit });
    // 86 three-byte characters: 258 bytes, though only 86 UTF-16 units.
    const wide = await post(url, "/v1/chat/completions", JSON.stringify(routes[0]!.body("€".repeat(86))));
    expect(wide.status).toBe(400);
    expect(wide.headers.get("x-agw-error-code")).toBe("model_too_long");
  });
});

describe("values kept after the request are clipped", () => {
  it("a long model sniffed on a detect path and a long model the upstream names are cut in the access log", async () => {
    const asked = `sniff-${"a".repeat(100_000)}`;
    const answered = "b".repeat(100_000);
    mock.script({ json: { id: "x", object: "list", model: answered, data: [] } });
    const res = await post(url, "/v1/other/thing", JSON.stringify({ model: asked }));
    expect(res.status).toBe(200);
    const line = await logs.waitFor((l) => l.msg === "request" && l.path === "/v1/other/thing");
    expect(line.routeType).toBe("detect");
    expect(line.model).toBe(asked.slice(0, MAX_KEPT_CHARS) + CUT_MARK);
    expect(line.responseModel).toBe(answered.slice(0, MAX_KEPT_CHARS) + CUT_MARK);
  });

  it("a long path is cut in the access log", async () => {
    const path = `/v1/${"p".repeat(4000)}`;
    mock.script({ json: {} });
    const res = await post(url, path, JSON.stringify({ model: "x" }));
    expect(res.status).toBe(200);
    const line = await logs.waitFor((l) => l.msg === "request" && String(l.path).startsWith("/v1/ppp"));
    expect(line.path).toBe(path.slice(0, MAX_KEPT_CHARS) + CUT_MARK);
  });
});
