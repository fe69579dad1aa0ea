import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeSseEvent } from "../../../src/llm/sse.js";
import { expectSplitInvariant, parseChunks } from "../sse-split.js";
import {
  convertStream,
  type Fixture,
  type FixtureEvent,
  fromWire,
  runFixture,
  toWire,
} from "./run-fixture.js";

const dir = join(import.meta.dirname, "fixtures");
const fixtures: Fixture[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Fixture);

describe("golden fixtures", () => {
  it("covers every converter pair and kind", () => {
    const pairs = new Set(fixtures.map((f) => `${f.client}<-${f.upstream}:${f.kind}`));
    for (const [client, upstream] of [
      ["openai-chat", "anthropic-messages"],
      ["anthropic-messages", "openai-chat"],
      ["openai-responses", "openai-chat"],
      ["openai-responses", "anthropic-messages"],
    ])
      for (const kind of ["request", "response", "stream", "error"])
        expect(pairs.has(`${client}<-${upstream}:${kind}`), `${client}<-${upstream}:${kind}`).toBe(true);
  });

  for (const fx of fixtures) {
    it(fx.name, () => {
      const r = runFixture(fx);
      expect(r.output).toEqual(fx.expected);
      expect(r.dropped).toEqual(fx.dropped ?? []);
      expect(r.unsupported).toEqual(fx.unsupported ?? []);
    });
  }
});

function wireBytes(events: FixtureEvent[]): Uint8Array {
  return new TextEncoder().encode(events.map((e) => encodeSseEvent(toWire(e))).join(""));
}

describe("stream fixtures through the SSE parser", () => {
  for (const fx of fixtures.filter((f) => f.kind === "stream")) {
    it(`${fx.name}: every byte split of the upstream wire gives the same events and output`, () => {
      const input = fx.input as FixtureEvent[];
      const parsed = expectSplitInvariant(wireBytes(input));
      expect(parsed.map((e) => fromWire(e))).toEqual(input.map((e) => fromWire(toWire(e))));
      expect(convertStream(fx, parsed).map(fromWire)).toEqual(fx.expected);
    });

    it(`${fx.name}: the client wire re-parses to the encoder's events`, () => {
      const expected = fx.expected as FixtureEvent[];
      expect(parseChunks([wireBytes(expected)]).map(fromWire)).toEqual(expected);
    });
  }
});
