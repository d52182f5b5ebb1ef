import { randomBytes } from 'node:crypto'
import { bytesValue, textKey } from '../codecs.js'
import { Table } from '../table.js'
import type { Batch, Store } from '../store.js'
import { bytesToU64, u64ToBytes } from '../keys.js'

/** Small per-store settings: the store id and persisted counters. */
export const metaTable = new Table<string, Uint8Array>('meta', textKey(), bytesValue)

/**
 * A counter that only grows, persisted in the meta table in the same batch
 * as the entry that used it. Gaps are possible (a failed batch), repeats are
 * not: the next value is read once at open and kept in memory by the single
 * writer.
 */
export class Counter {
  private constructor (private readonly store: Store, private readonly name: string, private next: number) {}

  static async open (store: Store, name: string): Promise<Counter> {
    const raw = await store.get(metaTable, `counter/${name}`)
    return new Counter(store, name, raw == null ? 1 : bytesToU64(raw))
  }

  /** Takes the next value, recording it in `batch`. */
  take (batch: Batch): number {
    const n = this.next++
    batch.put(metaTable, `counter/${this.name}`, u64ToBytes(this.next))
    return n
  }

  /** The value the next `take` returns. */
  peek (): number {
    return this.next
  }
}

/** The random id a store gets when it is created; subscribers use it to notice a reset. */
export async function loadOrCreateStoreId (store: Store): Promise<Uint8Array> {
  const existing = await store.get(metaTable, 'storeId')
  if (existing != null) return existing
  const id = randomBytes(16)
  await store.write((b) => { b.put(metaTable, 'storeId', id) })
  return id
}
