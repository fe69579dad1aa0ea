/**
 * AWS Bedrock Runtime in one region (`bedrock: { region, api, guardrail }`). Two APIs:
 * - Converse (`/model/{modelId}/converse`, `/converse-stream`): every client, every model,
 *   through the IR (formats/bedrock-converse);
 * - InvokeModel (`/model/{modelId}/invoke`, `/invoke-with-response-stream`): Claude models in
 *   Anthropic's own Messages body, without `model` (it is in the URL) and `stream` (the path
 *   says it), with `anthropic_version: "bedrock-2023-05-31"`; a caller's `anthropic-beta`
 *   header goes into the body's `anthropic_beta`, where Bedrock reads it.
 * `api: auto` (the default) sends Anthropic Messages clients asking for a Claude model through
 * InvokeModel, so every Anthropic feature passes unchanged, and everything else through
 * Converse; with a guardrail, Converse for all, whose intervention each client format can say.
 * Streams answer in AWS's binary event-stream framing (aws-event-stream.ts). Model ids are
 * used as Bedrock writes them (inference profiles, ARNs), percent-encoded in the path.
 * Requests are signed with SigV4 from the AWS default chain (sigv4.ts), or carry the provider's
 * credential as a Bedrock API key (`Authorization: Bearer`).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { BedrockSettingsConfig, ProviderSettings } from "../../../config/schema.js";
import { converseErrorStatus } from "../../formats/bedrock-converse/error.js";
import type { IrFormat } from "../../formats/ir.js";
import { authorizerPerSettings } from "../per-settings.js";
import type { ProviderSpec, UpstreamApi } from "../spec.js";
import { sigv4Authorizer } from "./sigv4.js";

export const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";

/** The Bedrock Runtime endpoint of a region. */
export function bedrockEndpoint(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}

/**
 * Whether a model id names an Anthropic Claude model: a foundation model
 * (`anthropic.claude-…`), a cross-region inference profile (`us.anthropic.claude-…`) or an ARN
 * of either. An application inference profile's ARN does not say, and goes through Converse.
 */
export function isBedrockClaude(model: string): boolean {
  return /(^|[./])anthropic\.claude/.test(model);
}

/** The wire format a request is spoken in, by the settings, the client's format and the model. */
function formatFor(
  settings: BedrockSettingsConfig | undefined,
): (model: string, client: IrFormat) => IrFormat {
  const api = settings?.api ?? "auto";
  const guarded = settings?.guardrail !== undefined;
  return (model, client) => {
    if (api === "converse" || !isBedrockClaude(model)) return "bedrock-converse";
    if (api === "invoke") return "anthropic-messages";
    return client === "anthropic-messages" && !guarded ? "anthropic-messages" : "bedrock-converse";
  };
}

/** The caller's anthropic-beta header values, as InvokeModel takes them in the body. */
function betasOf(headers: IncomingHttpHeaders | undefined): string[] {
  const h = headers?.["anthropic-beta"];
  const all = Array.isArray(h) ? h.join(",") : (h ?? "");
  return all
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function editBodyFor(settings: BedrockSettingsConfig | undefined) {
  const guardrail = settings?.guardrail;
  const guardrailConfig =
    guardrail === undefined
      ? undefined
      : {
          guardrailIdentifier: guardrail.identifier,
          guardrailVersion: guardrail.version,
          ...(guardrail.trace === true ? { trace: "enabled" } : {}),
        };
  return (
    api: IrFormat,
    body: Record<string, unknown>,
    headers?: IncomingHttpHeaders,
  ): Record<string, unknown> => {
    if (api === "anthropic-messages") {
      const { model: _model, stream: _stream, ...rest } = body;
      const betas = betasOf(headers);
      const existing = Array.isArray(rest.anthropic_beta) ? (rest.anthropic_beta as unknown[]) : [];
      return {
        anthropic_version: BEDROCK_ANTHROPIC_VERSION,
        ...rest,
        ...(betas.length > 0 ? { anthropic_beta: [...new Set([...existing, ...betas])] } : {}),
      };
    }
    if (api === "bedrock-converse" && guardrailConfig !== undefined) return { ...body, guardrailConfig };
    return body;
  };
}

function headersFor(
  settings: BedrockSettingsConfig | undefined,
): ((api: IrFormat) => readonly string[]) | undefined {
  const g = settings?.guardrail;
  if (g === undefined) return undefined;
  const invoke = Object.freeze([
    "x-amzn-bedrock-guardrailidentifier",
    g.identifier,
    "x-amzn-bedrock-guardrailversion",
    g.version,
    ...(g.trace === true ? ["x-amzn-bedrock-trace", "ENABLED"] : []),
  ]);
  return (api) => (api === "anthropic-messages" ? invoke : []);
}

/** One signer per provider settings block; asked for only when the block has its region. */
const signerFor = authorizerPerSettings<BedrockSettingsConfig>((s) => sigv4Authorizer(s.region ?? ""));

function specFor(settings: BedrockSettingsConfig | undefined): ProviderSpec {
  // The loader refuses a bedrock provider without a region: none here means no spec of a provider.
  const authorizer = settings?.region === undefined ? undefined : signerFor(settings);
  const extraHeaders = headersFor(settings);
  return Object.freeze({
    kind: "bedrock",
    title: "AWS Bedrock",
    system: "aws.bedrock",
    defaultBaseUrl: settings?.region === undefined ? undefined : bedrockEndpoint(settings.region),
    credentialHeaders: Object.freeze(["authorization", "x-api-key"]),
    usesKey: true,
    callerKeyHint: '"Authorization: Bearer <Bedrock API key>"',
    appendKey(out: string[], key: string): void {
      out.push("authorization", `Bearer ${key}`);
    },
    requiredHeaders: Object.freeze([]),
    native: "bedrock-converse",
    nativeFor: formatFor(settings),
    editBody: editBodyFor(settings),
    ...(extraHeaders === undefined ? {} : { headersFor: extraHeaders }),
    errorFormat: "bedrock-converse",
    errorStatus: converseErrorStatus,
    awsEventStreams: true,
    responsesApi: false,
    tokenCount: "estimate",
    embeddings: false,
    requestPath(api: UpstreamApi, model: string, stream: boolean): string {
      const m = encodeURIComponent(model);
      if (api === "anthropic-messages")
        return `/model/${m}/${stream ? "invoke-with-response-stream" : "invoke"}`;
      return `/model/${m}/${stream ? "converse-stream" : "converse"}`;
    },
    tokenAuthHint:
      "the AWS default credential chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, a web identity or a role)",
    ...(authorizer === undefined ? {} : { authorizer }),
    configure: (s: ProviderSettings): ProviderSpec => specFor(s.bedrock),
  });
}

/** The kind's spec without settings; `configure` applies a provider's `bedrock:` block. */
export const bedrock: ProviderSpec = specFor(undefined);
