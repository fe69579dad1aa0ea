/**
 * Which config fields hold secrets: their text is never printed (errors, config_dump, logs).
 * A fact about the schema, read by the loader and by observability alike.
 */
/** Whether `path` names a node (or lies under one) whose text must not be printed. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  const last = path[path.length - 1];
  if (last === "key" || last === "apiKey" || last === "credential" || last === "keyHash") return true;
  // A Redis URL may carry its password.
  if (last === "url" && path[path.length - 2] === "redis") return true;
  return path.some(
    (seg, i) =>
      seg === "requestHeaderModifier" ||
      seg === "responseHeaderModifier" ||
      (seg === "headers" && path[i - 1] === "webhook"),
  );
}
