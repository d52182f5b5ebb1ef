import { Key } from 'interface-datastore'
import type { Datastore } from 'interface-datastore'
import { Batch } from './batch.js'
import { batches, BATCH, levelOf, range, type LevelLike } from './level-reads.js'
import { SerialQueue } from './types/serial.js'
import type { Table } from './table.js'

export { Batch }

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
 *
 *   write(fn) ──────────┐
 *   writeGrouped(fn) ───┴─> SerialQueue (one writer) ─> Batch: fn's puts/deletes, reads see them ─> one datastore batch commit
 *     (grouped fns queued together share one Batch, each in a child batch: all or nothing each)
 *
 *   get ─> LevelDB getSync (level-reads.ts) | Datastore.get
 *   scan, scanBatches, scanKeys ─> LevelDB nextv batches (level-reads.ts) | Datastore.query in key order
 */
export class Store {
  private readonly queue = new SerialQueue()
  /**
   * classic-level's synchronous get, when the datastore has one: a point
   * read from LevelDB's cache takes about 2 µs on the main thread, while the
   * async get is a thread-pool round trip of about 25 µs of CPU, and
   * `datastore-level` throws (and we catch) a NotFoundError for every
   * missing key. Point reads were the top cost of syncing many small files.
   */
  private readonly getSync: ((key: string) => Uint8Array | undefined) | undefined
  /** The grouped writes waiting at the end of the write queue, joined by the next `writeGrouped`. */
  private openGroup: GroupedWriter[] | undefined
  /** The LevelDB under `datastore-level`, for batched range reads; other datastores go through `query`. */
  private readonly level: LevelLike | undefined

  constructor (readonly datastore: Datastore) {
    const { level, getSync } = levelOf(datastore)
    this.level = level
    this.getSync = getSync
  }

  /** Point reads are synchronous (LevelDB): reading ahead (prefetch, listings) saves nothing then. */
  get syncReads (): boolean {
    return this.getSync != null
  }

  async get<K, V> (table: Table<K, V>, key: K, options?: { signal?: AbortSignal }): Promise<V | undefined> {
    const raw = await this.getRaw(table.key(key), options)
    return raw == null ? undefined : table.values.decode(raw)
  }

  async getRaw (key: Key, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined> {
    if (this.getSync != null) {
      options?.signal?.throwIfAborted()
      return this.getSync(key.toString()) ?? undefined
    }
    try {
      return await this.datastore.get(key, options)
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return undefined
      throw err
    }
  }

  /**
   * Entries in key order. On LevelDB, a batch of entries per round trip
   * (`nextv`) rather than one promise per entry through the
   * interface-datastore query pipeline, and a lookup of a few entries costs
   * one round trip instead of two.
   */
  async * scan<K, V> (table: Table<K, V>, options: ScanOptions = {}): AsyncGenerator<[K, V]> {
    const prefix = table.prefix + (options.prefix ?? '')
    if (this.level != null) {
      for await (const batch of batches(this.level.iterator(range(prefix)), options.signal)) {
        for (const [k, v] of batch) {
          options.signal?.throwIfAborted()
          yield [table.decodeKey(k), table.values.decode(v)]
        }
      }
      return
    }
    // Key order asked for: a datastore other than LevelDB (MemoryDatastore) lists in insertion order.
    for await (const { key, value } of this.datastore.query({ prefix, orders: [(a, b) => byKey(a.key, b.key)] }, { signal: options.signal })) {
      yield [table.decodeKey(key.toString()), table.values.decode(value)]
    }
  }

  /**
   * `scan` a batch at a time (up to 1000 entries): one await per batch
   * instead of one per entry, for long listings (`ls` of 100,000 files).
   */
  async * scanBatches<K, V> (table: Table<K, V>, options: ScanOptions = {}): AsyncGenerator<Array<[K, V]>> {
    const prefix = table.prefix + (options.prefix ?? '')
    if (this.level != null) {
      for await (const batch of batches(this.level.iterator(range(prefix)), options.signal)) {
        yield batch.map(([k, v]) => [table.decodeKey(k), table.values.decode(v)])
      }
      return
    }
    let batch: Array<[K, V]> = []
    for await (const e of this.scan(table, options)) {
      batch.push(e)
      if (batch.length >= BATCH) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  }

  async * scanKeys<K, V> (table: Table<K, V>, options: ScanOptions = {}): AsyncGenerator<K> {
    const prefix = table.prefix + (options.prefix ?? '')
    if (this.level != null) {
      for await (const batch of batches(this.level.keys(range(prefix)), options.signal)) {
        for (const k of batch) {
          options.signal?.throwIfAborted()
          yield table.decodeKey(k)
        }
      }
      return
    }
    for await (const key of this.datastore.queryKeys({ prefix, orders: [byKey] }, { signal: options.signal })) {
      yield table.decodeKey(key.toString())
    }
  }

  /**
   * Runs `fn` as the only writer and commits its batch. If `fn` throws,
   * nothing it wrote is committed.
   */
  async write<T> (fn: (batch: Batch) => Promise<T> | T): Promise<T> {
    // Grouped writes queued from now on go after this one.
    this.openGroup = undefined
    return await this.queue.run(async () => {
      const batch = new Batch(this)
      const result = await fn(batch)
      await batch.commit()
      return result
    })
  }

  /**
   * Like `write`, but `fn` may share one LevelDB commit with the grouped
   * writes queued right before or after it (group commit): each commit is a
   * thread-pool round trip, and clearing a dirty path after each of
   * thousands of small jobs was one commit each. Each `fn` still sees the
   * writes before it and is all or nothing (a throwing `fn` is left out);
   * the order with other writes is kept. `fn` must read through the batch
   * only (`batch.get`): a range scan would not see the group's earlier,
   * uncommitted writes.
   */
  async writeGrouped<T> (fn: (batch: Batch) => Promise<T> | T): Promise<T> {
    return await new Promise<T>((resolve, reject) => {
      const writer: GroupedWriter = { fn, resolve: resolve as (v: unknown) => void, reject }
      if (this.openGroup != null) {
        this.openGroup.push(writer)
        return
      }
      const group = [writer]
      const done: Array<{ writer: GroupedWriter, result: unknown }> = []
      this.write(async (batch) => {
        // Started: later grouped writes form the next group.
        if (this.openGroup === group) this.openGroup = undefined
        for (const w of group) {
          const child = batch.child()
          try {
            const result = await w.fn(child)
            child.mergeIntoParent()
            done.push({ writer: w, result })
          } catch (err) {
            w.reject(err)
          }
        }
      }).then(() => {
        for (const d of done) d.writer.resolve(d.result)
      }, (err) => {
        for (const d of done) d.writer.reject(err)
      })
      this.openGroup = group
    })
  }

  /** Resolves once every write queued so far has finished. */
  async flush (): Promise<void> {
    await this.queue.idle()
  }

  async close (): Promise<void> {
    await this.flush()
    const closable = this.datastore as Datastore & { close?: () => Promise<void> }
    await closable.close?.()
  }
}

interface GroupedWriter {
  fn: (batch: Batch) => unknown
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

/** Keys are ASCII (keys.ts), so string order is byte order. */
function byKey (a: Key, b: Key): -1 | 0 | 1 {
  const x = a.toString()
  const y = b.toString()
  return x < y ? -1 : x > y ? 1 : 0
}
