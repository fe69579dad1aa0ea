/** The llm form's model table at request time: the most specific entry that matches a model. */
import type { LlmModelEntry, LlmModelTable } from "../../runtime/snapshot.js";
import { matchesModel } from "../model-pattern.js";

/** The most specific entry for a requested model. */
export function modelEntryFor(table: LlmModelTable, model: string): LlmModelEntry | undefined {
  const list = table.entries;
  for (let i = 0; i < list.length; i++) if (matchesModel(list[i]!, model)) return list[i];
  return undefined;
}
