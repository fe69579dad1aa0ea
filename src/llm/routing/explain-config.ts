/** `agw explain` over a loaded config: the llm form's router, or each binds route with ai backends. */

import type { Env } from "../../config/credential.js";
import type { Config, RouteTypeName } from "../../config/schema.js";
import { isGatewayError } from "../../errors.js";
import { compileRouteTypes, LLM_DEFAULT_ROUTES } from "../route-types.js";
import { compileBindsRouter } from "./binds-router.js";
import { compileLlmRouter } from "./compile-router.js";
import { explainResolution } from "./explain.js";
import { explainBindsOpaque, explainLlmOpaque } from "./explain-opaque.js";

export type ExplainResult = { ok: true; text: string } | { ok: false; message: string };

export function explainModel(config: Config, env: Env, model: string, path?: string): ExplainResult {
  // Explaining draws nothing: describe() lists every weighted target.
  const random = () => 0;
  const sections: string[] = [];
  const misses: string[] = [];
  const llm = config.llm;
  if (llm !== undefined) {
    const router = compileLlmRouter(llm, { env, random });
    const map: Record<string, RouteTypeName> = { ...LLM_DEFAULT_ROUTES, ...llm.policies?.ai?.routes };
    try {
      const res = router.describe(model);
      sections.push(
        explainResolution(res, {
          ...(path === undefined ? {} : { path }),
          routeTypes: compileRouteTypes(map),
          opaque: explainLlmOpaque(llm, env),
        }),
      );
    } catch (e) {
      if (!isGatewayError(e)) throw e;
      misses.push(`llm: ${e.message}`);
    }
  }
  (config.binds ?? []).forEach((bind, b) => {
    bind.listeners.forEach((listener, l) => {
      listener.routes.forEach((route, r) => {
        const field = `binds[${b}].listeners[${l}].routes[${r}]`;
        const name = route.name ?? `route${r}`;
        const router = compileBindsRouter(route, name, field, env, random);
        if (router === undefined) return;
        const routeTypes = compileRouteTypes(route.policies?.ai?.routes ?? LLM_DEFAULT_ROUTES);
        const text = explainResolution(router.describe(model), {
          ...(path === undefined ? {} : { path }),
          routeTypes,
          opaque: explainBindsOpaque(route.policies, field),
        });
        sections.push(`${field} (route "${name}", port ${bind.port}):\n${text}`);
      });
    });
  });
  if (sections.length === 0) {
    return {
      ok: false,
      message: misses.length > 0 ? misses.join("\n") : `nothing in this file serves "${model}"`,
    };
  }
  return { ok: true, text: sections.join("\n") };
}
