/**
 * Gemini clients name the model and the method in the URL
 * (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`), not in the
 * body: the pipeline reads them from there into the body's `model` and `stream`.
 */
import { GatewayError } from "../../errors.js";

const GEMINI_PATH = /\/models\/([^/]+):(generateContent|streamGenerateContent|countTokens)\/?$/i;

export function geminiPathFields(url: string): { model: string; stream: boolean } {
  const q = url.indexOf("?");
  const m = GEMINI_PATH.exec(q === -1 ? url : url.slice(0, q));
  if (m === null)
    throw new GatewayError(
      400,
      "missing_model",
      "A Gemini request names its model in the path: POST /v1beta/models/{model}:generateContent.",
    );
  let model: string;
  try {
    model = decodeURIComponent(m[1]!);
  } catch {
    throw new GatewayError(400, "missing_model", "The model in the path is not valid percent-encoding.");
  }
  return { model, stream: m[2]!.toLowerCase() === "streamgeneratecontent" };
}
