/**
 * Checks of the node's JSON log lines as written (pino writes a child
 * logger's bindings and the call's fields side by side, so a key given
 * twice appears twice in the text; JSON.parse would silently keep one).
 */

/** Top-level keys that occur more than once in one raw JSON line. */
export function repeatedKeys (raw: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return []
  }
  if (parsed == null || typeof parsed !== 'object') return []
  return Object.keys(parsed).filter((k) => raw.split(`${JSON.stringify(k)}:`).length > 2)
}

/** Every raw line with a repeated key, as `key in line`, for an assertion message. */
export function linesWithRepeatedKeys (lines: readonly string[]): string[] {
  return lines.flatMap((l) => repeatedKeys(l).map((k) => `${k} in ${l}`))
}
