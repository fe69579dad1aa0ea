/**
 * The webhook guard through the gateway: pass, mask and reject on requests and responses
 * (streams included: a webhook judges the collected stream), and what a broken webhook means
 * under failClosed (refused) and failOpen (let through, counted).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstream } from "../../server/engine-helpers.js";
import { headerOf, type PolicyHarness, rejection, startPolicyHarness } from "./harness.js";

interface Call {
  phase: string;
  texts: string[];
}

/** Decides by content: REJECT → reject, BREAK → 500, "secret" → mask, otherwise pass. */
async function startWebhook() {
  const calls: Call[] = [];
  const srv = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const call = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Call;
      calls.push(call);
      const all = call.texts.join("\n");
      let answer: unknown = { action: "pass" };
      if (all.includes("BREAK")) {
        res.writeHead(500);
        res.end("down");
        return;
      }
      if (all.includes("REJECT")) answer = { action: "reject", message: `refused in ${call.phase}` };
      else if (all.includes("secret"))
        answer = { action: "mask", texts: call.texts.map((t) => t.replaceAll("secret", "[hidden]")) };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  return { ...srv, calls, url: `http://127.0.0.1:${srv.port}/guard` };
}

describe("webhook guard, failClosed", () => {
  let h: PolicyHarness;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  beforeAll(async () => {
    hook = await startWebhook();
    const webhook = { url: hook.url, timeout: "2s" };
    h = await startPolicyHarness({
      ai: { promptGuard: { request: [{ webhook }], response: [{ webhook }] } },
    });
  });
  afterAll(async () => {
    await h.close();
    await hook.close();
  });

  it("pass: the request goes through; the webhook saw the system prompt and messages", async () => {
    const handle = h.mock.script({ reply: { text: "fine" } });
    const r = await h.anthropic().messages.create({
      model: "oai-x",
      max_tokens: 10,
      system: "be nice",
      messages: [{ role: "user", content: "hello" }],
    });
    expect(r.content[0]).toMatchObject({ text: "fine" });
    await handle.request;
    expect(hook.calls).toContainEqual({ phase: "request", texts: ["be nice", "hello"] });
    expect(hook.calls).toContainEqual({ phase: "response", texts: ["fine"] });
  });

  it("mask: the webhook's replacement goes upstream", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.openai().chat.completions.create({
      model: "ant-x",
      messages: [{ role: "user", content: "my secret plan" }],
    });
    const up = await handle.request;
    expect(up.text).toContain("my [hidden] plan");
    expect(up.text).not.toContain("secret");
  });

  it("reject: 403 by default, with the webhook's message", async () => {
    const r = await rejection(
      h
        .openai()
        .chat.completions.create({ model: "oai-x", messages: [{ role: "user", content: "REJECT me" }] }),
    );
    expect(r.status).toBe(403);
    expect(headerOf(r.headers, "x-agw-error-code")).toBe("guardrail_rejected");
    expect(r.error).toMatchObject({ message: "refused in request" });
  });

  it("a broken webhook under failClosed refuses", async () => {
    const r = await rejection(
      h
        .anthropic()
        .messages.create({ model: "ant-x", max_tokens: 5, messages: [{ role: "user", content: "BREAK" }] }),
    );
    expect(r.status).toBe(403);
    expect(r.error).toMatchObject({ error: { type: "permission_error" } });
  });

  it("response mask on a stream: collected, judged, replayed masked", async () => {
    h.mock.script({ reply: { text: "the secret is out" } });
    const stream = await h.openai().chat.completions.create({
      model: "oai-x",
      messages: [{ role: "user", content: "tell" }],
      stream: true,
    });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
    expect(text).toBe("the [hidden] is out");
  });

  it("response reject on a stream: the SDK stream fails", async () => {
    h.mock.script({ reply: { text: "REJECT this answer" } });
    const stream = h.anthropic().messages.stream({
      model: "ant-x",
      max_tokens: 20,
      messages: [{ role: "user", content: "tell" }],
    });
    await expect(stream.finalMessage()).rejects.toThrow(/refused in response/);
  });

  it("response mask on JSON (responses client)", async () => {
    h.mock.script({ reply: { text: "a secret answer" } });
    const r = await h.openai().responses.create({ model: "oai-x", input: "q" });
    expect(r.output_text).toBe("a [hidden] answer");
  });
});

describe("webhook guard, failOpen", () => {
  let h: PolicyHarness;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  beforeAll(async () => {
    hook = await startWebhook();
    h = await startPolicyHarness({
      ai: { promptGuard: { request: [{ webhook: { url: hook.url, failureMode: "failOpen" } }] } },
    });
  });
  afterAll(async () => {
    await h.close();
    await hook.close();
  });

  it("a broken webhook lets the request through and records failOpen", async () => {
    const handle = h.mock.script({ reply: { text: "went through" } });
    const r = await h.openai().chat.completions.create({
      model: "oai-x",
      messages: [{ role: "user", content: "BREAK it" }],
    });
    expect(r.choices[0]?.message.content).toBe("went through");
    expect((await handle.request).text).toContain("BREAK it");
    const rec = await h.record((x) => x.status === 200 && x.model === "oai-x");
    expect(rec.policyEvents).toContainEqual({
      policy: "promptGuard",
      phase: "request",
      action: "failOpen",
      guard: "webhook",
    });
  });
});
