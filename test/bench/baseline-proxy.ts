/**
 * The bench's baseline: the plainest proxy that does the least an LLM gateway must do (read
 * the body, JSON.parse it, forward it, stream the answer back). Same undici Pool settings and
 * server timeouts as agw. `node --import tsx test/bench/baseline-proxy.ts --port P --upstream URL`
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { type Dispatcher, Pool } from "undici";

const { values } = parseArgs({ options: { port: { type: "string" }, upstream: { type: "string" } } });
const pool = new Pool(values.upstream ?? "http://127.0.0.1:9999", {
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 60_000,
});
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"]);
const strip = (h: http.IncomingHttpHeaders): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
};

const server = http.createServer({ headersTimeout: 30_000, requestTimeout: 0, keepAliveTimeout: 5_000 });
server.on("request", async (req: http.IncomingMessage, res: http.ServerResponse) => {
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (body.length > 0) JSON.parse(body.toString("utf8"));
    const up = await pool.request({
      path: req.url ?? "/",
      method: (req.method ?? "GET") as Dispatcher.HttpMethod,
      headers: strip(req.headers),
      body,
    });
    res.writeHead(up.statusCode, strip(up.headers));
    // .pipe(), as agw does: stream.pipeline would add per-request cost (an AbortController)
    // that agw has removed, and a baseline slower than it need be flatters the ratio. pipe()
    // does not clean up on its own, so a client that goes away destroys the upstream body.
    res.once("close", () => up.body.destroy());
    up.body.pipe(res);
  } catch {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  }
});
server.listen(Number(values.port ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.once("SIGTERM", () => server.close());
