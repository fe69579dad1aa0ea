import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IrRequest, IrResponse } from "../../../src/llm/formats/ir.js";
import { createPromptGuard } from "../../../src/policies/prompt-guard/chain.js";

function request(): IrRequest {
  return {
    model: "m",
    stream: false,
    system: [{ type: "text", text: "Admin is root@corp.example" }],
    messages: [
      { role: "user", content: [{ type: "text", text: "My card is 4111 1111 1111 1111" }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "user a@b.io", signature: "sig" },
          { type: "tool_call", id: "c1", name: "lookup", arguments: '{"email":"bob@example.org"}' },
        ],
      },
      {
        role: "tool",
        content: [
          { type: "tool_result", toolCallId: "c1", content: "phone (555) 123-4567" },
          { type: "tool_result", toolCallId: "c2", content: [{ type: "text", text: "ssn 123-45-6789" }] },
        ],
      },
    ],
  };
}

const maskAll = {
  regex: {
    action: "mask" as const,
    rules: [
      { builtin: "email" as const },
      { builtin: "creditCard" as const },
      { builtin: "phoneNumber" as const },
      { builtin: "ssn" as const },
    ],
  },
};

describe("prompt guard chain on the IR", () => {
  it("masks system, user text, tool call arguments and tool results; leaves thinking; keeps the input intact", async () => {
    const pg = createPromptGuard({ request: [maskAll] });
    const input = request();
    const before = JSON.stringify(input);
    const r = await pg.checkRequest(input);
    if (!r.ok) throw new Error("unexpected rejection");
    expect(JSON.stringify(input)).toBe(before);
    const ir = r.value;
    expect(ir.system[0]?.text).toBe("Admin is <EMAIL_ADDRESS>");
    expect(ir.messages[0]?.content[0]).toEqual({ type: "text", text: "My card is <CREDIT_CARD>" });
    expect(ir.messages[1]?.content[0]).toEqual({
      type: "thinking",
      thinking: "user a@b.io",
      signature: "sig",
    });
    expect(ir.messages[1]?.content[1]).toMatchObject({ arguments: '{"email":"<EMAIL_ADDRESS>"}' });
    expect(ir.messages[2]?.content[0]).toMatchObject({ content: "phone <PHONE_NUMBER>" });
    expect(ir.messages[2]?.content[1]).toMatchObject({ content: [{ type: "text", text: "ssn <SSN>" }] });
    expect(r.events).toEqual([{ policy: "promptGuard", phase: "request", action: "mask", guard: "regex" }]);
  });

  it("returns the same object and allow events when nothing matches", async () => {
    const pg = createPromptGuard({
      request: [{ regex: { action: "mask", rules: [{ builtin: "ipAddress" }] } }],
    });
    const input = request();
    const r = await pg.checkRequest(input);
    expect(r.ok && r.value).toBe(input);
    expect(r.events).toEqual([{ policy: "promptGuard", phase: "request", action: "allow", guard: "regex" }]);
  });

  it("rejects with the default 403 or the configured status and message", async () => {
    const d = await createPromptGuard({
      request: [{ regex: { action: "reject", rules: [{ builtin: "ssn" }] } }],
    }).checkRequest(request());
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.error.status).toBe(403);
    expect(d.error.code).toBe("guardrail_rejected");
    expect(d.error.message).toBe("The request was rejected by a guardrail.");
    const c = await createPromptGuard({
      request: [{ blocklist: { words: ["ROOT@"] }, rejection: { status: 400, message: "No admins." } }],
    }).checkRequest(request());
    expect(c.ok ? 0 : [c.error.status, c.error.message]).toEqual([400, "No admins."]);
    expect(c.events).toEqual([
      { policy: "promptGuard", phase: "request", action: "reject", guard: "blocklist" },
    ]);
  });

  it("runs guards in order: a mask before a blocklist hides what it masked", async () => {
    const pg = createPromptGuard({
      request: [maskAll, { blocklist: { words: ["example.org"] } }],
    });
    const r = await pg.checkRequest(request());
    expect(r.ok).toBe(true);
    const rev = createPromptGuard({ request: [{ blocklist: { words: ["example.org"] } }, maskAll] });
    expect((await rev.checkRequest(request())).ok).toBe(false);
  });

  it("checks responses: text and tool call arguments", async () => {
    const pg = createPromptGuard({ response: [maskAll] });
    const res: IrResponse = {
      id: "r",
      model: "m",
      content: [
        { type: "text", text: "Reach me at x@y.com" },
        { type: "tool_call", id: "t", name: "f", arguments: '{"ssn":"123-45-6789"}' },
      ],
      stopReason: "end_turn",
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    };
    const r = await pg.checkResponse(res);
    if (!r.ok) throw new Error("unexpected");
    expect(r.value.content).toEqual([
      { type: "text", text: "Reach me at <EMAIL_ADDRESS>" },
      { type: "tool_call", id: "t", name: "f", arguments: '{"ssn":"<SSN>"}' },
    ]);
    expect(r.events[0]?.phase).toBe("response");
  });
});

type Handler = (body: { phase: string; texts: string[] }, req: IncomingMessage, res: ServerResponse) => void;

describe("webhook guard over a real HTTP server", () => {
  let server: Server;
  let url: string;
  let handler: Handler = (_b, _q, res) => res.end('{"action":"pass"}');
  const seen: Array<{ body: { phase: string; texts: string[] }; headers: IncomingMessage["headers"] }> = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      let raw = "";
      for await (const c of req) raw += c;
      const body = JSON.parse(raw) as { phase: string; texts: string[] };
      seen.push({ body, headers: req.headers });
      handler(body, req, res);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/guard`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
  });

  const hook = (extra: Record<string, unknown> = {}) =>
    createPromptGuard({
      request: [
        { webhook: { url, headers: { authorization: "Bearer hook-secret" }, timeout: "200ms", ...extra } },
      ],
      response: [{ webhook: { url } }],
    });

  it("sends phase and every text in order with the configured headers; pass keeps the request", async () => {
    seen.length = 0;
    handler = (_b, _q, res) => res.end('{"action":"pass"}');
    const input = request();
    const r = await hook().checkRequest(input);
    expect(r.ok && r.value).toBe(input);
    expect(seen[0]?.body).toEqual({
      phase: "request",
      texts: [
        "Admin is root@corp.example",
        "My card is 4111 1111 1111 1111",
        '{"email":"bob@example.org"}',
        "phone (555) 123-4567",
        "ssn 123-45-6789",
      ],
    });
    expect(seen[0]?.headers.authorization).toBe("Bearer hook-secret");
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(r.events).toEqual([
      { policy: "promptGuard", phase: "request", action: "allow", guard: "webhook" },
    ]);
  });

  it("mask replaces the texts", async () => {
    handler = (b, _q, res) =>
      res.end(JSON.stringify({ action: "mask", texts: b.texts.map((t) => t.toUpperCase()) }));
    const r = await hook().checkRequest(request());
    if (!r.ok) throw new Error("unexpected");
    expect(r.value.system[0]?.text).toBe("ADMIN IS ROOT@CORP.EXAMPLE");
    expect(r.value.messages[2]?.content[1]).toMatchObject({ content: [{ text: "SSN 123-45-6789" }] });
    expect(r.events[0]?.action).toBe("mask");
  });

  it("mask with a single text on a response", async () => {
    handler = (b, _q, res) => res.end(JSON.stringify({ action: "mask", text: `[${b.phase}]` }));
    const r = await hook().checkResponse({
      id: "r",
      model: "m",
      content: [{ type: "text", text: "hi" }],
      stopReason: "end_turn",
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    });
    expect(r.ok && r.value.content).toEqual([{ type: "text", text: "[response]" }]);
  });

  it("reject carries the webhook's message, else the configured one", async () => {
    handler = (_b, _q, res) => res.end('{"action":"reject","message":"PII found"}');
    const r = await hook({}).checkRequest(request());
    expect(r.ok ? undefined : [r.error.status, r.error.code, r.error.message]).toEqual([
      403,
      "guardrail_rejected",
      "PII found",
    ]);
    handler = (_b, _q, res) => res.end('{"action":"reject"}');
    const p = createPromptGuard({
      request: [{ webhook: { url }, rejection: { status: 422, message: "Nope." } }],
    });
    const r2 = await p.checkRequest(request());
    expect(r2.ok ? undefined : [r2.error.status, r2.error.message]).toEqual([422, "Nope."]);
  });

  for (const [name, h] of [
    [
      "5xx",
      (_b, _q, res) => {
        res.statusCode = 503;
        res.end('{"action":"pass"}');
      },
    ],
    ["malformed JSON", (_b, _q, res) => res.end("not json")],
    ["mask of the wrong length", (_b, _q, res) => res.end('{"action":"mask","texts":["x"]}')],
    ["timeout", (_b, _q, res) => setTimeout(() => res.end('{"action":"pass"}'), 1000).unref()],
  ] as Array<[string, Handler]>) {
    it(`${name}: failClosed rejects (default), failOpen passes with a failOpen event`, async () => {
      handler = h;
      const closed = await hook().checkRequest(request());
      expect(closed.ok).toBe(false);
      if (!closed.ok) {
        expect(closed.error.status).toBe(403);
        expect(closed.error.message).not.toContain("hook-secret");
      }
      expect(closed.events).toEqual([
        { policy: "promptGuard", phase: "request", action: "reject", guard: "webhook" },
      ]);
      const input = request();
      const open = await hook({ failureMode: "failOpen" }).checkRequest(input);
      expect(open.ok && open.value).toBe(input);
      expect(open.events).toEqual([
        { policy: "promptGuard", phase: "request", action: "failOpen", guard: "webhook" },
      ]);
    });
  }

  it("an unreachable webhook fails closed", async () => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, "close");
    const r = await createPromptGuard({
      request: [{ webhook: { url: `http://127.0.0.1:${port}/` } }],
    }).checkRequest(request());
    expect(r.ok).toBe(false);
  });
});
