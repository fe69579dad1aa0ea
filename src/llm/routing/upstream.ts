/** Base URLs become the engine's UpstreamTarget (same URL joining and pooling as the proxy). */
import { upstreamTarget } from "../../http/upstream-target.js";
import type { UpstreamTarget } from "../../runtime/upstream.js";

/** Undefined for providers without a remote endpoint (mock without a baseUrl). */
export function compileUpstream(
  baseUrl: string | undefined,
  hostOverride?: string,
): UpstreamTarget | undefined {
  return baseUrl === undefined ? undefined : upstreamTarget(baseUrl, hostOverride);
}
