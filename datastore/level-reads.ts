/**
 * The LevelDB fast path of `Store`'s reads: when the datastore is
 * `datastore-level`, its classic-level `db` is read directly, a batch of
 * entries per round trip to LevelDB's thread (`nextv`) and point reads
 * synchronously. Any other datastore goes through the `Datastore` interface.
 */
import type { Datastore } from 'interface-datastore'

export interface LevelIterator<T> {
  nextv: (size: number) => Promise<T[]>
  close: () => Promise<void>
}

export interface RangeOptions { gte: string, lt: string, keyEncoding: 'utf8', valueEncoding: 'view' }

/** The part of an abstract-level database (classic-level) a `datastore-level` instance exposes as `db`. */
export interface LevelLike {
  getSync: (key: string) => Uint8Array | undefined
  supports?: { getSync?: boolean }
  iterator: (options: RangeOptions) => LevelIterator<[string, Uint8Array]>
  keys: (options: RangeOptions) => LevelIterator<string>
}

/**
 * Entries read per round trip to LevelDB's thread: few at first (most scans
 * are lookups of a handful of entries, and some stop at the first), then many.
 */
const FIRST_BATCH = 64
export const BATCH = 1000

/** The LevelDB under a `datastore-level`, or undefined for any other datastore. */
export function levelOf (datastore: Datastore): { level: LevelLike | undefined, getSync: ((key: string) => Uint8Array | undefined) | undefined } {
  const db = (datastore as Datastore & { db?: Partial<LevelLike> }).db
  return {
    level: typeof db?.iterator === 'function' && typeof db.keys === 'function' ? db as LevelLike : undefined,
    getSync: db?.supports?.getSync === true && typeof db.getSync === 'function' ? db.getSync.bind(db) : undefined
  }
}

/** The range `datastore-level` scans for a prefix: it stops at prefix + \xFF (see keys.ts). */
export function range (prefix: string): RangeOptions {
  return { gte: prefix, lt: `${prefix}\xFF`, keyEncoding: 'utf8', valueEncoding: 'view' }
}

export async function * batches<T> (it: LevelIterator<T>, signal: AbortSignal | undefined): AsyncGenerator<T[]> {
  try {
    // At the end, classic-level answers the next nextv without a round trip.
    for (let size = FIRST_BATCH; ; size = BATCH) {
      signal?.throwIfAborted()
      const entries = await it.nextv(size)
      if (entries.length === 0) return
      yield entries
    }
  } finally {
    await it.close()
  }
}
