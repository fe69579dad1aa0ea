/**
 * Counters and histograms for the per-request hot path. A family hands out one series object
 * per label combination, which the caller keeps: counting is then an addition on that object,
 * with no label hashing or validation per call (prom-client's own counters and histograms
 * do both on every call, ~8 µs of a request's CPU in the bench's profile). The families are
 * registered in the gateway's prom-client Registry and answer its `get()` in prom-client's
 * shape, so the exposition text and the cluster aggregation are prom-client's.
 */
import type { Metric, Registry } from "prom-client";

/** One exposed sample, as prom-client's registry reads it from a metric's get(). */
export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What get() answers: prom-client's metric object (its typings call `type` an enum; it is the string). */
export interface FamilySnapshot {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  values: Sample[];
}

type Labels = Readonly<Record<string, string>>;

export interface CounterSeries {
  inc(by?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

class CounterCell implements CounterSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(by = 1): void {
    this.value += by;
  }
}

class HistogramCell implements HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** The key of a label combination: values in label-name order. */
function keyOf(names: readonly string[], labels: Labels): string {
  let k = "";
  for (const n of names) k += `${labels[n] ?? ""}\u0001`;
  return k;
}

function checkNames(names: readonly string[], labels: Labels, metric: string): void {
  for (const k of Object.keys(labels)) {
    if (!names.includes(k)) throw new Error(`${metric}: unknown label "${k}"`);
  }
}

abstract class Family<Cell> {
  readonly aggregator = "sum";
  protected readonly cells = new Map<string, Cell>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}
  protected cell(labels: Labels, make: () => Cell): Cell {
    const key = keyOf(this.labelNames, labels);
    let c = this.cells.get(key);
    if (c === undefined) {
      checkNames(this.labelNames, labels, this.name);
      c = make();
      this.cells.set(key, c);
    }
    return c;
  }
  reset(): void {
    this.cells.clear();
  }
  /** Adds itself to a prom-client registry (which reads it through get()). */
  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }
}

export class CounterFamily extends Family<CounterCell> {
  readonly type = "counter";
  series(labels: Labels): CounterSeries {
    return this.cell(labels, () => new CounterCell({ ...labels }));
  }
  async get(): Promise<FamilySnapshot> {
    const values: Sample[] = [];
    for (const c of this.cells.values()) values.push({ labels: { ...c.labels }, value: c.value });
    return { name: this.name, help: this.help, type: "counter", aggregator: "sum", values };
  }
}

export class HistogramFamily extends Family<HistogramCell> {
  readonly type = "histogram";
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
  }
  series(labels: Labels): HistogramSeries {
    return this.cell(labels, () => new HistogramCell({ ...labels }, this.bounds));
  }
  async get(): Promise<FamilySnapshot> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.cells.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += c.counts[i]!;
        values.push({ labels: { ...c.labels, le: this.bounds[i]! }, value: acc, metricName: bucket });
      }
      values.push({ labels: { ...c.labels, le: "+Inf" }, value: c.count, metricName: bucket });
      values.push({ labels: { ...c.labels }, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...c.labels }, value: c.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: "histogram", aggregator: "sum", values };
  }
}
