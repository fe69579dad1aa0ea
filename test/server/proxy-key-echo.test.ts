/**
 * The opaque proxy with a managed credential (backendAuth key): an error answer that echoes
 * the key — plain, \u-escaped, gzip- or br-compressed, in a header — reaches the client
 * redacted; one too large to check is withheld, never streamed. Answers to callers who sent
 * their own key, and success answers, stream as before.
 */
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { freePort, send, startFromConfig } from "./engine-helpers.js";

const KEY = "sk-proxy-managed-3e9b1d70";
const escaped = (s: string): string =>
  [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");

let m: MockUpstream;
let gateway: Gateway;
let port: number;

beforeAll(async () => {
  m = await startMockUpstream();
  port = await freePort();
  const started = await startFromConfig(
    {
      binds: [
        {
          port,
          address: "127.0.0.1",
          listeners: [
            {
              routes: [
                {
                  name: "managed",
                  matches: [{ path: { pathPrefix: "/managed" } }],
                  backends: [{ host: `127.0.0.1:${m.port}` }],
                  policies: { backendAuth: { key: KEY } },
                },
                { name: "own", backends: [{ host: `127.0.0.1:${m.port}` }] },
              ],
            },
          ],
        },
      ],
    },
    {},
  );
  gateway = started.gateway;
});

afterAll(async () => {
  await gateway.drain(1000);
  await m.close();
});

async function get(
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const r = await send(port, { method: "GET", path, headers: { "accept-encoding": "gzip, br" } });
  return { status: r.status, headers: r.headers, body: r.body.toString("utf8") };
}

describe("opaque error answers and the managed key", () => {
  it("a 401 echoing the key \\u-escaped, and in a header: redacted, length fixed", async () => {
    m.script({
      status: 401,
      headers: { "www-authenticate": `Bearer realm="x", key="${KEY}"` },
      raw: `{"error":{"message":"Incorrect API key provided: ${escaped(KEY)}"}}`,
    });
    const r = await get("/managed/v1/files");
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.message).toBe("Incorrect API key provided: [redacted]");
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.body));
    expect(JSON.stringify(r.headers)).not.toContain(KEY);
    expect(String(r.headers["www-authenticate"])).toContain("[redacted]");
  });

  it.each([
    ["gzip", gzipSync],
    ["br", brotliCompressSync],
  ])("a %s-compressed 401 echoing the key: decoded, redacted, sent plain", async (enc, compress) => {
    m.script({
      status: 401,
      headers: { "content-encoding": enc },
      raw: compress(Buffer.from(`{"error":{"message":"bad key ${KEY}"}}`)),
    });
    const r = await get("/managed/v1/files");
    expect(r.status).toBe(401);
    expect(r.headers["content-encoding"]).toBeUndefined();
    expect(r.body).toBe('{"error":{"message":"bad key [redacted]"}}');
  });

  it("an error answer too large to check is withheld, with its status", async () => {
    m.script({ status: 500, raw: `{"error":"${"x".repeat(1024 * 1024 + 10)}${KEY}"}` });
    const r = await get("/managed/v1/files");
    expect(r.status).toBe(500);
    expect(r.headers["x-agw-error-code"]).toBe("upstream_error_withheld");
    expect(r.body).not.toContain(KEY);
    expect(JSON.parse(r.body).error.code).toBe("upstream_error_withheld");
  });

  it("a compression bomb is withheld, not decoded whole", async () => {
    m.script({
      status: 400,
      headers: { "content-encoding": "gzip" },
      raw: gzipSync(Buffer.alloc(8 * 1024 * 1024, 32)),
    });
    const r = await get("/managed/v1/files");
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.code).toBe("upstream_error_withheld");
  });

  it("without a managed key, and on success, answers pass as sent", async () => {
    const gz = gzipSync(Buffer.from('{"error":"own"}'));
    m.script({ status: 401, headers: { "content-encoding": "gzip" }, raw: gz });
    const own = await send(port, {
      method: "GET",
      path: "/v1/files",
      headers: { authorization: "Bearer mine" },
    });
    expect(own.status).toBe(401);
    expect(own.headers["content-encoding"]).toBe("gzip");
    m.script({ status: 200, raw: '{"data":[]}' });
    const ok = await get("/managed/v1/files");
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('{"data":[]}');
  });
});
