/**
 * The recent requests the admin page shows: a fixed-size ring of access-log entries (the
 * oldest is overwritten), with subscribers for the live stream. Memory is bounded by the
 * capacity whatever the traffic.
 *
 * An entry is kept as its JSON text in one preallocated buffer, not as the object: objects
 * held for the last 500 requests outlive two scavenges and are promoted, with every string
 * they reach. Under the bench's chat load (--trace-gc) old space grew by ~750 bytes per
 * request that way, against ~200 with the text here, so mark-compacts come about four times
 * less often. The buffer is outside the JavaScript heap: nothing a request leaves here is
 * scanned or copied by the garbage collector. list() (the admin page, rare) parses it back.
 * Entries are bounded in bytes too: every caller- or upstream-controlled string in them was
 * clipped (src/http/clip.ts), so the ring holds at most a few MiB whatever the traffic.
 */
import { type AccessLogEntry, accessLogJsonFields, memoJsonString } from "./access-log.js";

export interface RecentEntry extends AccessLogEntry {
  /** Unix ms when the response ended. */
  time: number;
  /** Increasing per buffer; lets a client ask for what it has not seen. */
  seq: number;
}

/** Where finished requests go for the admin page: the entry with its JSON fields (accessLogJsonFields). */
export interface RecentSink {
  add(entry: AccessLogEntry, fields: string): void;
}

export interface RecentRequests extends RecentSink {
  /** `fields` is the entry's accessLogJsonFields when the caller has them already. */
  add(entry: AccessLogEntry, fields?: string, time?: number): void;
  /** An entry known only by its JSON fields (one a cluster worker forwarded). */
  addFields(fields: string, time?: number): void;
  /** Oldest first; only entries with seq > `after` when given. */
  list(after?: number): RecentEntry[];
  /** Calls `fn` for each entry added from now on; returns the unsubscribe function. */
  subscribe(fn: (e: RecentEntry) => void): () => void;
  readonly capacity: number;
}

/** Bytes per entry in the buffer; an entry's JSON is ~600 bytes. A longer one is kept as a string. */
const SLOT_BYTES = 1024;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** The JSON object an entry's fields (",\"requestId\":…", accessLogJsonFields) make. */
function objectText(fields: string): string {
  return `{${fields.slice(1)}}`;
}

export function createRecentRequests(capacity = 500, now: () => number = Date.now): RecentRequests {
  const slots = Buffer.alloc(capacity * SLOT_BYTES);
  /** Bytes used in each slot; 0 for an empty slot or one whose entry is in `long`. */
  const lengths = new Uint16Array(capacity);
  /** Entries too long for a slot, as JSON text (rare: a long path or model name, clipped). */
  const long: Array<string | undefined> = new Array(capacity);
  const times = new Float64Array(capacity);
  const seqs = new Float64Array(capacity);
  const quote = memoJsonString();
  let next = 0;
  let seq = 0;
  const subscribers = new Set<(e: RecentEntry) => void>();

  const store = (at: number, fields: string): void => {
    // The fields start with a comma (",\"requestId\":…"): written after the slot's first byte,
    // whose brace then opens the object.
    const start = at * SLOT_BYTES;
    // Written first, measured only when it may not have fitted: the write stops before a
    // character (at most 4 bytes) that would not fit, so one that left more room than that
    // wrote everything. Measuring every entry first was a second pass over it.
    const n = fields.length < SLOT_BYTES ? slots.write(fields, start, SLOT_BYTES - 1, "utf8") : 0;
    if (n > 0 && (n < SLOT_BYTES - 1 - 4 || Buffer.byteLength(fields) === n)) {
      slots[start] = OPEN_BRACE;
      slots[start + n] = CLOSE_BRACE;
      lengths[at] = n + 1;
      long[at] = undefined;
    } else {
      lengths[at] = 0;
      long[at] = objectText(fields);
    }
  };

  const read = (at: number): AccessLogEntry | undefined => {
    const n = lengths[at]!;
    const text = n === 0 ? long[at] : slots.toString("utf8", at * SLOT_BYTES, at * SLOT_BYTES + n);
    return text === undefined ? undefined : (JSON.parse(text) as AccessLogEntry);
  };

  /** Stores the entry; returns its seq. */
  const append = (fields: string, time: number): number => {
    seq++;
    store(next, fields);
    times[next] = time;
    seqs[next] = seq;
    next = (next + 1) % capacity;
    return seq;
  };

  const tell = (entry: AccessLogEntry, time: number, at: number): void => {
    const e: RecentEntry = { ...entry, time, seq: at };
    for (const fn of subscribers) fn(e);
  };

  return {
    capacity,
    add(entry, fields = accessLogJsonFields(entry, quote), time = now()) {
      const at = append(fields, time);
      if (subscribers.size > 0) tell(entry, time, at);
    },
    addFields(fields, time = now()) {
      const at = append(fields, time);
      if (subscribers.size > 0) tell(JSON.parse(objectText(fields)) as AccessLogEntry, time, at);
    },
    list(after = 0) {
      const out: RecentEntry[] = [];
      for (let i = 0; i < capacity; i++) {
        const at = (next + i) % capacity;
        if (seqs[at]! <= after) continue;
        const e = read(at);
        if (e !== undefined) out.push({ ...e, time: times[at]!, seq: seqs[at]! });
      }
      return out;
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => void subscribers.delete(fn);
    },
  };
}
