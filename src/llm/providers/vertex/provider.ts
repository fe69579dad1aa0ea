/**
 * Google Vertex AI: one project and location (`vertex: { project, region }`), two publishers.
 * Gemini models speak Gemini's generateContent format at
 * `{host}/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:generateContent`
 * (`:streamGenerateContent?alt=sse` when streamed); models named `claude-*` speak Anthropic
 * Messages at `.../publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict`), the
 * body without `model` and with `anthropic_version: "vertex-2023-10-16"`. The host is
 * `{region}-aiplatform.googleapis.com`, or `aiplatform.googleapis.com` for `global`. Requests
 * carry an access token from Application Default Credentials (adc-token.ts), or the provider's
 * credential as a static access token.
 */
import type { ProviderSettings, VertexSettingsConfig } from "../../../config/schema.js";
import type { IrFormat } from "../../formats/ir.js";
import { authorizerPerSettings } from "../per-settings.js";
import type { ProviderSpec, UpstreamApi } from "../spec.js";
import { adcAuthorizer } from "./adc-token.js";

export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

/** The Vertex AI endpoint of a location. */
export function vertexEndpoint(region: string): string {
  return region === "global"
    ? "https://aiplatform.googleapis.com"
    : `https://${region}-aiplatform.googleapis.com`;
}

/** Claude models are Anthropic's publisher models; everything else is Google's (Gemini). */
export function vertexFormatFor(model: string): IrFormat {
  return model.startsWith("claude-") ? "anthropic-messages" : "gemini";
}

/** rawPredict takes a Messages body without `model` (it is in the URL) and with Vertex's anthropic_version. */
function editBody(api: IrFormat, body: Record<string, unknown>): Record<string, unknown> {
  if (api !== "anthropic-messages") return body;
  const { model: _model, ...rest } = body;
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
}

/** One token cache per provider settings block. */
const authorizerFor = authorizerPerSettings<VertexSettingsConfig>(() => adcAuthorizer());

function specFor(settings: VertexSettingsConfig | undefined): ProviderSpec {
  const project = encodeURIComponent(settings?.project ?? "{project}");
  const region = encodeURIComponent(settings?.region ?? "{region}");
  const prefix = `/v1/projects/${project}/locations/${region}/publishers`;
  return Object.freeze({
    kind: "vertex",
    title: "Google Vertex AI",
    system: "gcp.vertex_ai",
    defaultBaseUrl: settings?.region === undefined ? undefined : vertexEndpoint(settings.region),
    credentialHeaders: Object.freeze(["authorization", "x-api-key", "x-goog-api-key"]),
    usesKey: true,
    callerKeyHint: '"Authorization: Bearer <Google Cloud access token>"',
    appendKey(out: string[], key: string): void {
      out.push("authorization", `Bearer ${key}`);
    },
    requiredHeaders: Object.freeze([]),
    native: "gemini",
    nativeFor: vertexFormatFor,
    editBody,
    responsesApi: false,
    tokenCount: "estimate",
    embeddings: false,
    requestPath(api: UpstreamApi, model: string, stream: boolean): string {
      // Vertex model versions are named with "@" (claude-sonnet-4-5@20250929), kept as is in the path.
      const m = encodeURIComponent(model).replace(/%40/g, "@");
      if (api === "anthropic-messages")
        return `${prefix}/anthropic/models/${m}:${stream ? "streamRawPredict" : "rawPredict"}`;
      return `${prefix}/google/models/${m}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`;
    },
    tokenAuthHint:
      "Application Default Credentials (set GOOGLE_APPLICATION_CREDENTIALS or run on Google Cloud)",
    ...(settings === undefined ? {} : { authorizer: authorizerFor(settings) }),
    configure: (s: ProviderSettings): ProviderSpec => specFor(s.vertex),
  });
}

/** The kind's spec without settings; `configure` applies a provider's `vertex:` block. */
export const vertex: ProviderSpec = specFor(undefined);
