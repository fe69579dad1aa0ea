/**
 * The hot-path families must expose exactly what prom-client's own Counter and Histogram
 * would for the same observations: same text, same JSON for the cluster aggregator.
 */
import { AggregatorRegistry, Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { CounterFamily, HistogramFamily } from "../../src/observability/series.js";

const BOUNDS = [0.01, 0.1, 1, 10];
const OBS: Array<[Record<string, string>, number]> = [
  [{ route: "a", model: "m1" }, 0.005],
  [{ route: "a", model: "m1" }, 0.1],
  [{ route: "b", model: 'q"uote\\' }, 3],
  [{ route: "a", model: "m1" }, 50],
  [{ route: "b", model: 'q"uote\\' }, 0.01],
];

function ours(): Registry {
  const reg = new Registry();
  const c = new CounterFamily("t_total", "Counted.", ["route", "model"]).register(reg);
  const h = new HistogramFamily("t_seconds", "Timed.", ["route", "model"], BOUNDS).register(reg);
  for (const [labels, v] of OBS) {
    c.series(labels).inc();
    h.series(labels).observe(v);
  }
  c.series({ route: "a", model: "m1" }).inc(2);
  return reg;
}

function theirs(): Registry {
  const reg = new Registry();
  const c = new Counter({
    name: "t_total",
    help: "Counted.",
    labelNames: ["route", "model"],
    registers: [reg],
  });
  const h = new Histogram({
    name: "t_seconds",
    help: "Timed.",
    labelNames: ["route", "model"],
    buckets: BOUNDS,
    registers: [reg],
  });
  for (const [labels, v] of OBS) {
    c.inc(labels);
    h.observe(labels, v);
  }
  c.inc({ route: "a", model: "m1" }, 2);
  return reg;
}

/** Sample lines as a set: label order inside braces may differ, the samples may not. */
function samples(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) =>
      l.replace(
        /\{([^}]*)\}/,
        (_m, inner: string) =>
          `{${inner
            .split(/,(?=\w+=)/)
            .sort()
            .join(",")}}`,
      ),
    )
    .sort();
}

describe("hot-path metric families", () => {
  it("expose the same samples as prom-client's Counter and Histogram", async () => {
    expect(samples(await ours().metrics())).toEqual(samples(await theirs().metrics()));
  });

  it("aggregate across cluster workers like prom-client's", async () => {
    const a = await AggregatorRegistry.aggregate([
      await ours().getMetricsAsJSON(),
      await ours().getMetricsAsJSON(),
    ]).metrics();
    const b = await AggregatorRegistry.aggregate([
      await theirs().getMetricsAsJSON(),
      await theirs().getMetricsAsJSON(),
    ]).metrics();
    expect(samples(a)).toEqual(samples(b));
    expect(a).toContain('t_total{route="a",model="m1"} 10');
  });

  it("refuses a label the family does not declare", () => {
    const f = new CounterFamily("x_total", "x", ["route"]);
    expect(() => f.series({ rout: "a" })).toThrow(/unknown label "rout"/);
  });
});
