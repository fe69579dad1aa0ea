import {
  type IrStopReason,
  type IrStreamEvent,
  type IrUsage,
  malformedStreamError,
  type StreamDecoder,
  type StreamEncoder,
  truncatedStreamError,
  type WireEvent,
} from "../ir.js";
import { asArray, asNumber, asString, isRecord, type Json, parseJson, streamedError } from "../util.js";
import {
  type ChunkHeadMemo,
  canonicalContentChunk,
  canonicalEndChunk,
  canonicalFirstChunk,
} from "./content-chunk.js";
import { openAiErrorObject, openAiErrorToIR } from "./error.js";
import { chatFinishFromIR, chatFinishToIR, chatId, chatUsageFromIR, chatUsageToIR } from "./response.js";

/**
 * Chat chunks → IR. Chat has no per-part end, so parts are closed when the kind changes (a
 * tool call starting closes text/thinking) and at finish_reason. Tool calls are tracked per
 * chunk `index`: id and name come from a call's first chunk only, later chunks add arguments.
 * Tool calls stay open until finish_reason because OpenAI-compatible servers may interleave
 * indexes. The final usage-only chunk (`choices: []`, sent with include_usage) may follow
 * finish_reason; message_delta/message_stop go out when it or `[DONE]` arrives.
 */
export function createChatStreamDecoder(): StreamDecoder {
  let started = false;
  let nextIndex = 0;
  let textIdx: number | undefined;
  let thinkIdx: number | undefined;
  const tools = new Map<number, number>();
  const open: number[] = [];
  let finish: IrStopReason | undefined;
  let usage: IrUsage | undefined;
  let ended = false;

  const close = (idx: number | undefined, out: IrStreamEvent[]): void => {
    if (idx === undefined) return;
    const at = open.indexOf(idx);
    if (at !== -1) {
      open.splice(at, 1);
      out.push({ type: "part_stop", index: idx });
    }
  };
  const closeAll = (out: IrStreamEvent[]): void => {
    for (const idx of open) out.push({ type: "part_stop", index: idx });
    open.length = 0;
    textIdx = undefined;
    thinkIdx = undefined;
    tools.clear();
  };
  const end = (out: IrStreamEvent[]): void => {
    if (ended || finish === undefined) return;
    ended = true;
    closeAll(out);
    const md: IrStreamEvent = { type: "message_delta", stopReason: finish };
    if (usage !== undefined) md.usage = usage;
    out.push(md, { type: "message_stop" });
  };

  const headMemo: ChunkHeadMemo = { head: "" };
  const onText = (text: string, out: IrStreamEvent[]): void => {
    if (textIdx === undefined) {
      close(thinkIdx, out);
      thinkIdx = undefined;
      textIdx = nextIndex++;
      open.push(textIdx);
      out.push({ type: "part_start", index: textIdx, part: { kind: "text" } });
    }
    out.push({ type: "text_delta", index: textIdx, text });
  };

  return {
    push(e: WireEvent): IrStreamEvent[] {
      const out: IrStreamEvent[] = [];
      if (ended) return out;
      if (e.data === "[DONE]") {
        end(out);
        return out;
      }
      // Past the first chunk, a plain content delta tells nothing but its text (content-chunk.ts).
      const content = started ? canonicalContentChunk(e.data, headMemo) : undefined;
      if (content !== undefined) {
        if (content !== "") onText(content, out);
        return out;
      }
      // The first, finish and usage-only chunks, likewise: what the full path below does with them.
      const first = started ? undefined : canonicalFirstChunk(e.data, headMemo);
      if (first !== undefined) {
        started = true;
        const ms: IrStreamEvent = { type: "message_start", id: first.id, model: first.model };
        const created = asNumber(first.created);
        if (created !== undefined) ms.created = created;
        out.push(ms);
        return out;
      }
      const last = started ? canonicalEndChunk(e.data, headMemo) : undefined;
      if (last !== undefined) {
        if ("finishReason" in last) {
          finish = chatFinishToIR(last.finishReason);
          closeAll(out);
        } else {
          const u = chatUsageToIR(last.usage);
          if (u !== undefined) usage = u;
          if (finish !== undefined && u !== undefined) end(out);
        }
        return out;
      }
      const chunk = parseJson(e.data);
      if (chunk === undefined) {
        // Skipping it would lose content silently and still end cleanly.
        ended = true;
        out.push(malformedStreamError());
        return out;
      }
      if (!isRecord(chunk)) return out;
      if (isRecord(chunk.error)) {
        ended = true;
        out.push({ type: "error", error: streamedError(openAiErrorToIR(500, chunk)) });
        return out;
      }
      if (!started) {
        started = true;
        const ms: IrStreamEvent = {
          type: "message_start",
          id: asString(chunk.id) ?? "",
          model: asString(chunk.model) ?? "",
        };
        const created = asNumber(chunk.created);
        if (created !== undefined) ms.created = created;
        out.push(ms);
      }
      const u = chatUsageToIR(chunk.usage);
      if (u !== undefined) usage = u;
      const choice = asArray(chunk.choices)[0];
      if (isRecord(choice)) {
        const delta = isRecord(choice.delta) ? choice.delta : {};
        const reasoning = asString(delta.reasoning_content) ?? asString(delta.reasoning);
        if (reasoning) {
          if (thinkIdx === undefined) {
            close(textIdx, out);
            textIdx = undefined;
            thinkIdx = nextIndex++;
            open.push(thinkIdx);
            out.push({ type: "part_start", index: thinkIdx, part: { kind: "thinking" } });
          }
          out.push({ type: "thinking_delta", index: thinkIdx, thinking: reasoning });
        }
        const text = asString(delta.content) || asString(delta.refusal);
        if (text) onText(text, out);
        for (const tc of asArray(delta.tool_calls)) {
          if (!isRecord(tc)) continue;
          const key = asNumber(tc.index) ?? 0;
          const fn = isRecord(tc.function) ? tc.function : {};
          let idx = tools.get(key);
          if (idx === undefined) {
            close(textIdx, out);
            close(thinkIdx, out);
            textIdx = undefined;
            thinkIdx = undefined;
            idx = nextIndex++;
            tools.set(key, idx);
            open.push(idx);
            out.push({
              type: "part_start",
              index: idx,
              part: { kind: "tool_call", id: asString(tc.id) ?? "", name: asString(fn.name) ?? "" },
            });
          }
          const args = asString(fn.arguments);
          if (args) out.push({ type: "tool_args_delta", index: idx, json: args });
        }
        if (choice.finish_reason != null) {
          finish = chatFinishToIR(choice.finish_reason);
          closeAll(out);
        }
      } else if (finish !== undefined && u !== undefined) {
        end(out);
      }
      return out;
    },
    finish(): IrStreamEvent[] {
      const out: IrStreamEvent[] = [];
      if (ended) return out;
      if (finish !== undefined) {
        end(out);
        return out;
      }
      ended = true;
      out.push(
        truncatedStreamError(started ? "no finish_reason before end of stream" : "no chunks received"),
      );
      return out;
    },
  };
}

export interface ChatEncoderOptions {
  /** The client's stream_options.include_usage: send the final usage-only chunk. */
  includeUsage?: boolean;
  now?: () => number;
}

/** IR → chat.completion.chunk events, ending with `[DONE]` (or an error chunk, never both). */
export function createChatStreamEncoder(opts: ChatEncoderOptions = {}): StreamEncoder {
  let id = "chatcmpl-";
  let model = "";
  let created = 0;
  let done = false;
  let usage: IrUsage | undefined;
  let nextTool = 0;
  const toolIndex = new Map<number, number>();
  /** Chat tool indexes that have not yet received any argument text. */
  const noArgs = new Set<number>();
  /** Thinking parts being streamed (IR index → text and signature), and the signed blocks so far. */
  const thinkingParts = new Map<number, { text: string; signature: string }>();
  const signedBlocks: Json[] = [];
  // The whole list each time: the openai SDK's stream helper assigns unknown delta fields.
  const blocksChunk = (): WireEvent => chunk({ thinking_blocks: [...signedBlocks] });

  const chunk = (delta: Json, finish: string | null = null): WireEvent => ({
    data: JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    }),
  });
  /**
   * A content (or reasoning) delta, the most frequent chunk of every stream, as the exact
   * text `chunk({ [field]: text })` gives, from a head built once per message: stringifying
   * the nested objects for each delta was ~5% of a translated stream's CPU (profiled). Tested
   * against `chunk`.
   */
  let head: string | undefined;
  const headText = (): string => {
    head ??= `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${JSON.stringify(created)},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{`;
    return head;
  };
  const deltaChunk = (field: "content" | "reasoning_content", text: string): WireEvent => ({
    data: `${headText()}"${field}":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]}`,
  });
  // The opening and finish chunks from the same head (one JSON.stringify of a nested object less each).
  const openingChunk = (): WireEvent => ({
    data: `${headText()}"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`,
  });
  const finishChunk = (finish: string | null): WireEvent => ({
    data: `${headText()}},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}]}`,
  });

  // A no-argument call must still end with valid JSON arguments ("{}"), as non-streamed ones do.
  const closeTool = (irIndex: number): WireEvent[] => {
    const ti = toolIndex.get(irIndex);
    if (ti === undefined || !noArgs.has(ti)) return [];
    noArgs.delete(ti);
    return [chunk({ tool_calls: [{ index: ti, function: { arguments: "{}" } }] })];
  };

  return {
    push(e: IrStreamEvent): WireEvent[] {
      if (done) return [];
      switch (e.type) {
        case "message_start":
          id = chatId(e.id);
          model = e.model;
          created = e.created ?? Math.floor((opts.now ?? Date.now)() / 1000);
          head = undefined;
          return [openingChunk()];
        case "part_start":
          if (e.part.kind === "thinking") thinkingParts.set(e.index, { text: "", signature: "" });
          if (e.part.kind === "redacted_thinking") {
            signedBlocks.push({ type: "redacted_thinking", data: e.part.data });
            return [blocksChunk()];
          }
          if (e.part.kind !== "tool_call") return [];
          toolIndex.set(e.index, nextTool);
          noArgs.add(nextTool);
          return [
            chunk({
              tool_calls: [
                {
                  index: nextTool++,
                  id: e.part.id,
                  type: "function",
                  function: { name: e.part.name, arguments: "" },
                },
              ],
            }),
          ];
        case "text_delta":
          return e.text === "" ? [] : [deltaChunk("content", e.text)];
        case "thinking_delta": {
          const t = thinkingParts.get(e.index);
          if (t !== undefined) t.text += e.thinking;
          return e.thinking === "" ? [] : [deltaChunk("reasoning_content", e.thinking)];
        }
        case "signature_delta": {
          const t = thinkingParts.get(e.index);
          if (t !== undefined) t.signature += e.signature;
          return [];
        }
        case "tool_args_delta": {
          const ti = toolIndex.get(e.index);
          if (ti === undefined || e.json === "") return [];
          noArgs.delete(ti);
          return [chunk({ tool_calls: [{ index: ti, function: { arguments: e.json } }] })];
        }
        case "part_stop": {
          const t = thinkingParts.get(e.index);
          if (t === undefined) return closeTool(e.index);
          thinkingParts.delete(e.index);
          if (t.signature === "") return [];
          // Signed thinking goes out as thinking_blocks too, so a client can hand it back.
          signedBlocks.push({ type: "thinking", thinking: t.text, signature: t.signature });
          return [blocksChunk()];
        }
        case "message_delta": {
          if (e.usage !== undefined) usage = e.usage;
          const out = [...toolIndex.keys()].flatMap(closeTool);
          out.push(finishChunk(chatFinishFromIR(e.stopReason ?? "end_turn")));
          return out;
        }
        case "message_stop": {
          done = true;
          const out: WireEvent[] = [];
          if (opts.includeUsage === true)
            out.push({
              data: JSON.stringify({
                id,
                object: "chat.completion.chunk",
                created,
                model,
                choices: [],
                usage: chatUsageFromIR(usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 }),
              }),
            });
          out.push({ data: "[DONE]" });
          return out;
        }
        case "error":
          done = true;
          return [{ data: JSON.stringify({ error: openAiErrorObject(e.error) }) }];
        default:
          return [];
      }
    },
  };
}
