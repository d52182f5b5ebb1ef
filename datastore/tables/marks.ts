import { textKey } from '../codecs.js'
import { encodeText } from '../keys.js'
import { Table } from '../table.js'
import type { Batch, Store } from '../store.js'
import type { Mark } from '../../node/types/mark.js'
import type { RelPath } from '../../node/types/path.js'

const CODES: readonly Mark[] = ['own', 'keep', 'watch']

/** `path -> mark`, one byte per value (0 own, 1 keep, 2 watch). */
export const marksTable = new Table<RelPath, Mark>('marks', textKey<RelPath>(), {
  encode: (m) => Uint8Array.of(CODES.indexOf(m)),
  decode: (b) => {
    const m = CODES[b[0] ?? 255]
    if (m == null) throw new Error(`corrupt mark value ${b[0]}`)
    return m
  }
})

export class MarksTable {
  constructor (private readonly store: Store) {}

  async get (path: RelPath): Promise<Mark | undefined> {
    return await this.store.get(marksTable, path)
  }

  async getIn (batch: Batch, path: RelPath): Promise<Mark | undefined> {
    return await batch.get(marksTable, path)
  }

  all (options?: { signal?: AbortSignal }): AsyncGenerator<[RelPath, Mark]> {
    return this.store.scan(marksTable, options)
  }

  under (dir: RelPath, options?: { signal?: AbortSignal }): AsyncGenerator<[RelPath, Mark]> {
    return this.store.scan(marksTable, { ...options, prefix: dir === '' ? '' : encodeText(`${dir}/`) })
  }

  put (batch: Batch, path: RelPath, mark: Mark): void {
    batch.put(marksTable, path, mark)
  }

  delete (batch: Batch, path: RelPath): void {
    batch.delete(marksTable, path)
  }
}
