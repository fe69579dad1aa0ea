/**
 * Azure OpenAI. Two URL shapes, chosen by `azure.apiVersion`:
 * - `v1` (the default): `{endpoint}/openai/v1/chat/completions` (and /responses, /embeddings),
 *   the deployment name as `model` in the body, no api-version;
 * - a dated version (`2024-10-21`): `{endpoint}/openai/deployments/{model}/chat/completions
 *   ?api-version=…` (and /embeddings), the deployment in the path; Responses clients go through Chat.
 * The endpoint is `https://{resourceName}.openai.azure.com` or the provider's `baseUrl`; opaque
 * paths (/v1/files, /v1/batches) go to `{endpoint}/openai/v1/...` with either version. Keys go in
 * `api-key`; with `auth: entra` a Microsoft Entra ID token goes in `Authorization: Bearer`.
 */
import type { AzureSettingsConfig, ProviderSettings } from "../../../config/schema.js";
import { authorizerPerSettings } from "../per-settings.js";
import type { ProviderSpec, UpstreamApi } from "../spec.js";
import { entraAuthorizer } from "./entra-token.js";

export const AZURE_DEFAULT_API_VERSION = "v1";
/** What the official Azure OpenAI SDKs read the key from. */
export const AZURE_KEY_ENV = "AZURE_OPENAI_API_KEY";

const DEPLOYMENT_API: Readonly<Record<UpstreamApi, string>> = Object.freeze({
  "openai-chat": "chat/completions",
  "openai-responses": "chat/completions",
  embeddings: "embeddings",
  "anthropic-messages": "chat/completions",
  // Azure speaks Chat: a Gemini-format client is translated to it.
  gemini: "chat/completions",
  "bedrock-converse": "chat/completions",
});

/** One token cache per provider settings block. */
const authorizerFor = authorizerPerSettings<AzureSettingsConfig>(() => entraAuthorizer());

/** The resource's endpoint, from its name. */
export function azureEndpoint(resourceName: string): string {
  return `https://${resourceName}.openai.azure.com`;
}

/** An Azure key is hex or base62; a JWT (a caller's own Entra token) has two dots and goes as Bearer. */
function isJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}

function specFor(settings: AzureSettingsConfig | undefined): ProviderSpec {
  const version = settings?.apiVersion ?? AZURE_DEFAULT_API_VERSION;
  const v1 = version === "v1";
  const query = `?api-version=${encodeURIComponent(version)}`;
  return Object.freeze({
    kind: "azure",
    title: "Azure OpenAI",
    system: "azure.ai.openai",
    defaultBaseUrl: settings?.resourceName === undefined ? undefined : azureEndpoint(settings.resourceName),
    credentialHeaders: Object.freeze(["authorization", "x-api-key", "api-key"]),
    usesKey: true,
    callerKeyHint: '"Authorization: Bearer <Azure key or Entra ID token>" (or "api-key: <key>")',
    appendKey(out: string[], key: string): void {
      if (isJwt(key)) out.push("authorization", `Bearer ${key}`);
      else out.push("api-key", key);
    },
    requiredHeaders: Object.freeze([]),
    native: "openai-chat",
    responsesApi: v1,
    tokenCount: "estimate",
    embeddings: true,
    // Under {endpoint}/openai/v1 the default /v1/<api> paths join as /openai/v1/<api> (opaque
    // paths such as /v1/files too); a dated version's deployment paths sit under {endpoint}/openai.
    basePath: v1 ? "/openai/v1" : "/openai",
    ...(v1
      ? {}
      : {
          requestPath: (api: UpstreamApi, model: string): string =>
            `/deployments/${encodeURIComponent(model)}/${DEPLOYMENT_API[api]}${query}`,
        }),
    conventionEnv: Object.freeze([AZURE_KEY_ENV]),
    tokenAuthHint: "Microsoft Entra ID: azure: { auth: entra } on the provider",
    ...(settings?.auth === "entra" ? { authorizer: authorizerFor(settings) } : {}),
    configure: (s: ProviderSettings): ProviderSpec => specFor(s.azure),
  });
}

/** The kind's spec with default settings (v1, keys); `configure` applies a provider's `azure:` block. */
export const azure: ProviderSpec = specFor(undefined);
