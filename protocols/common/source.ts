import { RealizeError } from '../../datastore/types/errors.js'
import type { Hash } from '../../datastore/types/hash.js'
import type { RelPath } from '../../datastore/types/path.js'

/**
 * What the data protocols (blob, hash, rsync) serve from: the protocol layer
 * knows nothing of arenas, indexes or caches and asks this narrow interface
 * for one version's bytes (Syncthing's protocol/model split). The real
 * (node/sync/real-source.ts) implements it; a blob-cache source can too.
 */
export interface BlobSource {
  /**
   * Opens the version `hash` of `path` in `arena`. Throws SourceNotFoundError when
   * there is no such file here and VersionChangedError when the current
   * version is another. `path` is already validated with parsePath.
   */
  open: (arena: string, path: RelPath, hash: Hash, options: { signal?: AbortSignal }) => Promise<SourceHandle>
}

export interface SourceHandle {
  /** The version's size in bytes. */
  readonly size: number
  /** Positional read (absolute offset in the file); returns bytes read, 0 at the end. */
  read: (into: Uint8Array, position: number) => Promise<number>
  /**
   * Throws VersionChangedError if the content may have changed since `open`
   * (size or mtime moved): servers call it after reading and before
   * declaring success, so a reader never takes a torn read for the version.
   */
  verify: () => Promise<void>
  close: () => Promise<void>
}

/** The source has no such file (or no longer): what a data server answers NOT_FOUND for. */
export class SourceNotFoundError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options)
  }
}

/** The peer's current version is not the one asked for (spec section 5, blob). */
export class VersionChangedError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('VERSION_CHANGED', message, options)
  }
}

/** A range that does not fit inside the version. */
export class InvalidRangeError extends RealizeError {
  constructor (message: string) {
    super('INVALID_RANGE', message)
  }
}

/** Checks `[offset, offset + length)` lies inside a version of `size` bytes. */
export function checkRange (offset: number, length: number, size: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new InvalidRangeError(`${what}: range [${offset}, ${offset + length}) is outside the version's ${size} bytes`)
  }
}
