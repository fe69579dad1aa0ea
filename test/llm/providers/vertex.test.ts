/**
 * Vertex AI's URLs, formats and credentials (explain, the router), its load errors, and its
 * access-token cache (one fetch for many requests, a refresh before expiry, safe failures).
 */
import { describe, expect, it } from "vitest";
import { compileConfig } from "../../../src/config/compile.js";
import { loadConfigText } from "../../../src/config/load.js";
import { AuthorizeError } from "../../../src/llm/providers/spec.js";
import { adcAuthorizer, safeGoogleText } from "../../../src/llm/providers/vertex/adc-token.js";
import { compileRouteTypes, LLM_DEFAULT_ROUTES } from "../../../src/llm/route-types.js";
import { explainResolution } from "../../../src/llm/routing/explain.js";
import { labelSetsOf, systemOf } from "../../../src/observability/labels.js";
import { routerOf } from "../routing/helpers.js";

const routeTypes = compileRouteTypes(LLM_DEFAULT_ROUTES);

function loadErrors(yaml: string, env: Record<string, string> = {}): string {
  const loaded = loadConfigText(yaml, { file: "f.yaml", env });
  return loaded.ok ? "" : loaded.errors.map((d) => `${d.line}:${d.col}: ${d.message}`).join("\n");
}

const yaml = (vertex: string, extra = "") => `
llm:
  providers:
    - name: vx
      provider: vertex
      vertex: ${vertex}
${extra}  targets:
    - { name: c, provider: vx, model: "claude-sonnet-4-5@20250929" }
    - { name: g, provider: vx, model: gemini-2.5-pro }
`;

const BINDS = `binds:
  - port: 4558
    listeners:
      - routes:
          - backends:
              - ai: { name: vb, provider: { vertex: { project: p, region: global, model: gemini-2.5-pro } } }
`;

describe("Vertex AI URLs, formats and credentials (explain)", () => {
  it("a region: {region}-aiplatform.googleapis.com; Claude by rawPredict, Gemini by generateContent", () => {
    const router = routerOf(yaml("{ project: my-proj, region: us-east5 }"), {});
    const claude = explainResolution(router.describe("claude-sonnet-4-5@20250929"), {
      path: "/v1/chat/completions",
      routeTypes,
    });
    expect(claude).toContain(
      "request URL:    https://us-east5-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict",
    );
    expect(claude).toContain("OpenAI Chat Completions → Anthropic Messages");
    expect(claude).toContain("Google Application Default Credentials");
    const gem = explainResolution(router.describe("gemini-2.5-pro"), { path: "/v1/messages", routeTypes });
    expect(gem).toContain(
      "https://us-east5-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent",
    );
    expect(gem).toContain("Anthropic Messages → Gemini generateContent");
    expect(router.plan("gemini-2.5-pro").candidates[0]?.auth.kind).toBe("authorizer");
  });

  it("global: aiplatform.googleapis.com with locations/global", () => {
    const router = routerOf(yaml("{ project: p1, region: global }"), {});
    const text = explainResolution(router.describe("gemini-2.5-pro"), {
      path: "/v1/chat/completions",
      routeTypes,
    });
    expect(text).toContain(
      "request URL:    https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/google/models/gemini-2.5-pro:generateContent",
    );
  });

  it("a credential on the provider is a static access token sent as Bearer, before ADC", () => {
    const router = routerOf(yaml("{ project: p1, region: global }\n      credential: env::VERTEX_TOKEN"), {
      VERTEX_TOKEN: "ya29.static",
    });
    expect(router.plan("claude-sonnet-4-5@20250929").candidates[0]?.auth).toMatchObject({
      kind: "managed",
      key: "ya29.static",
      source: "env::VERTEX_TOKEN",
    });
  });

  it("passthrough sends the caller's token; managedFirst sends the gateway's ADC token", () => {
    const p = (extra: string) =>
      `llm:\n  providers:\n    - name: vx\n      provider: vertex\n      vertex: { project: p, region: global }\n      models: [gemini-2.5-pro]\n${extra}`;
    expect(routerOf(p(""), {}).plan("gemini-2.5-pro").candidates[0]?.auth.kind).toBe("caller");
    const c = routerOf(p("      passthroughCredential: managedFirst\n"), {}).plan("gemini-2.5-pro")
      .candidates[0];
    expect(c?.auth.kind).toBe("authorizer");
  });

  it("gen_ai_system is gcp.vertex_ai", () => {
    const loaded = loadConfigText(`${yaml("{ project: p, region: us-east5 }")}${BINDS}`, {
      file: "f.yaml",
      env: {},
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(systemOf(labelSetsOf(compileConfig(loaded.config, { env: {} })), "vx")).toBe("gcp.vertex_ai");
    expect(systemOf(labelSetsOf(compileConfig(loaded.config, { env: {} })), "vb")).toBe("gcp.vertex_ai");
  });
});

describe("Vertex AI load errors", () => {
  it("project and region are required, at the vertex block (FILE:LINE:COL)", () => {
    expect(loadErrors(yaml("{ project: p }"))).toBe(
      '6:7: Vertex AI provider "vx" needs region: add vertex: { project: <project id>, region: <region, e.g. us-east5, or global> }',
    );
    expect(loadErrors("llm:\n  providers:\n    - name: vx\n      provider: vertex\n")).toMatch(
      /^3:7: Vertex AI provider "vx" needs project and region/,
    );
  });

  it("a vertex block on another kind, and a binds backend without its region", () => {
    expect(
      loadErrors("llm:\n  providers:\n    - name: openai\n      vertex: { project: p, region: r }\n"),
    ).toMatch(/^4:7: vertex: applies only to provider: vertex/);
    const binds = `binds:
  - port: 4558
    listeners:
      - routes:
          - backends:
              - ai: { name: vb, provider: { vertex: { project: p, model: gemini-2.5-pro } } }
`;
    expect(loadErrors(binds)).toMatch(/^6:\d+: Vertex AI provider "vb" needs region/);
    expect(
      loadErrors('llm:\n  models:\n    - { name: "*", provider: vertex, params: { baseUrl: "http://x" } }\n'),
    ).toContain('model entry "*" names the vertex kind, which needs a project and a region');
  });
});

describe("the Vertex AI token cache", () => {
  const MIN = 60_000;
  function source(clock: { t: number }, lifetime: number) {
    let n = 0;
    let fail: Error | undefined;
    return {
      calls: () => n,
      failNext(e: Error) {
        fail = e;
      },
      factory: async () => ({
        getToken: async () => {
          if (fail !== undefined) {
            const e = fail;
            fail = undefined;
            throw e;
          }
          n++;
          return { token: `ya29.tok-${n}`, expiresAt: clock.t + lifetime };
        },
      }),
    };
  }

  it("one fetch for concurrent requests; a refresh in the last five minutes; a wait once expired", async () => {
    const clock = { t: 0 };
    const s = source(clock, 60 * MIN);
    const a = adcAuthorizer({ createSource: s.factory, now: () => clock.t });
    const [x, y] = await Promise.all([a.authorize(), a.authorize()]);
    expect(x).toEqual(["authorization", "Bearer ya29.tok-1"]);
    expect(y).toEqual(x);
    expect(s.calls()).toBe(1);
    clock.t += 56 * MIN;
    expect(await a.authorize()).toEqual(["authorization", "Bearer ya29.tok-1"]);
    await new Promise((r) => setImmediate(r));
    expect(s.calls()).toBe(2);
    expect(await a.authorize()).toEqual(["authorization", "Bearer ya29.tok-2"]);
    clock.t += 61 * MIN;
    expect(await a.authorize()).toEqual(["authorization", "Bearer ya29.tok-3"]);
  });

  it("a failure is a 503 AuthorizeError without secrets, then recovers", async () => {
    const clock = { t: 0 };
    const s = source(clock, 60 * MIN);
    const a = adcAuthorizer({ createSource: s.factory, now: () => clock.t });
    s.failNext(
      new Error(
        'invalid_grant: bad assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln {"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----"} ya29.leaked',
      ),
    );
    const err = await a.authorize().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizeError);
    const e = err as AuthorizeError;
    expect(e.status).toBe(503);
    expect(e.message).toContain("Could not get a Google Cloud access token for Vertex AI");
    expect(e.message).toContain("invalid_grant");
    for (const secret of ["eyJhbGci", "MIIE", "ya29.leaked", "BEGIN PRIVATE"])
      expect(e.message).not.toContain(secret);
    expect(await a.authorize()).toEqual(["authorization", "Bearer ya29.tok-1"]);
    expect(safeGoogleText(new TypeError("x"))).toBe("TypeError: x");
  });
});
