/**
 * Azure OpenAI settings the schema cannot check: where the resource is (azure.resourceName or
 * baseUrl, not both), a baseUrl that is the resource endpoint (agw adds /openai/... itself), an
 * azure: block only on an azure provider, and no key beside `auth: entra`.
 */
import { bindRoutes, type CheckContext } from "./check-context.js";
import type { PathSegment } from "./locate.js";
import { providerKind, targetProvider } from "./provider-kind.js";
import type { AzureSettingsConfig, Config } from "./schema.js";

export function checkAzure(config: Config, ctx: CheckContext): void {
  const llm = config.llm;
  (llm?.providers ?? []).forEach((p, i) => {
    const at: PathSegment[] = ["llm", "providers", i];
    const isAzure = providerKind(p) === "azure";
    if (!isAzure) {
      if (p.azure !== undefined)
        ctx.errors.report(
          [...at, "azure"],
          "key",
          `azure: applies only to provider: azure; "${p.name}" is not one`,
        );
      return;
    }
    checkPlace(p.name, p.azure, p.baseUrl, at, ctx);
    if (p.azure?.auth !== "entra") return;
    if (p.credential !== undefined)
      ctx.errors.report(
        [...at, "credential"],
        "key",
        `provider "${p.name}" signs in with Microsoft Entra ID (azure.auth: entra) and sends no key: remove credential, or set azure.auth: key`,
      );
    (llm?.targets ?? []).forEach((t, j) => {
      if (t.credential === undefined || llm === undefined) return;
      const found = targetProvider(llm, t);
      if (found.kind === "found" && found.index === i)
        ctx.errors.report(
          ["llm", "targets", j, "credential"],
          "key",
          `target "${t.name}" uses provider "${p.name}", which signs in with Microsoft Entra ID (azure.auth: entra): remove credential, or set azure.auth: key on the provider`,
        );
    });
  });
  for (const { route, path } of bindRoutes(config)) {
    route.backends.forEach((backend, k) => {
      const azure = backend.ai?.provider.azure;
      if (azure === undefined || backend.ai === undefined) return;
      checkPlace(backend.ai.name, azure, backend.ai.baseUrl, [...path, "backends", k, "ai"], ctx);
    });
  }
}

function checkPlace(
  name: string,
  azure: AzureSettingsConfig | undefined,
  baseUrl: string | undefined,
  at: PathSegment[],
  ctx: CheckContext,
): void {
  if (azure?.resourceName === undefined && baseUrl === undefined) {
    ctx.errors.report(
      at,
      "key",
      `Azure OpenAI provider "${name}" needs its resource: add azure: { resourceName: <name> } (for https://<name>.openai.azure.com), or baseUrl`,
    );
    return;
  }
  if (azure?.resourceName !== undefined && baseUrl !== undefined) {
    ctx.errors.report(
      [...at, "baseUrl"],
      "key",
      `Azure OpenAI provider "${name}" has both azure.resourceName and baseUrl: keep one (baseUrl replaces https://<resourceName>.openai.azure.com)`,
    );
    return;
  }
  if (baseUrl === undefined) return;
  let path: string;
  try {
    path = new URL(baseUrl).pathname.replace(/\/+$/, "");
  } catch {
    return; // the schema's uri format reports it
  }
  const m = /\/openai(\/.*)?$/.exec(path);
  if (m !== null)
    ctx.errors.report(
      [...at, "baseUrl"],
      "value",
      `baseUrl for Azure OpenAI is the resource endpoint (e.g. https://contoso.openai.azure.com); agw adds /openai/v1/... or /openai/deployments/... itself: remove "${m[0]}"`,
    );
}
