/**
 * GET /v1/models answered from the config, in the OpenAI list shape. The binds form lists
 * its backends' fixed models; the llm form lists the Router's names when it offers
 * `models()` (routes, targets, functions), else the model table's exact names.
 */

import type { Candidate, Router } from "../../runtime/plan.js";
import { isGeminiModelPath } from "../route-types.js";
import type { PipelineContext } from "./context.js";
import { anthropicModelPage } from "./models-anthropic.js";
import { routerOf } from "./plan-source.js";

export interface ModelListEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

type RouterModels = ReadonlyArray<string | { readonly id: string; readonly ownedBy?: string }>;

interface Described {
  readonly members: ReadonlyArray<
    | { readonly kind: "candidate"; readonly candidate: Candidate }
    | { readonly kind: "model"; readonly resolution: Described }
  >;
}
type DescribingRouter = Router & { describe?: (model: string) => Described };

function firstProvider(d: Described): string | undefined {
  const m = d.members[0];
  if (m === undefined) return undefined;
  return m.kind === "candidate" ? m.candidate.providerName : firstProvider(m.resolution);
}

/** The provider that would answer a name first (without a weighted draw when the router can describe). */
function ownerOf(router: DescribingRouter, model: string): string {
  try {
    if (router.describe !== undefined) return firstProvider(router.describe(model)) ?? "agw";
    return router.plan(model).candidates[0]?.providerName ?? "agw";
  } catch {
    return "agw";
  }
}

export function listModels(ctx: PipelineContext, created: number): ModelListEntry[] {
  const seen = new Map<string, ModelListEntry>();
  const add = (id: string, owner: string): void => {
    if (id !== "" && !seen.has(id)) seen.set(id, { id, object: "model", created, owned_by: owner });
  };
  const router = routerOf(ctx.route) as { models?: () => RouterModels } | undefined;
  if (typeof router?.models === "function") {
    for (const m of router.models()) {
      if (typeof m === "string") add(m, ownerOf(router as DescribingRouter, m));
      else add(m.id, m.ownedBy ?? ownerOf(router as DescribingRouter, m.id));
    }
  } else if (ctx.route.llm !== undefined) {
    for (const e of ctx.route.llm.entries) if (e.kind === "exact") add(e.value, e.backend.name);
  } else {
    for (const b of ctx.route.backends) if (b.kind === "ai" && b.model !== undefined) add(b.model, b.name);
  }
  return [...seen.values()];
}

/** One of Gemini's Model resources, as models.list and models.get give them. */
function geminiModel(m: ModelListEntry): Record<string, unknown> {
  return {
    name: `models/${m.id}`,
    displayName: m.id,
    supportedGenerationMethods: ["generateContent", "countTokens"],
  };
}

/** Gemini's ListModelsResponse (GET /v1beta/models, as @google/genai's `models.list` asks), one page. */
function geminiModelList(data: ModelListEntry[]): { models: Array<Record<string, unknown>> } {
  return { models: data.map(geminiModel) };
}

/**
 * GET /v1beta/models/{model} (@google/genai's `models.get`): the model agw serves under that
 * name (a model the caller's key may not use is not served), else Gemini's 404.
 */
function geminiModelGet(data: ModelListEntry[], path: string): { status: number; body: unknown } {
  let id: string;
  try {
    id = decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
  } catch {
    id = "";
  }
  const m = data.find((e) => e.id === id);
  if (m !== undefined) return { status: 200, body: geminiModel(m) };
  return {
    status: 404,
    body: { error: { code: 404, message: `The model "${id}" is not served here.`, status: "NOT_FOUND" } },
  };
}

/**
 * `keep`: the gateway key's allowedModels, when the caller presented a key. An Anthropic client
 * (it sends `anthropic-version`) gets Anthropic's page shape, a Gemini client (`/v1beta/models`)
 * Gemini's list, others OpenAI's list.
 */
export function answerModels(ctx: PipelineContext, nowMs: number, keep?: (id: string) => boolean): void {
  const all = listModels(ctx, Math.floor(nowMs / 1000));
  const data = keep === undefined ? all : all.filter((m) => keep(m.id));
  const url = ctx.req.url ?? "";
  const q = url.indexOf("?");
  const rawPath = (q < 0 ? url : url.slice(0, q)).replace(/\/+$/, "");
  const path = rawPath.toLowerCase();
  let status = 200;
  let answer: unknown;
  if (path.endsWith("/v1beta/models")) answer = geminiModelList(data);
  else if (isGeminiModelPath(path)) ({ status, body: answer } = geminiModelGet(data, rawPath));
  else if (ctx.req.headers["anthropic-version"] === undefined) answer = { object: "list", data };
  else answer = anthropicModelPage(data, new URLSearchParams(q < 0 ? "" : url.slice(q + 1)));
  const body = JSON.stringify(answer);
  ctx.record.status = status;
  ctx.res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "x-agw-request-id": ctx.requestId,
  });
  ctx.res.end(body);
}
