/**
 * The command line. This is the only module that reads argv, writes to the terminal on the
 * user's behalf, and decides exit codes: 0 success, 1 invalid configuration, 2 usage error or
 * a command that cannot run.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { formatDiagnostic } from "./config/diagnostic.js";
import { type LoadResult, loadConfigFile, loadConfigText } from "./config/load.js";
import { renderConfigSchema } from "./config/render-schema.js";
import { summarizeConfig } from "./config/summary.js";
import { explainModel } from "./llm/routing/explain-config.js";
import { serve as runServe } from "./process/serve.js";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (for `-f -`). */
  readStdin: () => Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
}

const STDIN_NAME = "<stdin>";

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: async () => readFileSync(0, "utf8"),
    env: process.env,
  };
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

async function load(file: string, io: CliIo): Promise<{ name: string; result: LoadResult }> {
  if (file === "-") {
    const text = await io.readStdin();
    return { name: STDIN_NAME, result: loadConfigText(text, { file: STDIN_NAME, env: io.env }) };
  }
  return { name: file, result: await loadConfigFile(file, io.env) };
}

/** `agw validate`: exit 0 with a one-line summary, or exit 1 with every located error. */
async function validate(file: string, io: CliIo): Promise<number> {
  const { name, result } = await load(file, io);
  for (const w of result.warnings) io.stderr(`${formatDiagnostic(w)} (warning)\n`);
  if (!result.ok) {
    for (const e of result.errors) io.stderr(`${formatDiagnostic(e)}\n`);
    const n = result.errors.length;
    io.stderr(`${name}: invalid (${n} error${n === 1 ? "" : "s"})\n`);
    return 1;
  }
  io.stdout(`${name}: valid: ${summarizeConfig(result.config)}\n`);
  return 0;
}

async function serve(file: string, watch: boolean, io: CliIo): Promise<number> {
  if (file === "-") {
    io.stderr("agw: serving needs a file path (-f PATH): standard input cannot be watched or reloaded\n");
    return 2;
  }
  return runServe({ file, watch, env: io.env, stderr: io.stderr });
}

/** `agw explain`: exit 0 with how MODEL resolves; 1 on an invalid file or a model nothing serves. */
async function explain(file: string, model: string, path: string | undefined, io: CliIo): Promise<number> {
  const { name, result } = await load(file, io);
  if (!result.ok) {
    for (const e of result.errors) io.stderr(`${formatDiagnostic(e)}\n`);
    io.stderr(`${name}: invalid (${result.errors.length} error${result.errors.length === 1 ? "" : "s"})\n`);
    return 1;
  }
  let explained: ReturnType<typeof explainModel>;
  try {
    explained = explainModel(result.config, io.env, model, path);
  } catch (e) {
    io.stderr(`${name}: ${(e as Error).message}\n`);
    return 1;
  }
  if (!explained.ok) {
    io.stderr(`agw explain: "${model}" resolves to nothing: ${explained.message}\n`);
    return 1;
  }
  io.stdout(explained.text);
  return 0;
}

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name("agw")
    .description("An LLM gateway declared in one YAML file.")
    .version(packageVersion(), "-v, --version", "print the version")
    .option(
      "-f, --file <path>",
      "the configuration file to serve (with --validate-only, - reads standard input)",
    )
    .option("--validate-only", "check the file and exit, as `agw validate` does")
    .option("--no-watch", "do not reload the file when it changes")
    // Root options only before a command name, so `agw validate -f X` gives -f to validate.
    .enablePositionalOptions()
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .action(async (opts: { file?: string; validateOnly?: boolean; watch: boolean }) => {
      if (opts.file === undefined) {
        io.stderr("agw: missing -f FILE (the configuration to serve); see `agw --help`\n");
        setCode(2);
        return;
      }
      setCode(opts.validateOnly ? await validate(opts.file, io) : await serve(opts.file, opts.watch, io));
    });

  program
    .command("validate")
    .description("check a configuration file and print every error with FILE:LINE:COL")
    .requiredOption("-f, --file <path>", "the configuration file (- reads standard input)")
    .action(async (opts: { file: string }) => setCode(await validate(opts.file, io)));

  program
    .command("explain")
    .description("print how MODEL resolves: layer, route or function, strategy, targets, credential sources")
    .requiredOption("-f, --file <path>", "the configuration file (- reads standard input)")
    .option("--path <path>", "a request path, to show its route type and format translation", undefined)
    .argument("<model>", "the model a request names, e.g. gpt-4o, openai::gpt-4o, function::summarize")
    .action(async (model: string, opts: { file: string; path?: string }) =>
      setCode(await explain(opts.file, model, opts.path, io)),
    );

  program
    .command("schema")
    .description("print the JSON Schema of the configuration file (draft-07)")
    .action(() => {
      io.stdout(renderConfigSchema());
      setCode(0);
    });

  for (const cmd of program.commands) {
    cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).exitOverride().showHelpAfterError();
  }
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors with 1.
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  }
}
