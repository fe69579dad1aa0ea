/** The process entry point (bin/agw.js and `npm run dev`): runs the CLI and sets the exit code. */
import { main } from "./cli.js";

process.exitCode = await main(process.argv);
