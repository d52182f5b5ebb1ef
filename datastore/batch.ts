import { Key } from 'interface-datastore'
import type { Store } from './store.js'
import type { Table } from './table.js'

/**
 * Pending writes of one `Store.write()`. Reads through the batch see its own
 * writes, so a writer can update the same key twice.
 */
export class Batch {
  private readonly pending = new Map<string, Uint8Array | null>()
  /** Committed values read ahead by `prefetch`; the single writer keeps them current. */
  private readonly read = new Map<string, Uint8Array | null>()

  constructor (readonly store: Store, private readonly parent?: Batch) {}

  /** A batch on top of this one, for one writer of a group (`Store.writeGrouped`). */
  child (): Batch {
    return new Batch(this.store, this)
  }

  /** A child's writes become its parent's. */
  mergeIntoParent (): void {
    if (this.parent == null) throw new Error('not a child batch')
    for (const [k, v] of this.pending) this.parent.pending.set(k, v)
    this.pending.clear()
  }

  put<K, V> (table: Table<K, V>, key: K, value: V): void {
    this.pending.set(table.key(key).toString(), table.values.encode(value))
  }

  delete<K, V> (table: Table<K, V>, key: K): void {
    this.pending.set(table.key(key).toString(), null)
  }

  async get<K, V> (table: Table<K, V>, key: K): Promise<V | undefined> {
    const k = table.key(key)
    const raw = await this.raw(k.toString(), k)
    return raw == null ? undefined : table.values.decode(raw)
  }

  private async raw (ks: string, k: Key): Promise<Uint8Array | null | undefined> {
    if (this.pending.has(ks)) return this.pending.get(ks)
    if (this.parent != null) return await this.parent.raw(ks, k)
    return this.read.has(ks) ? this.read.get(ks) : await this.store.getRaw(k)
  }

  /**
   * Reads many keys concurrently so the writer's one-by-one `get`s that
   * follow are served from memory: a LevelDB get is a thread-pool round
   * trip, and a batch of hundreds of files would otherwise pay it serially.
   */
  async prefetch<K, V> (table: Table<K, V>, keys: Iterable<K>): Promise<void> {
    if (this.store.syncReads) return
    if (this.parent != null) {
      await this.parent.prefetch(table, [...keys].filter((key) => !this.pending.has(table.key(key).toString())))
      return
    }
    await Promise.all([...keys].map(async (key) => {
      const k = table.key(key)
      const ks = k.toString()
      if (this.pending.has(ks) || this.read.has(ks)) return
      this.read.set(ks, (await this.store.getRaw(k)) ?? null)
    }))
  }

  get size (): number {
    return this.pending.size
  }

  async commit (): Promise<void> {
    if (this.parent != null) throw new Error('a child batch is merged, not committed')
    if (this.pending.size === 0) return
    const b = this.store.datastore.batch()
    for (const [k, v] of this.pending) {
      if (v == null) b.delete(new Key(k, false))
      else b.put(new Key(k, false), v)
    }
    await b.commit()
    this.pending.clear()
  }
}
