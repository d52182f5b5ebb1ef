import { HistoryValue } from '../schema/tables.js'
import { numberKey } from '../codecs.js'
import { Table } from '../table.js'
import { Counter } from './meta.js'
import type { Batch, Store } from '../store.js'
import type { HistoryEntry, HistoryNotification } from '../types/history.js'
import type { Hash } from '../types/hash.js'
import type { RelPath } from '../types/path.js'

const KINDS = [
  [HistoryValue.Kind.ADD, 'add'],
  [HistoryValue.Kind.REPLACE, 'replace'],
  [HistoryValue.Kind.REMOVE, 'remove'],
  [HistoryValue.Kind.DROP, 'drop']
] as const
const EMPTY = new Uint8Array(0)

function encode (n: HistoryNotification): Uint8Array {
  const kind = KINDS.find(([, k]) => k === n.kind)?.[0] ?? HistoryValue.Kind.ADD
  return HistoryValue.encode({
    kind,
    path: n.path,
    size: 'size' in n ? n.size : 0,
    mtime: 'mtime' in n ? n.mtime : 0,
    hash: 'hash' in n ? n.hash as Uint8Array<ArrayBuffer> : EMPTY,
    oldHash: 'oldHash' in n ? n.oldHash as Uint8Array<ArrayBuffer> : EMPTY
  })
}

function decode (b: Uint8Array): HistoryNotification {
  const v = HistoryValue.decode(b)
  const path = v.path as RelPath
  switch (v.kind) {
    case HistoryValue.Kind.REPLACE:
      return { kind: 'replace', path, size: v.size, mtime: v.mtime, hash: v.hash as Hash, oldHash: v.oldHash as Hash }
    case HistoryValue.Kind.REMOVE:
      return { kind: 'remove', path, oldHash: v.oldHash as Hash }
    case HistoryValue.Kind.DROP:
      return { kind: 'drop', path, oldHash: v.oldHash as Hash }
    default:
      return { kind: 'add', path, size: v.size, mtime: v.mtime, hash: v.hash as Hash }
  }
}

export const historyTable = new Table<number, HistoryNotification>('history', numberKey, { encode, decode })

/** The store's own history: `n -> notification`, `n` strictly increasing. */
export class HistoryLog {
  private constructor (private readonly store: Store, private readonly counter: Counter) {}

  static async open (store: Store): Promise<HistoryLog> {
    return new HistoryLog(store, await Counter.open(store, 'history'))
  }

  /** Appends in `batch`; returns the entry's `n`. */
  append (batch: Batch, notification: HistoryNotification): number {
    const n = this.counter.take(batch)
    batch.put(historyTable, n, notification)
    return n
  }

  /** The `n` of the last entry appended (0 when none). */
  get lastN (): number {
    return this.counter.peek() - 1
  }

  /** Entries with `n > after`, in order. */
  async * after (after: number, options?: { signal?: AbortSignal }): AsyncGenerator<HistoryEntry> {
    for await (const [n, notification] of this.store.scan(historyTable, options)) {
      if (n > after) yield { n, notification }
    }
  }

  /** The `n` of the oldest entry still held (trimming drops older ones); undefined when empty. */
  async firstN (): Promise<number | undefined> {
    for await (const n of this.store.scanKeys(historyTable)) return n
    return undefined
  }

  /** Drops entries with `n <= through` (acknowledged by every active peer). */
  async trim (through: number): Promise<number> {
    let count = 0
    await this.store.write(async (batch) => {
      for await (const n of this.store.scanKeys(historyTable)) {
        if (n > through) break
        batch.delete(historyTable, n)
        count++
      }
    })
    return count
  }
}
