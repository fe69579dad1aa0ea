/**
 * A loopback ECS/EKS container-credentials endpoint, as the AWS SDK's HTTP credential provider
 * reads it through AWS_CONTAINER_CREDENTIALS_FULL_URI (loopback `http://127.0.0.1:…` is accepted)
 * and AWS_CONTAINER_AUTHORIZATION_TOKEN (sent verbatim as `Authorization`). Each accepted GET
 * issues the next credential set of the list (the last one repeats) with an `Expiration`
 * `expiresInMs` from now, so a test can prove a client refreshes before expiry.
 *
 * ```ts
 * const c = await startMockAwsContainerCredentials({ token: "t", credentials: [a, b], expiresInMs: 6 * 60_000 });
 * process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = c.url; // or fromHttp({ awsContainerCredentialsFullUri: c.url })
 * c.calls; // accepted fetches so far
 * ```
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsCredential } from "./sigv4-verify.js";

export interface MockAwsContainerCredentials {
  /** The full URI to set as AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  url: string;
  /** Accepted fetches. */
  calls: number;
  /** Fetches refused for a wrong or missing Authorization token. */
  refused: number;
  /** The credential sets issued, in order, with their expiry. */
  issued: { accessKeyId: string; expiration: string }[];
  close(): Promise<void>;
}

export async function startMockAwsContainerCredentials(opts: {
  token: string;
  credentials: AwsCredential[];
  /** Lifetime of each issued set (default one hour). */
  expiresInMs?: number;
  /** The path part of the URI (default `/creds`). */
  path?: string;
}): Promise<MockAwsContainerCredentials> {
  if (opts.credentials.length === 0) throw new RangeError("at least one credential set is needed");
  const path = opts.path ?? "/creds";
  const state: MockAwsContainerCredentials = {
    url: "",
    calls: 0,
    refused: 0,
    issued: [],
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET" || new URL(req.url ?? "/", "http://x").pathname !== path) {
      send(404, { message: "not found" });
      return;
    }
    if (req.headers.authorization !== opts.token) {
      state.refused++;
      send(401, { message: "Authorization token is missing or wrong." });
      return;
    }
    const c = opts.credentials[Math.min(state.calls, opts.credentials.length - 1)]!;
    state.calls++;
    const expiration = new Date(Date.now() + (opts.expiresInMs ?? 3_600_000)).toISOString();
    state.issued.push({ accessKeyId: c.accessKeyId, expiration });
    send(200, {
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      Token: c.sessionToken ?? "",
      Expiration: expiration,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
