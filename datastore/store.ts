import { Key } from 'interface-datastore'
import type { Datastore } from 'interface-datastore'
import type { Table } from './table.js'

export interface ScanOptions {
  /** Encoded key prefix inside the table (see keys.ts), e.g. `encodeText('dir/')`. */
  prefix?: string
  signal?: AbortSignal
}

/**
 * A store: typed tables over one `Datastore` (one LevelDB directory).
 * All writes go through `write()`, which runs one writer at a time and
 * commits everything it did in a single batch: the index change, its history
 * entry and the dirty mark land together or not at all.
 */
export class Store {
  private queue: Promise<unknown> = Promise.resolve()

  constructor (readonly datastore: Datastore) {}

  async get<K, V> (table: Table<K, V>, key: K, options?: { signal?: AbortSignal }): Promise<V | undefined> {
    const raw = await this.getRaw(table.key(key), options)
    return raw == null ? undefined : table.values.decode(raw)
  }

  async getRaw (key: Key, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined> {
    try {
      return await this.datastore.get(key, options)
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return undefined
      throw err
    }
  }

  /** Entries in key order. */
  async * scan<K, V> (table: Table<K, V>, options: ScanOptions = {}): AsyncGenerator<[K, V]> {
    const prefix = table.prefix + (options.prefix ?? '')
    for await (const { key, value } of this.datastore.query({ prefix }, { signal: options.signal })) {
      yield [table.decodeKey(key.toString()), table.values.decode(value)]
    }
  }

  async * scanKeys<K, V> (table: Table<K, V>, options: ScanOptions = {}): AsyncGenerator<K> {
    const prefix = table.prefix + (options.prefix ?? '')
    for await (const key of this.datastore.queryKeys({ prefix }, { signal: options.signal })) {
      yield table.decodeKey(key.toString())
    }
  }

  /**
   * Runs `fn` as the only writer and commits its batch. If `fn` throws,
   * nothing it wrote is committed.
   */
  async write<T> (fn: (batch: Batch) => Promise<T> | T): Promise<T> {
    const run = this.queue.then(async () => {
      const batch = new Batch(this)
      const result = await fn(batch)
      await batch.commit()
      return result
    })
    this.queue = run.catch(() => {})
    return await run
  }

  /** Resolves once every write queued so far has finished. */
  async flush (): Promise<void> {
    await this.queue
  }

  async close (): Promise<void> {
    await this.flush()
    const closable = this.datastore as Datastore & { close?: () => Promise<void> }
    await closable.close?.()
  }
}

/**
 * Pending writes of one `Store.write()`. Reads through the batch see its own
 * writes, so a writer can update the same key twice.
 */
export class Batch {
  private readonly pending = new Map<string, Uint8Array | null>()
  /** Committed values read ahead by `prefetch`; the single writer keeps them current. */
  private readonly read = new Map<string, Uint8Array | null>()

  constructor (readonly store: Store) {}

  put<K, V> (table: Table<K, V>, key: K, value: V): void {
    this.pending.set(table.key(key).toString(), table.values.encode(value))
  }

  delete<K, V> (table: Table<K, V>, key: K): void {
    this.pending.set(table.key(key).toString(), null)
  }

  async get<K, V> (table: Table<K, V>, key: K): Promise<V | undefined> {
    const k = table.key(key).toString()
    const raw = this.pending.has(k) ? this.pending.get(k) : this.read.has(k) ? this.read.get(k) : await this.store.getRaw(table.key(key))
    return raw == null ? undefined : table.values.decode(raw)
  }

  /**
   * Reads many keys concurrently so the writer's one-by-one `get`s that
   * follow are served from memory: a LevelDB get is a thread-pool round
   * trip, and a batch of hundreds of files would otherwise pay it serially.
   */
  async prefetch<K, V> (table: Table<K, V>, keys: Iterable<K>): Promise<void> {
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
