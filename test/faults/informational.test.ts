/**
 * Interim (1xx) responses from an upstream: `100 Continue` (unasked for) and `103 Early Hints`
 * before the final answer. RFC 9110 §15.2: a client must be able to parse them; the final
 * response is what the client of agw gets, on the opaque proxy and on the parsed LLM path.
 * The upstream is a raw socket server so the bytes are exactly the test's.
 */
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import { interimHeadLength } from "../../src/http/interim-responses.js";
import type { Gateway } from "../../src/server/gateway.js";
import { freePort, send, startFromConfig } from "../server/engine-helpers.js";

const CHAT_ANSWER = JSON.stringify({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o",
  choices: [{ index: 0, message: { role: "assistant", content: "final" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

/** How the interim and final responses are written: one write, or split (even mid-line). */
type Delivery = "together" | "apart" | "split";

function final(body: string): string {
  return `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
const INTERIM =
  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n";

/** Keep-alive upstream: each request gets 100, 103, then 200, delivered as `delivery` says. */
async function interimUpstream(delivery: () => Delivery) {
  const sockets = new Set<net.Socket>();
  let served = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end === -1) return;
        const head = buf.subarray(0, end).toString("latin1");
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.subarray(end + 4 + length);
        served++;
        const body = head.startsWith("POST") ? CHAT_ANSWER : "opaque final";
        void answer(socket, delivery(), final(body));
      }
    });
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    served: () => served,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Cuts inside the 100's status line, between its head's two CRLFs, and inside the 103's. */
const SPLIT = ["HTTP/1.1 10", "0 Continue\r\n", "\r\nHTTP/1.1 103 Early"];

const tick = () => new Promise((r) => setTimeout(r, 15));

async function answer(socket: net.Socket, delivery: Delivery, last: string): Promise<void> {
  if (delivery === "together") {
    socket.write(INTERIM + last);
    return;
  }
  const parts =
    delivery === "apart"
      ? ["HTTP/1.1 100 Continue\r\n\r\n", INTERIM.slice(25), last]
      : [...SPLIT, INTERIM.slice(SPLIT.join("").length), last];
  for (const p of parts) {
    socket.write(p);
    await tick();
  }
}

let upstream: Awaited<ReturnType<typeof interimUpstream>>;
let gateway: Gateway;
let port: number;
let delivery: Delivery = "together";

beforeAll(async () => {
  upstream = await interimUpstream(() => delivery);
  port = await freePort();
  const config: Config = {
    binds: [
      {
        port,
        address: "127.0.0.1",
        listeners: [
          {
            routes: [
              {
                name: "llm",
                matches: [{ path: { pathPrefix: "/v1/" } }],
                backends: [
                  {
                    ai: {
                      name: "o",
                      provider: { openAI: {} },
                      baseUrl: `http://127.0.0.1:${upstream.port}/v1`,
                    },
                  },
                ],
              },
              { name: "opaque", backends: [{ host: `127.0.0.1:${upstream.port}` }] },
            ],
          },
        ],
      },
    ],
  };
  ({ gateway } = await startFromConfig(config));
});

afterAll(async () => {
  await gateway.drain(500);
  await upstream.close();
});

const chat = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });

describe.each(["together", "apart", "split"] as const)("100 then 103 then 200, %s", (how) => {
  it("opaque proxy: the client gets the 200, twice on the same upstream connection", async () => {
    delivery = how;
    for (let i = 0; i < 2; i++) {
      const r = await send(port, { path: "/anything" });
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe("opaque final");
    }
  });

  it("LLM path (parsed, undici): the client gets the 200", async () => {
    delivery = how;
    for (let i = 0; i < 2; i++) {
      const r = await send(port, {
        method: "POST",
        path: "/v1/chat/completions",
        headers: { "content-type": "application/json", authorization: "Bearer k" },
        body: chat,
      });
      expect(r.status, r.body.toString()).toBe(200);
      expect(JSON.parse(r.body.toString())).toMatchObject({ choices: [{ message: { content: "final" } }] });
    }
  });
});

describe("what counts as an interim head", () => {
  it("1xx heads but 101, complete or not, and nothing else", () => {
    const len = (s: string) => interimHeadLength(Buffer.from(s, "latin1"));
    expect(len("HTTP/1.1 100 Continue\r\n\r\nrest")).toBe(25);
    expect(len("HTTP/1.0 199\r\nx: y\r\n\r\n")).toBe(22);
    expect(len("HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n")).toBe(-1);
    expect(len("HTTP/1.1 1")).toBe(-1);
    expect(len("HTTP/1.1 101 Switching Protocols\r\n\r\n")).toBe(0);
    expect(len("HTTP/1.1 200 OK\r\n\r\n")).toBe(0);
    expect(len("HTTP/1.1 1000 x\r\n\r\n")).toBe(0);
    expect(len('{"id":"x"}')).toBe(0);
    expect(len(`HTTP/1.1 100 ${"x".repeat(20_000)}`)).toBe(0);
  });
});
