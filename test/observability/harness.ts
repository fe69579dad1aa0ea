/**
 * Runs `serve()` from a temporary config file against the mock upstream, with a log sink the
 * test reads, a signal emitter to stop it, and the addresses of the operational servers.
 */
import { EventEmitter } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createLogger, type LogFormat } from "../../src/observability/log.js";
import { type ServeHandle, type SignalSource, serve } from "../../src/process/serve.js";
import { freePort } from "../server/engine-helpers.js";

/** Known secret values: none may ever appear in a log line, a dump or a metric. */
export const SECRETS = {
  managed: "sk-managed-SECRET-7f3a9c1e",
  gatewayKey: "agw-gateway-SECRET-51d2b8",
  caller: "sk-caller-SECRET-0b7e44aa",
  query: "query-SECRET-9911",
  header: "header-mod-SECRET-c0ffee",
  providerCredential: "sk-provider-SECRET-aa12bb",
} as const;

export const SECRET_ENV = {
  MANAGED_KEY: SECRETS.managed,
  GW_KEY: SECRETS.gatewayKey,
  HEADER_SECRET: SECRETS.header,
  PROVIDER_KEY: SECRETS.providerCredential,
};

export interface LogSink {
  text(): string;
  lines(): string[];
  json(): Array<Record<string, unknown>>;
  /** Resolves once a line satisfying `pred` has been written. */
  waitFor(pred: (line: string) => boolean): Promise<string>;
}

export function logSink(): LogSink & { stream: Writable } {
  const chunks: string[] = [];
  let waiters: Array<{ pred: (l: string) => boolean; resolve: (l: string) => void }> = [];
  const lines = (): string[] =>
    chunks
      .join("")
      .split("\n")
      .filter((l) => l !== "");
  const stream = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString("utf8"));
      const all = lines();
      waiters = waiters.filter((w) => {
        const hit = all.find(w.pred);
        if (hit === undefined) return true;
        w.resolve(hit);
        return false;
      });
      cb();
    },
  });
  return {
    stream,
    text: () => chunks.join(""),
    lines,
    json: () => lines().map((l) => JSON.parse(l) as Record<string, unknown>),
    waitFor(pred) {
      const hit = lines().find(pred);
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

export interface Running {
  handle: ServeHandle;
  port: number;
  file: string;
  logs: LogSink;
  statsPort: number | undefined;
  adminPort: number | undefined;
  readinessPort: number | undefined;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number>;
  signals: { emit(s: NodeJS.Signals): void };
}

export async function tempFile(text: string): Promise<{ file: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "agw-obs-"));
  const file = join(dir, "agw.yaml");
  await writeFile(file, text);
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts serve() on `makeConfig(port)`; the caller stops it. */
export async function runServe(
  makeConfig: (port: number) => string,
  options: { format?: LogFormat; env?: Record<string, string>; watch?: boolean } = {},
): Promise<Running & { cleanup: () => Promise<void> }> {
  const port = await freePort();
  const { file, cleanup } = await tempFile(makeConfig(port));
  const sink = logSink();
  const logger = createLogger({ level: "info", format: options.format ?? "json", destination: sink.stream });
  const ee = new EventEmitter();
  const signals: SignalSource = { on: (s, fn) => ee.on(s, fn), off: (s, fn) => ee.off(s, fn) };
  let resolveHandle!: (h: ServeHandle) => void;
  const started = new Promise<ServeHandle>((r) => {
    resolveHandle = r;
  });
  const stderr: string[] = [];
  const exit = serve({
    file,
    watch: options.watch ?? false,
    env: { ...SECRET_ENV, ...options.env },
    logger,
    signals,
    stderr: (t) => stderr.push(t),
    onStarted: resolveHandle,
  });
  const handle = await Promise.race([
    started,
    exit.then((code) => {
      throw new Error(`serve exited with ${code}: ${stderr.join("")}`);
    }),
  ]);
  return {
    handle,
    port,
    file,
    logs: sink,
    statsPort: handle.operations.stats?.address().port,
    adminPort: handle.operations.admin?.address().port,
    readinessPort: handle.readiness?.address().port,
    signals: { emit: (s) => void ee.emit(s) },
    stop: async () => {
      ee.emit("SIGTERM");
      return exit;
    },
    cleanup,
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  port: number,
  opts: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: unknown } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: opts.method ?? (body === undefined ? "GET" : "POST"),
        path: opts.path ?? "/",
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...opts.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The config most tests use: managed route, passthrough provider, gateway keys, header modifier. */
export function gatewayConfig(mockUrl: string, extra = ""): (port: number) => string {
  return (port) => `config:
  logging: { level: info, format: json }
  statsAddr: 127.0.0.1:0
  adminAddr: 127.0.0.1:0
  readinessAddr: 127.0.0.1:0
${extra}llm:
  port: ${port}
  providers:
    - name: openai
      baseUrl: ${mockUrl}/v1
      models: [gpt-4o-mini]
      credential: $PROVIDER_KEY
  targets:
    - name: managed-gpt
      model: gpt-4o
      provider: openai
      credential: env::MANAGED_KEY
  routes:
    - name: primary
      models: [gpt-4o]
      targets: [managed-gpt]
  policies:
    apiKey:
      keys:
        - name: team-a
          key: $GW_KEY
    requestHeaderModifier:
      set: { x-internal-token: "\${HEADER_SECRET}" }
`;
}

export const CHAT = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: "user", content: "Hello there" }],
  ...extra,
});

export function authHeaders(): http.OutgoingHttpHeaders {
  return {
    authorization: `Bearer ${SECRETS.caller}`,
    "x-agw-authorization": `Bearer ${SECRETS.gatewayKey}`,
  };
}

export function assertNoSecret(text: string): string[] {
  return Object.values(SECRETS).filter((s) => text.includes(s));
}
