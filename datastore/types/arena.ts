import { InvalidInputError } from './errors.js'
import { parsePath } from './path.js'

/**
 * An arena name: like a path (`docs/office` is allowed) but no arena name
 * plus `/` may be a prefix of another.
 */
export type ArenaName = string & { readonly __arenaName: true }

export class InvalidArenaError extends InvalidInputError {
  constructor (message: string) {
    super('INVALID_ARENA', message)
  }
}

export function parseArenaName (raw: string): ArenaName {
  try {
    parsePath(raw)
  } catch (err) {
    throw new InvalidArenaError(`invalid arena name ${JSON.stringify(raw)}: ${(err as Error).message.replace(/^invalid path "[^"]*": /, '')}`)
  }
  if (raw.includes(':')) throw new InvalidArenaError(`invalid arena name ${JSON.stringify(raw)}: contains ':' (used to separate arena and path)`)
  return raw as ArenaName
}

/** Throws if one name is a `/`-prefix of another (`docs` and `docs/office`). */
export function checkArenaNames (names: Iterable<string>): void {
  const sorted = [...names].sort()
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i] as string
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j] as string
      if (b === a) throw new InvalidArenaError(`arena ${JSON.stringify(a)} is defined twice`)
      if (b.startsWith(`${a}/`)) throw new InvalidArenaError(`arena names overlap: ${JSON.stringify(a)} is a prefix of ${JSON.stringify(b)}`)
      if (!b.startsWith(a)) break
    }
  }
}
