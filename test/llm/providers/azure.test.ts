/**
 * Azure OpenAI: the v1 API (/openai/v1/..., model in the body) and dated versions
 * (/openai/deployments/{model}/...?api-version=...), the key in api-key, the convention
 * variables, the load-time checks, and the official SDKs end to end against a mock that
 * checks auth and paths as Azure does.
 */

import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../../src/config/compile.js";
import { loadConfigText } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { compileRouteTypes, LLM_DEFAULT_ROUTES } from "../../../src/llm/route-types.js";
import { explainResolution } from "../../../src/llm/routing/explain.js";
import { labelSetsOf, systemOf } from "../../../src/observability/labels.js";
import type { Gateway } from "../../../src/server/gateway.js";
import { type AzureMock, azureCheck, startAzureMock } from "../../helpers/azure-mock.js";
import { freePort, startFromConfig } from "../../server/engine-helpers.js";
import { routerOf } from "../routing/helpers.js";

const routeTypes = compileRouteTypes(LLM_DEFAULT_ROUTES);

function loadErrors(yaml: string, env: Record<string, string> = {}): string {
  const loaded = loadConfigText(yaml, { file: "f.yaml", env });
  return loaded.ok ? "" : loaded.errors.map((d) => `${d.line}: ${d.message}`).join("\n");
}

describe("Azure URLs and keys (explain)", () => {
  const yaml = (azure: string) => `
llm:
  providers:
    - name: azure
      provider: azure
      azure: ${azure}
      models: [gpt-4o, "my dep/1"]
  targets:
    - name: t
      model: gpt-4o
    - name: u
      model: "my dep/1"
`;

  it("v1: https://{resource}.openai.azure.com/openai/v1/chat/completions, the key in api-key", () => {
    const router = routerOf(yaml("{ resourceName: contoso, apiVersion: v1 }"), { AZURE_API_KEY: "k-secret" });
    const text = explainResolution(router.describe("gpt-4o"), { path: "/v1/chat/completions", routeTypes });
    expect(text).toContain("request URL:    https://contoso.openai.azure.com/openai/v1/chat/completions");
    expect(text).toContain("env::AZURE_API_KEY");
    expect(text).toContain("(sent as api-key)");
    expect(text).not.toContain("k-secret");
    const responses = explainResolution(router.describe("gpt-4o"), { path: "/v1/responses", routeTypes });
    expect(responses).toContain("https://contoso.openai.azure.com/openai/v1/responses");
  });

  it("apiVersion defaults to v1; AZURE_OPENAI_API_KEY is the second convention", () => {
    const router = routerOf(yaml("{ resourceName: contoso }"), { AZURE_OPENAI_API_KEY: "k2" });
    const c = router.plan("gpt-4o").candidates[0];
    expect(c?.auth).toMatchObject({ kind: "managed", key: "k2", source: "env::AZURE_OPENAI_API_KEY" });
    const text = explainResolution(router.describe("gpt-4o"), { path: "/v1/messages", routeTypes });
    expect(text).toContain("https://contoso.openai.azure.com/openai/v1/chat/completions");
    expect(text).toContain("Anthropic Messages → OpenAI Chat Completions");
  });

  it("a dated version: the deployment (URL-escaped) in the path and api-version in the query", () => {
    const router = routerOf(yaml("{ resourceName: contoso, apiVersion: 2024-10-21 }"), {
      AZURE_API_KEY: "k",
    });
    const text = explainResolution(router.describe("my dep/1"), { path: "/v1/chat/completions", routeTypes });
    expect(text).toContain(
      "request URL:    https://contoso.openai.azure.com/openai/deployments/my%20dep%2F1/chat/completions?api-version=2024-10-21",
    );
    // Dated versions have no Responses API here: Responses clients are translated to Chat.
    const responses = explainResolution(router.describe("gpt-4o"), { path: "/v1/responses", routeTypes });
    expect(responses).toContain("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
    expect(responses).toContain("OpenAI Responses → OpenAI Chat Completions");
  });

  it("auth: entra sends an Entra ID token as Authorization, no key needed", () => {
    const router = routerOf(yaml("{ resourceName: contoso, auth: entra }"), {});
    const text = explainResolution(router.describe("gpt-4o"), { path: "/v1/chat/completions", routeTypes });
    expect(text).toContain("Microsoft Entra ID token");
    expect(text).toContain("(sent as authorization)");
  });
});

describe("Azure passthrough credentials", () => {
  it("passthrough sends the caller's key; managedFirst with auth: entra sends the gateway's token", () => {
    const yaml = (extra: string) =>
      `llm:\n  providers:\n    - name: azure\n      azure: { resourceName: c, auth: entra }\n      models: [m]\n${extra}`;
    expect(routerOf(yaml(""), {}).plan("m").candidates[0]?.auth.kind).toBe("caller");
    const router = routerOf(
      yaml(
        "      passthroughCredential: managedFirst\n  targets:\n    - { name: a, provider: azure, model: x }\n",
      ),
      {},
    );
    const first = router.plan("m").candidates[0];
    expect(first?.auth.kind).toBe("authorizer");
    // One token cache per provider: its targets and its passthrough share it.
    const target = router.plan("x").candidates[0];
    if (first?.auth.kind !== "authorizer" || target?.auth.kind !== "authorizer")
      throw new Error("no authorizer");
    expect(target.auth.authorizer).toBe(first.auth.authorizer);
  });

  it("an llm.models entry naming the azure kind takes params.baseUrl as the endpoint", () => {
    const router = routerOf(
      'llm:\n  models:\n    - name: "*"\n      provider: azure\n      params: { baseUrl: https://apim.example.com/aoai, apiKey: k }\n',
      {},
    );
    const text = explainResolution(router.describe("gpt-4o"), { path: "/v1/chat/completions", routeTypes });
    expect(text).toContain("request URL:    https://apim.example.com/aoai/openai/v1/chat/completions");
    expect(text).toContain("(sent as api-key)");
  });
});

describe("Azure in metrics: gen_ai_system azure.ai.openai (OpenTelemetry gen_ai.provider.name)", () => {
  it("for an llm provider and a binds backend, whatever their names", () => {
    const loaded = loadConfigText(
      `
llm:
  port: 4555
  providers:
    - { name: corp-az, provider: azure, azure: { resourceName: contoso }, credential: env::K, models: [gpt-4o] }
  targets:
    - { name: t, model: gpt-4o }
binds:
  - port: 4556
    listeners:
      - routes:
          - backends:
              - ai: { name: az-backend, provider: { azure: { resourceName: contoso, apiVersion: 2024-10-21, model: gpt-4o } } }
`,
      { file: "f.yaml", env: { K: "k" } },
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const sets = labelSetsOf(compileConfig(loaded.config, { env: { K: "k" } }));
    expect(systemOf(sets, "corp-az")).toBe("azure.ai.openai");
    expect(systemOf(sets, "az-backend")).toBe("azure.ai.openai");
  });

  it("a binds backend with neither resourceName nor baseUrl is a load error saying what to add", () => {
    const e = loadErrors(
      "binds:\n  - port: 4556\n    listeners:\n      - routes:\n          - backends:\n              - ai: { name: az, provider: { azure: {} } }\n",
    );
    expect(e).toContain("needs its resource");
    expect(e.split("\n")).toHaveLength(1);
  });
});

describe("Azure load checks", () => {
  it("no key: the error names both variables and auth: entra", () => {
    const e = loadErrors(
      "llm:\n  providers:\n    - name: azure\n      azure: { resourceName: contoso }\n      models: [m]\n  targets:\n    - name: t\n      model: m\n",
    );
    expect(e).toContain("AZURE_API_KEY or AZURE_OPENAI_API_KEY");
    expect(e).toContain("auth: entra");
  });

  it("no resource: says to add azure.resourceName or baseUrl, at the provider's line", () => {
    const e = loadErrors("llm:\n  providers:\n    - name: az\n      provider: azure\n      models: [m]\n");
    expect(e).toMatch(/^3: .*add azure: \{ resourceName: <name> \}.*or baseUrl/);
    expect(e.split("\n")).toHaveLength(1);
  });

  it("both resourceName and baseUrl, or a baseUrl with /openai: an error that says what to keep", () => {
    const both = loadErrors(
      "llm:\n  providers:\n    - name: az\n      provider: azure\n      baseUrl: https://x.example\n      azure: { resourceName: contoso }\n",
    );
    expect(both).toContain("keep one");
    const path = loadErrors(
      "llm:\n  providers:\n    - name: az\n      provider: azure\n      baseUrl: https://contoso.openai.azure.com/openai/v1\n",
    );
    expect(path).toContain('remove "/openai/v1"');
  });

  it("a bad apiVersion, or auth: entra beside a credential, is refused", () => {
    expect(
      loadErrors(
        "llm:\n  providers:\n    - name: az\n      provider: azure\n      azure: { resourceName: c, apiVersion: latest }\n",
      ),
    ).toContain("is not an Azure OpenAI API version; write v1 or a dated version");
    const e = loadErrors(
      "llm:\n  providers:\n    - name: az\n      provider: azure\n      credential: env::K\n      azure: { resourceName: c, auth: entra }\n",
      { K: "k" },
    );
    expect(e).toContain("remove credential");
  });

  it("azure: on another kind is refused", () => {
    expect(
      loadErrors("llm:\n  providers:\n    - name: openai\n      azure: { resourceName: c }\n"),
    ).toContain("applies only to provider: azure");
  });
});

describe("the Azure mock checks what Azure checks", () => {
  const o = { keys: ["good"], deployments: ["gpt-4o"] };
  const req = (path: string, headers: Record<string, string>, json?: unknown) =>
    ({ method: "POST", path, headers, json }) as Parameters<typeof azureCheck>[0];
  it("401 without the key, 404 without api-version or for an unknown deployment", () => {
    expect(azureCheck(req("/openai/v1/chat/completions", {}, { model: "gpt-4o" }), o)?.status).toBe(401);
    expect(
      azureCheck(req("/openai/v1/chat/completions", { "api-key": "good" }, { model: "gpt-4o" }), o),
    ).toBeUndefined();
    expect(
      azureCheck(req("/openai/deployments/gpt-4o/chat/completions", { "api-key": "good" }), o)?.status,
    ).toBe(404);
    expect(
      azureCheck(
        req("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", { "api-key": "good" }),
        o,
      ),
    ).toBeUndefined();
    expect(
      azureCheck(
        req("/openai/deployments/other/chat/completions?api-version=2024-10-21", { "api-key": "good" }),
        o,
      )?.json,
    ).toMatchObject({ error: { code: "DeploymentNotFound" } });
  });
});

describe("Azure end to end (official SDKs through agw)", () => {
  let azure: AzureMock;
  let gateway: Gateway;
  let url: string;
  beforeAll(async () => {
    azure = await startAzureMock({
      keys: ["az-managed", "az-caller"],
      deployments: ["gpt-4o", "emb", "pt-model"],
    });
    const port = await freePort();
    const config: Config = {
      llm: {
        port,
        address: "127.0.0.1",
        providers: [
          {
            name: "azv1",
            provider: "azure",
            baseUrl: azure.url,
            azure: { apiVersion: "v1" },
            models: ["pt-model"],
          },
          { name: "azdated", provider: "azure", baseUrl: azure.url, azure: { apiVersion: "2024-10-21" } },
        ],
        targets: [
          { name: "v1", provider: "azv1", model: "gpt-4o", credential: "az-managed" },
          // dated-gpt (a route) is served by the gpt-4o deployment on the dated API.
          { name: "dated-to-gpt", provider: "azdated", model: "gpt-4o", credential: "az-managed" },
          { name: "bad", provider: "azdated", model: "bad-key", credential: "wrong" },
          { name: "emb", provider: "azdated", model: "emb", credential: "az-managed" },
        ],
        routes: [{ name: "dated-r", models: ["dated-gpt"], targets: ["dated-to-gpt"] }],
        models: [{ name: "*", provider: "azv1", params: { apiKey: "az-managed", keyOnOpaquePaths: true } }],
      },
    };
    ({ gateway } = await startFromConfig(config));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.drain(1000);
    await azure.close();
  });

  it("OpenAI chat → v1: /openai/v1/chat/completions, api-key, the deployment as model", async () => {
    azure.script({ reply: { text: "from azure", usage: { input: 2, output: 2 } } });
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const r = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(r.choices[0]?.message.content).toBe("from azure");
    const req = await azure.nextRequest();
    expect(req.path).toBe("/openai/v1/chat/completions");
    expect(req.headers["api-key"]).toBe("az-managed");
    expect(req.headers.authorization).toBeUndefined();
    expect((req.json as { model: string }).model).toBe("gpt-4o");
  });

  it("OpenAI Responses → v1 /openai/v1/responses natively", async () => {
    azure.script({ reply: { text: "responses from azure" } });
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const r = await client.responses.create({ model: "gpt-4o", input: "Hi" });
    expect(r.output_text).toBe("responses from azure");
    const req = await azure.nextRequest();
    expect(req.path).toBe("/openai/v1/responses");
    expect(req.headers["api-key"]).toBe("az-managed");
  });

  it("a dated version: /openai/deployments/{model}/chat/completions?api-version=, streamed at awkward byte boundaries", async () => {
    azure.script({
      reply: { text: "héllo wörld from a deployment", usage: { input: 3, output: 5 } },
      chunking: { every: 7 },
    });
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: "dated-gpt",
      stream: true,
      messages: [{ role: "user", content: "Hi" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("héllo wörld from a deployment");
    const req = await azure.nextRequest();
    expect(req.path).toBe("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
    expect(req.headers["api-key"]).toBe("az-managed");
  });

  it("Responses on a dated version are translated to the deployment's chat", async () => {
    azure.script({ reply: { text: "via chat" } });
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const r = await client.responses.create({ model: "dated-gpt", input: "Hi" });
    expect(r.output_text).toBe("via chat");
    const req = await azure.nextRequest();
    expect(req.path).toBe("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
  });

  it("Anthropic Messages → Azure chat (translated), streamed", async () => {
    azure.script({ reply: { text: "translated for claude clients" }, chunking: { every: 5 } });
    const client = new Anthropic({ apiKey: "caller-key", baseURL: url, maxRetries: 0 });
    const stream = client.messages.stream({
      model: "gpt-4o",
      max_tokens: 50,
      messages: [{ role: "user", content: "Hi" }],
    });
    const msg = await stream.finalMessage();
    expect(msg.content[0]).toMatchObject({ type: "text", text: "translated for claude clients" });
    const req = await azure.nextRequest();
    expect(req.path).toBe("/openai/v1/chat/completions");
    expect(req.headers["api-key"]).toBe("az-managed");
    expect(req.headers["x-api-key"]).toBeUndefined();
  });

  it("embeddings on a dated version go to the deployment's /embeddings", async () => {
    const client = new OpenAI({ apiKey: "caller-key", baseURL: `${url}/v1`, maxRetries: 0 });
    const r = await client.embeddings.create({ model: "emb", input: "hello" });
    expect(r.data.length).toBeGreaterThan(0);
    const req = await azure.nextRequest();
    expect(req.path).toBe("/openai/deployments/emb/embeddings?api-version=2024-10-21");
  });

  it("a wrong key: Azure's 401 reaches an Anthropic client in its own envelope", async () => {
    const client = new Anthropic({ apiKey: "caller-key", baseURL: url, maxRetries: 0 });
    const err = await client.messages
      .create({ model: "bad-key", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    const req = await azure.nextRequest();
    expect(req.headers["api-key"]).toBe("wrong");
  });

  it("passthrough: the caller's key moves to api-key", async () => {
    azure.script({ reply: { text: "caller's own" } });
    const client = new OpenAI({ apiKey: "az-caller", baseURL: `${url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: "pt-model", messages: [{ role: "user", content: "Hi" }] });
    const req = await azure.nextRequest();
    expect(req.headers["api-key"]).toBe("az-caller");
    expect(req.headers.authorization).toBeUndefined();
    expect(req.path).toBe("/openai/v1/chat/completions");
  });

  it("a caller's own api-key header never reaches a managed target beside the managed key", async () => {
    azure.script({ reply: { text: "managed" } });
    const client = new OpenAI({
      apiKey: "caller-key",
      baseURL: `${url}/v1`,
      maxRetries: 0,
      defaultHeaders: { "api-key": "caller-secret" },
    });
    await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] });
    const req = await azure.nextRequest();
    expect(req.headers["api-key"]).toBe("az-managed");
  });

  it("passthrough: a caller's own Entra token (a JWT) stays Authorization: Bearer", async () => {
    const jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjYWxsZXIifQ.c2ln";
    const client = new OpenAI({ apiKey: jwt, baseURL: `${url}/v1`, maxRetries: 0 });
    await client.chat.completions
      .create({ model: "pt-model", messages: [{ role: "user", content: "Hi" }] })
      .catch(() => undefined); // the mock knows no such token: Azure's 401
    const req = await azure.nextRequest();
    expect(req.headers.authorization).toBe(`Bearer ${jwt}`);
    expect(req.headers["api-key"]).toBeUndefined();
  });

  it("an opaque path (/v1/files) goes under the resource's /openai/v1, with only the lent key", async () => {
    const res = await fetch(`${url}/v1/files`, { headers: { "api-key": "az-caller" } });
    await res.arrayBuffer();
    const req = await azure.nextRequest();
    expect(req.path).toBe("/openai/v1/files");
    expect(req.headers["api-key"]).toBe("az-managed");
  });
});
