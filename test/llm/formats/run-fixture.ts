import { type ConverterOptions, converterFor } from "../../../src/llm/formats/index.js";
import type { IrFormat, IrToolOrigin, WireEvent } from "../../../src/llm/formats/ir.js";

export type FixtureKind = "request" | "response" | "stream" | "error";

/** A wire event as stored in fixtures: JSON data kept as an object so diffs stay readable. */
export interface FixtureEvent {
  event?: string;
  data: unknown;
}

export interface Fixture {
  name: string;
  kind: FixtureKind;
  /** The format the caller speaks. */
  client: IrFormat;
  /** The format the provider speaks. */
  upstream: IrFormat;
  options?: {
    now?: number;
    includeUsage?: boolean;
    defaultMaxTokens?: number;
    maxOutputTokens?: number;
    maxTokensField?: "max_tokens" | "max_completion_tokens";
    /** Responses client: tools its request renamed (flat name → how it named them). */
    toolOrigins?: Record<string, IrToolOrigin>;
  };
  input: unknown;
  expected: unknown;
  dropped?: string[];
  unsupported?: string[];
}

export interface FixtureResult {
  output: unknown;
  dropped: string[];
  unsupported: string[];
}

export function converterOptions(fx: Pick<Fixture, "options">): ConverterOptions {
  const o = fx.options ?? {};
  const out: ConverterOptions = {};
  if (o.now !== undefined) {
    const now = o.now;
    out.now = () => now;
  }
  if (o.includeUsage !== undefined) out.includeUsage = o.includeUsage;
  if (o.defaultMaxTokens !== undefined) out.defaultMaxTokens = o.defaultMaxTokens;
  if (o.maxOutputTokens !== undefined) out.maxOutputTokens = o.maxOutputTokens;
  if (o.maxTokensField !== undefined) out.maxTokensField = o.maxTokensField;
  if (o.toolOrigins !== undefined) out.toolOrigins = new Map(Object.entries(o.toolOrigins));
  return out;
}

export function toWire(e: FixtureEvent): WireEvent {
  const w: WireEvent = { data: typeof e.data === "string" ? e.data : JSON.stringify(e.data) };
  if (e.event !== undefined) w.event = e.event;
  return w;
}

export function fromWire(e: WireEvent): FixtureEvent {
  let data: unknown = e.data;
  try {
    data = JSON.parse(e.data) as unknown;
  } catch {
    // non-JSON data such as [DONE] stays a string
  }
  return e.event !== undefined ? { event: e.event, data } : { data };
}

/** Runs a stream conversion: upstream wire events → decoder → IR → encoder → client wire events. */
export function convertStream(
  fx: Pick<Fixture, "client" | "upstream" | "options">,
  events: WireEvent[],
): WireEvent[] {
  const dec = converterFor(fx.upstream).createDecoder();
  const enc = converterFor(fx.client).createEncoder(converterOptions(fx));
  const out: WireEvent[] = [];
  for (const e of events) for (const ir of dec.push(e)) out.push(...enc.push(ir));
  for (const ir of dec.finish()) out.push(...enc.push(ir));
  return out;
}

export function runFixture(fx: Fixture): FixtureResult {
  const client = converterFor(fx.client);
  const upstream = converterFor(fx.upstream);
  const opts = converterOptions(fx);
  switch (fx.kind) {
    case "request": {
      const a = client.requestToIR(fx.input);
      const b = upstream.requestFromIR(a.ir, opts);
      return {
        output: b.body,
        dropped: [...a.dropped, ...b.dropped],
        unsupported: [...a.unsupported, ...(b.unsupported ?? [])],
      };
    }
    case "response": {
      const a = upstream.responseToIR(fx.input);
      const b = client.responseFromIR(a.ir, opts);
      return { output: b.body, dropped: [...a.dropped, ...b.dropped], unsupported: [] };
    }
    case "stream": {
      const events = (fx.input as FixtureEvent[]).map(toWire);
      return { output: convertStream(fx, events).map(fromWire), dropped: [], unsupported: [] };
    }
    case "error": {
      const { status, body } = fx.input as { status: number; body: unknown };
      return { output: client.errorFromIR(upstream.errorToIR(status, body)), dropped: [], unsupported: [] };
    }
  }
}
