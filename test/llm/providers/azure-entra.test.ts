/**
 * Azure OpenAI with Microsoft Entra ID (`azure.auth: entra`): the token cache (one fetch for
 * many requests, a background refresh before expiry, a wait once expired, one fetch for
 * concurrent requests), safe failure messages, and the real @azure/identity flow end to end:
 * DefaultAzureCredential finds an App Service managed identity (IDENTITY_ENDPOINT and
 * IDENTITY_HEADER) whose token endpoint is a loopback mock, and agw sends its token upstream.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { entraAuthorizer, safeIdentityText } from "../../../src/llm/providers/azure/entra-token.js";
import { AuthorizeError } from "../../../src/llm/providers/spec.js";
import type { Gateway } from "../../../src/server/gateway.js";
import { type AzureMock, startAzureMock } from "../../helpers/azure-mock.js";
import { startMockUpstream } from "../../helpers/mock-upstream.js";
import { freePort, startFromConfig } from "../../server/engine-helpers.js";

const MIN = 60_000;

function fakeCredential(expiresIn: number, clock: { t: number }) {
  const calls: string[] = [];
  let n = 0;
  let fail: Error | undefined;
  return {
    calls,
    failNext(e: Error) {
      fail = e;
    },
    factory: async () => ({
      getToken: async (scope: string) => {
        calls.push(scope);
        if (fail !== undefined) {
          const e = fail;
          fail = undefined;
          throw e;
        }
        n++;
        return { token: `tok-${n}`, expiresOnTimestamp: clock.t + expiresIn };
      },
    }),
  };
}

describe("the Entra token cache", () => {
  it("fetches once for many requests, with the Cognitive Services scope", async () => {
    const clock = { t: 1_000_000 };
    const cred = fakeCredential(60 * MIN, clock);
    const a = entraAuthorizer({ createCredential: cred.factory, now: () => clock.t });
    const [x, y] = await Promise.all([a.authorize(), a.authorize()]);
    expect(x).toEqual(["authorization", "Bearer tok-1"]);
    expect(y).toEqual(x);
    expect(await a.authorize()).toEqual(x);
    expect(cred.calls).toEqual(["https://cognitiveservices.azure.com/.default"]);
  });

  it("within five minutes of expiry: the cached token is sent while one refresh runs", async () => {
    const clock = { t: 0 };
    const cred = fakeCredential(60 * MIN, clock);
    const a = entraAuthorizer({ createCredential: cred.factory, now: () => clock.t });
    await a.authorize();
    clock.t += 56 * MIN;
    expect(await a.authorize()).toEqual(["authorization", "Bearer tok-1"]);
    expect(await a.authorize()).toEqual(["authorization", "Bearer tok-1"]);
    await new Promise((r) => setImmediate(r));
    expect(cred.calls).toHaveLength(2);
    expect(await a.authorize()).toEqual(["authorization", "Bearer tok-2"]);
  });

  it("an expired token waits for a new one; a failed refresh is an AuthorizeError, then recovers", async () => {
    const clock = { t: 0 };
    const cred = fakeCredential(10 * MIN, clock);
    const a = entraAuthorizer({ createCredential: cred.factory, now: () => clock.t });
    await a.authorize();
    clock.t += 11 * MIN;
    cred.failNext(
      Object.assign(new Error("CredentialUnavailableError: nothing"), { name: "CredentialUnavailableError" }),
    );
    const err = await a.authorize().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizeError);
    expect((err as AuthorizeError).status).toBe(503);
    expect(await a.authorize()).toEqual(["authorization", "Bearer tok-2"]);
  });

  it("a refused identity is 502; messages never carry secrets or tokens", async () => {
    process.env.AZURE_CLIENT_SECRET = "very-secret-value";
    try {
      const text = safeIdentityText(
        new Error(
          "AuthenticationError: bad client_secret=very-secret-value\nfailed with eyJhbGciOi.eyJzdWIi.c2ln and very-secret-value",
        ),
      );
      expect(text).not.toContain("very-secret-value");
      expect(text).not.toContain("eyJhbGciOi.eyJzdWIi");
      const clock = { t: 0 };
      const cred = fakeCredential(10 * MIN, clock);
      cred.failNext(
        Object.assign(new Error("AADSTS7000215: very-secret-value is wrong"), {
          name: "AuthenticationError",
        }),
      );
      const a = entraAuthorizer({ createCredential: cred.factory, now: () => clock.t });
      const err = (await a.authorize().catch((e: unknown) => e)) as AuthorizeError;
      expect(err.status).toBe(502);
      expect(err.message).toContain("AADSTS7000215");
      expect(err.message).not.toContain("very-secret-value");
    } finally {
      delete process.env.AZURE_CLIENT_SECRET;
    }
  });
});

describe("Entra ID end to end: DefaultAzureCredential with a loopback managed identity", () => {
  const IDENTITY_SECRET = "identity-header-secret-123";
  const TOKEN = "eyJhbGciOiJub25lIn0.eyJhdWQiOiJjb2duaXRpdmUifQ.sig";
  let identity: http.Server;
  let identityMode: "fail" | "ok" = "fail";
  const identityRequests: { url: string; header: string | undefined }[] = [];
  let azure: AzureMock;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
  const gateways: Gateway[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    identity = http.createServer((req, res) => {
      identityRequests.push({
        url: req.url ?? "",
        header: req.headers["x-identity-header"] as string | undefined,
      });
      res.setHeader("content-type", "application/json");
      if (identityMode === "fail") {
        res.writeHead(400);
        res.end(JSON.stringify({ error: "invalid_request", error_description: "Identity not found" }));
        return;
      }
      res.writeHead(200);
      res.end(
        JSON.stringify({
          access_token: TOKEN,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: "https://cognitiveservices.azure.com",
          token_type: "Bearer",
        }),
      );
    });
    await new Promise<void>((r) => identity.listen(0, "127.0.0.1", r));
    process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${(identity.address() as AddressInfo).port}/msi/token`;
    process.env.IDENTITY_HEADER = IDENTITY_SECRET;
    azure = await startAzureMock({ tokens: [TOKEN], deployments: ["gpt-4o"] });
  });
  afterAll(async () => {
    for (const g of gateways) await g.drain(1000);
    for (const c of closers) await c();
    await azure.close();
    await new Promise<void>((r) => identity.close(() => r()));
    if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    else process.env.IDENTITY_ENDPOINT = saved.endpoint;
    if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    else process.env.IDENTITY_HEADER = saved.header;
  });

  async function gatewayUrl(): Promise<string> {
    const port = await freePort();
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [{ name: "azure", baseUrl: azure.url, azure: { auth: "entra" }, models: ["gpt-4o"] }],
        targets: [{ name: "t", model: "gpt-4o" }],
      },
    };
    const { gateway } = await startFromConfig(config);
    gateways.push(gateway);
    return `http://127.0.0.1:${port}`;
  }

  // First: the identity library caches tokens process-wide once it has one.
  it("no token: 503 upstream_credential_unavailable in the caller's envelope, without the identity secret", async () => {
    const url = await gatewayUrl();
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer caller-key" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("x-agw-error-code")).toBe("upstream_credential_unavailable");
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain("Microsoft Entra ID token");
    expect(body.error.message).toContain("Identity not found");
    expect(JSON.stringify(body)).not.toContain(IDENTITY_SECRET);
    expect(azure.upstream.requests).toHaveLength(0);
  });

  it("no token under a fallback route: the next target answers", async () => {
    const backup = await startMockUpstream();
    closers.push(() => backup.close());
    const port = await freePort();
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [
          { name: "azure", baseUrl: azure.url, azure: { auth: "entra" } },
          { name: "backup", provider: "openAI", baseUrl: `${backup.url}/v1` },
        ],
        targets: [
          { name: "az", provider: "azure", model: "gpt-4o" },
          { name: "bk", provider: "backup", model: "gpt-4o", credential: "bk-key" },
        ],
        routes: [{ name: "r", models: ["gpt-4o"], strategy: "fallback", targets: ["az", "bk"] }],
      },
    };
    const { gateway } = await startFromConfig(config);
    gateways.push(gateway);
    const before = azure.upstream.requests.length;
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(azure.upstream.requests.length).toBe(before);
    expect((await backup.nextRequest()).headers.authorization).toBe("Bearer bk-key");
  });

  it("a token: sent as Authorization: Bearer (no api-key, never the caller's key), fetched once", async () => {
    identityMode = "ok";
    identityRequests.length = 0;
    const url = await gatewayUrl();
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    for (const text of ["one", "two"]) {
      azure.script({ reply: { text } });
      const r = await client.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "Hi" }],
      });
      expect(r.choices[0]?.message.content).toBe(text);
      const req = await azure.nextRequest();
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.headers["api-key"]).toBeUndefined();
    }
    expect(identityRequests).toHaveLength(1);
    expect(identityRequests[0]?.url).toContain("resource=https%3A%2F%2Fcognitiveservices.azure.com");
    expect(identityRequests[0]?.header).toBe(IDENTITY_SECRET);
  });
});
