import { InvalidInputError } from './errors.js'

/** What this machine does with a file: keep a real copy, a verified cached copy, or fetch on demand. */
export type Mark = 'own' | 'keep' | 'watch'

export const MARKS: readonly Mark[] = ['own', 'keep', 'watch']

/** The mark of a path with no marked ancestor and no arena mark (spec section 1). */
export const DEFAULT_MARK: Mark = 'watch'

export function isMark (value: unknown): value is Mark {
  return value === 'own' || value === 'keep' || value === 'watch'
}

export function parseMark (raw: string): Mark {
  if (isMark(raw)) return raw
  throw new InvalidInputError('INVALID_MARK', `invalid mark ${JSON.stringify(raw)}: expected own, keep or watch`)
}
