/**
 * Upstream faults on a route with response guards: the answer is read whole to be judged,
 * so a JSON body cut or stalled midway, or one that is not JSON, must still end as a
 * well-formed 502/504 in the caller's envelope, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  call,
  combos,
  expectEnvelope,
  type FaultGateway,
  post,
  startFaultGateway,
  stillServes,
} from "./harness.js";

let g: FaultGateway;
beforeAll(async () => {
  g = await startFaultGateway({
    policiesYaml:
      "    ai:\n      promptGuard:\n        response:\n          - regex: { action: mask, rules: [{ builtin: email }] }",
  });
});
afterAll(async () => {
  await g.close();
});

const jsonCombos = combos().filter((c) => !c.stream);

describe("faults behind response guards (JSON answers)", () => {
  it.each(jsonCombos)("$label: a body cut midway is 502 upstream_unavailable", async (c) => {
    g.mock.script({
      reply: { text: "a long enough answer to be cut in the middle" },
      fault: { resetAfterBytes: 40 },
    });
    const r = await call(g, c);
    expect(r.status).toBe(502);
    expect(r.headers.get("x-agw-error-code")).toBe("upstream_unavailable");
    expectEnvelope(c.client, r.text);
    await stillServes(g, c);
  });

  it.each(jsonCombos)("$label: a success that is not JSON is 502 upstream_error", async (c) => {
    g.mock.script({ raw: "<html>gateway page</html>", headers: { "content-type": "text/html" } });
    const r = await call(g, c);
    expect(r.status).toBe(502);
    expect(r.headers.get("x-agw-error-code")).toBe("upstream_error");
    expectEnvelope(c.client, r.text);
  });

  it("the guard still masks a whole answer", async () => {
    const c = jsonCombos[0]!;
    g.mock.script({ reply: { text: "write to jane@example.com" } });
    const r = await call(g, c);
    expect(r.status).toBe(200);
    expect(r.text).toContain("<EMAIL_ADDRESS>");
    expect(r.text).not.toContain("jane@example.com");
  });
});

describe("request guards read what the provider reads", () => {
  let q: FaultGateway;
  beforeAll(async () => {
    q = await startFaultGateway({
      policiesYaml:
        "    ai:\n      promptGuard:\n        request:\n          - blocklist: { words: [project falcon] }",
    });
  });
  afterAll(async () => {
    await q.close();
  });

  /** Posts a raw body; nothing may reach the upstream. */
  async function refusedRaw(path: string, raw: string): Promise<Answer> {
    const before = q.mock.requests.length;
    const r = await post(q.url, path, raw);
    expect(q.mock.requests.length).toBe(before);
    return r;
  }

  it("a key given twice is 400 duplicate_key naming its path (the model, the messages)", async () => {
    const model = await refusedRaw(
      "/v1/chat/completions",
      '{"model":"oai-a","model":"oai-b","messages":[{"role":"user","content":"hi"}]}',
    );
    expect(model.status).toBe(400);
    expect(model.headers.get("x-agw-error-code")).toBe("duplicate_key");
    expect(expectEnvelope("chat", model.text).message).toContain("$.model");
    const msgs = await refusedRaw(
      "/v1/messages",
      '{"model":"ant-x","max_tokens":5,"messages":[{"role":"user","content":"project falcon"}],' +
        '"messages":[{"role":"user","content":"hi"}]}',
    );
    expect(msgs.status).toBe(400);
    expect(msgs.headers.get("x-agw-error-code")).toBe("duplicate_key");
    expect(expectEnvelope("messages", msgs.text).message).toContain("$.messages");
    // Escapes do not hide a repeat; a nested object is checked too.
    const nested = await refusedRaw(
      "/v1/responses",
      '{"model":"oai-x","input":[{"type":"message","role":"user","content":"hi","\\u0063ontent":"x"}]}',
    );
    expect(nested.status).toBe(400);
    expect(expectEnvelope("responses", nested.text).message).toContain("$.input[0].content");
  });

  it("nesting deeper than 128 levels is 400 invalid_request_body", async () => {
    const deep = `{"model":"oai-x","messages":[],"x":${"[".repeat(200)}${"]".repeat(200)}}`;
    const r = await refusedRaw("/v1/chat/completions", deep);
    expect(r.status).toBe(400);
    expect(r.headers.get("x-agw-error-code")).toBe("invalid_request_body");
    expect(expectEnvelope("chat", r.text).message).toContain("128");
  });
});
