/**
 * The parts of undici a serving gateway uses, required from undici's own files rather than
 * through its index: the index loads all of undici (fetch, WebSocket, the caches, the mock
 * agent; ~100 files, 4.4 MB of heap that stayed resident in every agw) where these need
 * ~1.5 MB. They are the very classes and functions the index exports (a test checks that, so
 * a new undici that moves them fails there, not in production): behaviour is undici's.
 * What the index adds besides (the top-level `request`, and `Dispatcher.prototype.request`
 * and its siblings, which agw does not call: it dispatches) comes with the first request agw
 * makes of its own (a prompt-guard webhook, the trace exporter), which imports undici whole.
 */
import { createRequire } from "node:module";
import type * as Undici from "undici";

const require = createRequire(import.meta.url);

export const Pool = require("undici/lib/dispatcher/pool.js") as typeof Undici.Pool;
export const Agent = require("undici/lib/dispatcher/agent.js") as typeof Undici.Agent;
export const buildConnector = require("undici/lib/core/connect.js") as typeof Undici.buildConnector;
const core = require("undici/lib/core/util.js") as typeof Undici.util;
export const util: typeof Undici.util = {
  parseHeaders: core.parseHeaders,
  headerNameToString: core.headerNameToString,
};
