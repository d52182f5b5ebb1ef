import { InvalidInputError } from './errors.js'

/**
 * A file's location inside an arena: relative, `/`-separated, non-empty
 * components that are not `.` or `..` and contain no NUL. `:` and any other
 * UTF-8 is allowed {#colon}. The empty string is the arena root.
 */
export type RelPath = string & { readonly __relPath: true }

export const ROOT = '' as RelPath

export class InvalidPathError extends InvalidInputError {
  constructor (path: string, why: string) {
    super('INVALID_PATH', `invalid path ${JSON.stringify(path)}: ${why}`)
  }
}

/** Validates a path coming from a user, a peer or the file system. */
export function parsePath (raw: string, options: { allowRoot?: boolean } = {}): RelPath {
  if (typeof raw !== 'string') throw new InvalidPathError(String(raw), 'not a string')
  if (raw === '') {
    if (options.allowRoot === true) return ROOT
    throw new InvalidPathError(raw, 'empty')
  }
  if (raw.includes('\0')) throw new InvalidPathError(raw, 'contains NUL')
  if (raw.startsWith('/')) throw new InvalidPathError(raw, 'absolute')
  if (!isWellFormedUtf16(raw)) throw new InvalidPathError(raw, 'not valid UTF-8')
  for (const c of raw.split('/')) {
    if (c === '') throw new InvalidPathError(raw, 'empty component')
    if (c === '.' || c === '..') throw new InvalidPathError(raw, `component ${JSON.stringify(c)}`)
  }
  return raw as RelPath
}

function isWellFormedUtf16 (s: string): boolean {
  // Lone surrogates cannot be encoded as UTF-8 and would not round-trip.
  return (s as unknown as { isWellFormed: () => boolean }).isWellFormed()
}

export function joinPath (dir: RelPath, name: string): RelPath {
  return parsePath(dir === '' ? name : `${dir}/${name}`)
}

export function parentOf (path: RelPath): RelPath {
  const i = path.lastIndexOf('/')
  return (i < 0 ? '' : path.slice(0, i)) as RelPath
}

export function baseName (path: RelPath): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** True if `path` is `dir` itself or lies below it. The root contains everything. */
export function isWithin (path: RelPath, dir: RelPath): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`)
}

/** `a/b/c` -> [``, `a`, `a/b`] : the directories above a path, root first. */
export function ancestorsOf (path: RelPath): RelPath[] {
  const out: RelPath[] = [ROOT]
  let i = path.indexOf('/')
  while (i >= 0) {
    out.push(path.slice(0, i) as RelPath)
    i = path.indexOf('/', i + 1)
  }
  return out
}
