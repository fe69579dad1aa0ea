/**
 * Editor support, proven with a real language server: yaml-language-server (the server behind
 * the VS Code YAML extension and most editors' YAML support) is started over stdio, reads the
 * modeline of an example, and must flag unknown keys and offer the route types.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node.js";
import type {
  CompletionItem,
  CompletionList,
  Diagnostic,
  PublishDiagnosticsParams,
} from "vscode-languageserver-protocol";

const require = createRequire(import.meta.url);
const serverBin = require.resolve("yaml-language-server/bin/yaml-language-server");
const examplesDir = fileURLToPath(new URL("../../examples/", import.meta.url));

let server: ChildProcess;
let conn: MessageConnection;
const diagnostics = new Map<string, (d: Diagnostic[]) => void>();
let version = 0;

function open(name: string, text: string): Promise<Diagnostic[]> {
  // A document beside the real examples, so the relative modeline resolves to our schema.
  const uri = pathToFileURL(`${examplesDir}${name}`).href;
  const published = new Promise<Diagnostic[]>((resolve) => diagnostics.set(uri, resolve));
  version += 1;
  void conn.sendNotification("textDocument/didOpen", {
    textDocument: { uri, languageId: "yaml", version, text },
  });
  return published;
}

beforeAll(async () => {
  server = spawn(process.execPath, [serverBin, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  conn = createMessageConnection(
    new StreamMessageReader(server.stdout!),
    new StreamMessageWriter(server.stdin!),
  );
  conn.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
    // The server first publishes an empty list while the schema loads; wait for a real result.
    const resolve = diagnostics.get(p.uri);
    if (resolve !== undefined && p.diagnostics.length > 0) {
      diagnostics.delete(p.uri);
      resolve(p.diagnostics);
    }
  });
  const settings = {
    yaml: { validate: true, completion: true, hover: true, schemaStore: { enable: false } },
  };
  conn.onRequest("workspace/configuration", (p: { items: { section?: string }[] }) =>
    p.items.map((i) => (i.section === "yaml" ? settings.yaml : i.section === undefined ? settings : null)),
  );
  conn.listen();
  await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(examplesDir).href,
    capabilities: {
      workspace: { configuration: true },
      textDocument: { completion: { completionItem: { snippetSupport: false } } },
    },
  });
  await conn.sendNotification("initialized", {});
  await conn.sendNotification("workspace/didChangeConfiguration", { settings });
});

afterAll(async () => {
  conn?.dispose();
  server?.kill();
});

describe("yaml-language-server with the schema modeline", () => {
  it("flags an unknown key in an example", async () => {
    const text = readFileSync(`${examplesDir}quickstart.yaml`, "utf8").replace(
      "  port: 4000",
      "  prot: 4000",
    );
    const found = await open("lsp-unknown-key.yaml", text);
    const line = text.split("\n").findIndex((l) => l.includes("prot: 4000"));
    const hit = found.find((d) => d.range.start.line === line);
    expect(hit?.message).toMatch(/prot/);
  });

  it("offers the route types at an ai.routes value", async () => {
    const text = readFileSync(`${examplesDir}agentgateway-binds.yaml`, "utf8").replace(
      '"*": "passthrough"',
      '"*": ',
    );
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes('"*": '));
    const uri = pathToFileURL(`${examplesDir}lsp-completion.yaml`).href;
    version += 1;
    await conn.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "yaml", version, text },
    });
    const result = await conn.sendRequest<CompletionList | CompletionItem[] | null>(
      "textDocument/completion",
      {
        textDocument: { uri },
        position: { line, character: lines[line]!.length },
      },
    );
    const items = Array.isArray(result) ? result : (result?.items ?? []);
    const labels = items.map((i) => i.label.replace(/"/g, ""));
    expect(labels).toEqual(
      expect.arrayContaining([
        "completions",
        "messages",
        "responses",
        "embeddings",
        "models",
        "anthropicTokenCount",
        "passthrough",
        "detect",
      ]),
    );
  });
});
