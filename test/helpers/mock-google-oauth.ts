/**
 * A loopback mock of Google's OAuth 2.0 token endpoint for service accounts, and a service-account
 * key file pointing at it. The endpoint takes the JWT-bearer grant
 * (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`), verifies the JWT's
 * RS256 signature with the key file's public key, its issuer, its scope and its lifetime, and
 * answers `{access_token, expires_in, token_type}`; anything else is `400 {error, error_description}`.
 *
 * ```ts
 * const oauth = await startMockGoogleOAuth();
 * const keyFile = await oauth.writeKeyFile(dir); // GOOGLE_APPLICATION_CREDENTIALS=keyFile
 * oauth.issued; // the access tokens handed out
 * ```
 */
import { createVerify, generateKeyPairSync, type KeyObject } from "node:crypto";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export const SERVICE_ACCOUNT = "agw-test@my-proj.iam.gserviceaccount.com";

export interface MockGoogleOAuth {
  url: string;
  /** Access tokens issued, in order. */
  issued: string[];
  /** Claims of each accepted assertion. */
  assertions: Record<string, unknown>[];
  /** The JSON of a key file whose token_uri is this server. */
  keyFileJson(): Record<string, string>;
  writeKeyFile(dir: string): Promise<string>;
  close(): Promise<void>;
}

function b64json(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

function verifyAssertion(jwt: string, publicKey: KeyObject): Record<string, unknown> | string {
  const parts = jwt.split(".");
  if (parts.length !== 3) return "malformed JWT";
  const [h, p, sig] = parts as [string, string, string];
  const header = b64json(h);
  if (header.alg !== "RS256") return `unsupported alg ${String(header.alg)}`;
  const v = createVerify("RSA-SHA256");
  v.update(`${h}.${p}`);
  if (!v.verify(publicKey, Buffer.from(sig, "base64url"))) return "Invalid JWT Signature.";
  const claims = b64json(p);
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== SERVICE_ACCOUNT) return "Invalid issuer";
  if (typeof claims.exp !== "number" || claims.exp < now)
    return "Invalid JWT: Token must be a short-lived token";
  if (
    typeof claims.scope !== "string" ||
    !claims.scope.split(" ").includes("https://www.googleapis.com/auth/cloud-platform")
  )
    return "Invalid OAuth scope or ID token audience provided.";
  return claims;
}

export async function startMockGoogleOAuth(): Promise<MockGoogleOAuth> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const issued: string[] = [];
  const assertions: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/token") {
        send(404, { error: "not_found" });
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        send(400, { error: "unsupported_grant_type", error_description: "Invalid grant_type" });
        return;
      }
      const claims = verifyAssertion(form.get("assertion") ?? "", publicKey);
      if (typeof claims === "string") {
        send(400, { error: "invalid_grant", error_description: claims });
        return;
      }
      assertions.push(claims);
      const token = `ya29.mock-${issued.length + 1}`;
      issued.push(token);
      send(200, { access_token: token, expires_in: 3599, token_type: "Bearer" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keyFileJson = (): Record<string, string> => ({
    type: "service_account",
    project_id: "my-proj",
    private_key_id: "0123456789abcdef",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: SERVICE_ACCOUNT,
    client_id: "100000000000000000001",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: `${url}/token`,
    universe_domain: "googleapis.com",
  });
  return {
    url,
    issued,
    assertions,
    keyFileJson,
    async writeKeyFile(dir: string): Promise<string> {
      const file = path.join(dir, "service-account.json");
      await writeFile(file, JSON.stringify(keyFileJson(), null, 2), { mode: 0o600 });
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
