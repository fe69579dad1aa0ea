/**
 * One header-forwarding rule on every path (issue 16, item 12): the opaque proxy, the
 * same-format LLM path and the translated one drop hop-by-hop headers and those the caller's
 * Connection header names, append the peer to X-Forwarded-For and send X-Forwarded-Proto.
 * Real sockets: a raw node:http client, agw on 127.0.0.1:0, the mock upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import { loadConfigText } from "../../src/config/load.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort, send } from "./engine-helpers.js";

let mock: MockUpstream;
let gateway: Gateway;
let port: number;

beforeAll(async () => {
  mock = await startMockUpstream();
  port = await freePort();
  const loaded = loadConfigText(
    `
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "claude-*"
      provider: anthropic
      params: { baseUrl: "${mock.url}/v1", apiKey: sk-ant-managed }
    - name: "*"
      provider: openAI
      params: { baseUrl: "${mock.url}/v1" }
`,
    { file: "fwd.yaml", env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  gateway = await startGateway({
    runtime: compileConfig(loaded.config, { env: {} }),
    logger: captureLogs().logger,
  });
});
afterAll(async () => {
  await gateway.drain(500);
  await mock.close();
});

const chat = (model: string) =>
  JSON.stringify({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] });

const PATHS = [
  { label: "opaque", method: "GET", path: "/v1/files", body: undefined, copies: true },
  { label: "same format", method: "POST", path: "/v1/chat/completions", body: chat("gpt-4o"), copies: true },
  {
    label: "translated",
    method: "POST",
    path: "/v1/chat/completions",
    body: chat("claude-x"),
    copies: false,
  },
] as const;

describe("one forwarding rule", () => {
  it.each(PATHS)(
    "$label: Connection-named and hop-by-hop headers dropped, X-Forwarded-* added",
    async (p) => {
      const r = await send(port, {
        method: p.method,
        path: p.path,
        headers: {
          connection: "keep-alive, x-hop",
          "x-hop": "secret-hop",
          "keep-alive": "timeout=5",
          "proxy-authorization": "Basic abc",
          "x-forwarded-for": "10.0.0.1",
          authorization: "Bearer sk-caller",
          "content-type": "application/json",
          "x-custom": "kept",
        },
        ...(p.body === undefined ? {} : { body: p.body }),
      });
      expect(r.status).toBeLessThan(500);
      const up = await mock.nextRequest();
      for (const h of ["x-hop", "keep-alive", "proxy-authorization"])
        expect(up.headers[h], h).toBeUndefined();
      expect(up.headers["x-forwarded-for"]).toBe("10.0.0.1, 127.0.0.1");
      expect(up.headers["x-forwarded-proto"]).toBe("http");
      expect(up.headers["x-custom"]).toBe(p.copies ? "kept" : undefined);
    },
  );

  it.each(PATHS)(
    "$label: a proxy in front keeps its X-Forwarded-Proto; no XFF gets the peer alone",
    async (p) => {
      await send(port, {
        method: p.method,
        path: p.path,
        headers: {
          "x-forwarded-proto": "https",
          authorization: "Bearer sk-caller",
          "content-type": "application/json",
        },
        ...(p.body === undefined ? {} : { body: p.body }),
      });
      const up = await mock.nextRequest();
      expect(up.headers["x-forwarded-proto"]).toBe("https");
      expect(up.headers["x-forwarded-for"]).toBe("127.0.0.1");
    },
  );
});
