/** The process entry point (bin/agw.js and `npm run dev`): runs the CLI and sets the exit code. */
import { setFlagsFromString } from "node:v8";
import { main } from "./cli.js";
import { heapGrowthFlag } from "./process/heap-growth.js";

const heapFlag = heapGrowthFlag(process.execArgv);
if (heapFlag !== undefined) setFlagsFromString(heapFlag);

process.exitCode = await main(process.argv);
