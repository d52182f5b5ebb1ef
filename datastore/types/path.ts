import { InvalidInputError } from './errors.js'

/**
 * A file's location inside an arena: relative, `/`-separated, non-empty
 * components that are not `.` or `..` and contain no NUL. `:` and any other
 * UTF-8 is allowed {#colon}. The empty string is the arena root.
 */
export type RelPath = string & { readonly __relPath: true }

export const ROOT = '' as RelPath

/**
 * Limits on any path, checked where a path enters (from a peer's message,
 * the user, the file system), so nothing deeper walks the tree or the disk
 * (spec section 8). 4096 bytes is Linux's PATH_MAX and 255 bytes its NAME_MAX
 * (also APFS's and NTFS's name limit, near enough): a longer path could not
 * be realized here anyway. 256 components is far deeper than real trees
 * (git caps checkouts at 4096 bytes too; a 256-deep path of one-letter names
 * fits in 511 bytes) and keeps per-component work per path small.
 */
export const MAX_PATH_BYTES = 4096
export const MAX_NAME_BYTES = 255
export const MAX_PATH_DEPTH = 256

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
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit: the byte count is needed only in between.
  if (raw.length > MAX_PATH_BYTES || (raw.length * 3 > MAX_PATH_BYTES && Buffer.byteLength(raw) > MAX_PATH_BYTES)) {
    throw new PathTooLongError(raw, `longer than ${MAX_PATH_BYTES} bytes`)
  }
  const components = raw.split('/')
  if (components.length > MAX_PATH_DEPTH) throw new PathTooLongError(raw, `${components.length} components, more than ${MAX_PATH_DEPTH}`)
  for (const c of components) {
    if (c === '') throw new InvalidPathError(raw, 'empty component')
    if (c === '.' || c === '..') throw new InvalidPathError(raw, `component ${JSON.stringify(c)}`)
    if (c.length > MAX_NAME_BYTES || (c.length * 3 > MAX_NAME_BYTES && Buffer.byteLength(c) > MAX_NAME_BYTES)) {
      throw new PathTooLongError(raw, `a name longer than ${MAX_NAME_BYTES} bytes`)
    }
  }
  return raw as RelPath
}

/** A path past MAX_PATH_BYTES, MAX_PATH_DEPTH or MAX_NAME_BYTES; the message shows its start only. */
export class PathTooLongError extends InvalidInputError {
  constructor (path: string, why: string) {
    super('PATH_TOO_LONG', `invalid path ${JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}...` : path)}: ${why}`)
  }
}

function isWellFormedUtf16 (s: string): boolean {
  // Lone surrogates cannot be encoded as UTF-8 and would not round-trip.
  return (s as unknown as { isWellFormed: () => boolean }).isWellFormed()
}

/**
 * Names starting with this are the node's own (the root marker
 * `.realize-root`, temporary `.realize-*.part` files): never indexed, never
 * published, and refused from a peer, which could otherwise make this node
 * write into its own marker or temporaries.
 */
export const RESERVED_PREFIX = '.realize-'

export function isReservedName (name: string): boolean {
  return name.startsWith(RESERVED_PREFIX)
}

/** Whether any component of `path` is a reserved name. */
export function hasReservedName (path: RelPath): boolean {
  return path.split('/').some(isReservedName)
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
