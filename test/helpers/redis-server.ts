/**
 * A real redis-server for tests: a child process on a free loopback port, no persistence.
 * `stop()` kills it (the port stays reserved for `start()` again: "Redis back"); `close()`
 * in afterAll. Skips nothing: a machine without redis-server fails the test that needs it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, Socket } from "node:net";

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the server (for "Redis stopped mid-run"). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

/** Resolves once the server answers PING with PONG (bounded tries). */
async function waitReady(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.setTimeout(200);
      s.once("error", () => resolve(false));
      s.once("timeout", () => {
        s.destroy();
        resolve(false);
      });
      s.once("data", (d) => {
        s.destroy();
        // A server with a password answers NOAUTH: it is up too.
        resolve(/^(\+PONG|-NOAUTH)/.test(d.toString()));
      });
      s.connect(port, "127.0.0.1", () => s.write("PING\r\n"));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("redis-server did not start");
}

/** `args`: extra redis-server options (e.g. ["--requirepass", "pw"]). */
export async function startRedisServer(args: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const c = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--loglevel",
        "warning",
        ...args,
      ],
      { stdio: "ignore" },
    );
    child = c;
    await waitReady(port, c);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGKILL");
    });
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, start, close: stop };
}
