/**
 * Azure OpenAI in front of the scriptable mock upstream: every request is first checked as the
 * service checks it, written from Azure's REST reference, independently of src/.
 * - auth: `api-key: <key>` (one of `keys`) or `Authorization: Bearer <token>` (one of `tokens`),
 *   else 401 in Azure's envelope `{"error":{"code":"401","message":...}}`;
 * - v1: POST /openai/v1/{chat/completions|responses|embeddings}, the deployment in the body's
 *   `model`, no api-version needed;
 * - dated: POST /openai/deployments/{deployment}/{chat/completions|embeddings}?api-version=...;
 *   without api-version, 404 "Resource not found"; an unknown deployment, 404 DeploymentNotFound;
 * - any other path, 404 "Resource not found".
 * A request that passes gets the script (or the mock's default answer for the path's format).
 */
import type { RecordedRequest, Script, ScriptHandle } from "./mock-upstream.js";
import { type MockUpstream, startMockUpstream } from "./mock-upstream.js";

export interface AzureMockOptions {
  keys?: string[];
  tokens?: string[];
  /** Deployments that exist (dated versions check the path's; v1 checks the body's model). */
  deployments: string[];
}

export interface AzureMock {
  upstream: MockUpstream;
  url: string;
  /** The next request gets `s` once it passes Azure's checks. */
  script(s: Script): ScriptHandle;
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

const UNAUTHORIZED =
  "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.";

function azureError(status: number, code: string, message: string): Script {
  return { status, json: { error: { code, message } } };
}

const notFound = (): Script => azureError(404, "404", "Resource not found");

/** Azure's verdict on a request, or undefined when it may be answered. */
export function azureCheck(req: RecordedRequest, o: AzureMockOptions): Script | undefined {
  const key = req.headers["api-key"];
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  const authed =
    (key !== undefined && (o.keys ?? []).includes(key)) ||
    (bearer !== undefined && (o.tokens ?? []).includes(bearer));
  if (!authed) return azureError(401, "401", UNAUTHORIZED);
  if (req.method !== "POST") return notFound();
  const url = new URL(req.path, "http://azure.invalid");
  const v1 = /^\/openai\/v1\/(chat\/completions|responses|embeddings)$/.exec(url.pathname);
  if (v1 !== null) {
    const model = (req.json as { model?: unknown } | undefined)?.model;
    if (typeof model !== "string" || !o.deployments.includes(model))
      return azureError(404, "DeploymentNotFound", "The API deployment for this resource does not exist.");
    return undefined;
  }
  const dated = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname);
  if (dated === null || !url.searchParams.has("api-version")) return notFound();
  if (!o.deployments.includes(decodeURIComponent(dated[1] ?? "")))
    return azureError(404, "DeploymentNotFound", "The API deployment for this resource does not exist.");
  return undefined;
}

export async function startAzureMock(o: AzureMockOptions): Promise<AzureMock> {
  const upstream = await startMockUpstream();
  upstream.always((req) => azureCheck(req, o) ?? {});
  return {
    upstream,
    url: upstream.url,
    script: (s) => upstream.script((req) => azureCheck(req, o) ?? s),
    nextRequest: () => upstream.nextRequest(),
    close: () => upstream.close(),
  };
}
