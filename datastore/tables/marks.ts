import { textKey } from '../codecs.js'
import { encodeText } from '../keys.js'
import { Table } from '../table.js'
import type { Batch, Store } from '../store.js'
import type { Mark } from '../types/mark.js'
import type { RelPath } from '../types/path.js'

const CODES: readonly Mark[] = ['own', 'keep', 'watch']
const LOCAL = 0x10

/**
 * A mark and where it lives: `local` marks mirror the xattr of a file or
 * directory in the arena root (and go when it goes); the others were set on
 * paths known only from peers.
 */
export interface MarkEntry {
  mark: Mark
  local: boolean
}

/** `path -> mark`, one byte per value: low nibble 0 own, 1 keep, 2 watch; 0x10 = local. */
export const marksTable = new Table<RelPath, MarkEntry>('marks', textKey<RelPath>(), {
  encode: (m) => Uint8Array.of(CODES.indexOf(m.mark) | (m.local ? LOCAL : 0)),
  decode: (b) => {
    const byte = b[0] ?? 255
    const mark = CODES[byte & 0x0f]
    if (mark == null) throw new Error(`corrupt mark value ${byte}`)
    return { mark, local: (byte & LOCAL) !== 0 }
  }
})

export class MarksTable {
  constructor (private readonly store: Store) {}

  async get (path: RelPath): Promise<Mark | undefined> {
    return (await this.store.get(marksTable, path))?.mark
  }

  async getEntry (path: RelPath): Promise<MarkEntry | undefined> {
    return await this.store.get(marksTable, path)
  }

  async getIn (batch: Batch, path: RelPath): Promise<MarkEntry | undefined> {
    return await batch.get(marksTable, path)
  }

  async prefetch (batch: Batch, paths: Iterable<RelPath>): Promise<void> {
    await batch.prefetch(marksTable, paths)
  }

  all (options?: { signal?: AbortSignal }): AsyncGenerator<[RelPath, MarkEntry]> {
    return this.store.scan(marksTable, options)
  }

  under (dir: RelPath, options?: { signal?: AbortSignal }): AsyncGenerator<[RelPath, MarkEntry]> {
    return this.store.scan(marksTable, { ...options, prefix: dir === '' ? '' : encodeText(`${dir}/`) })
  }

  put (batch: Batch, path: RelPath, entry: MarkEntry): void {
    batch.put(marksTable, path, entry)
  }

  delete (batch: Batch, path: RelPath): void {
    batch.delete(marksTable, path)
  }
}
