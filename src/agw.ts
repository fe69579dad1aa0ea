/** The process entry point (bin/agw.js and `npm run dev`): runs the CLI and sets the exit code. */
import { setFlagsFromString } from "node:v8";
import { heapGrowthFlag } from "./process/heap-growth.js";
import { holdYoungGeneration } from "./process/young-generation.js";

const heapFlag = heapGrowthFlag(process.execArgv);
if (heapFlag !== undefined) setFlagsFromString(heapFlag);
// Released by serve once the gateway listens (young-generation.ts).
holdYoungGeneration(process.execArgv);

// Imported after the flags are set: loading the CLI's modules is most of what startup allocates.
const { main } = await import("./cli.js");
process.exitCode = await main(process.argv);
