import { numberKey, textKey, textValue, u64Value } from '../codecs.js'
import { Table } from '../table.js'
import { Counter } from './meta.js'
import type { Batch, Store } from '../store.js'
import type { RelPath } from '../types/path.js'

/** `path -> counter` and `counter -> path`: paths that may need a job, oldest first (spec section 6). */
export const dirtyByPath = new Table<RelPath, number>('dirty-path', textKey<RelPath>(), u64Value)
export const dirtyByCounter = new Table<number, RelPath>('dirty-counter', numberKey, textValue<RelPath>())

export interface DirtyPath {
  path: RelPath
  counter: number
}

export class DirtyPaths {
  private constructor (private readonly store: Store, private readonly counter: Counter) {}

  static async open (store: Store): Promise<DirtyPaths> {
    return new DirtyPaths(store, await Counter.open(store, 'dirty'))
  }

  /** Marks `path` dirty in `batch`, moving it to the end of the queue; returns its new counter. */
  async mark (batch: Batch, path: RelPath): Promise<number> {
    const old = await batch.get(dirtyByPath, path)
    if (old != null) batch.delete(dirtyByCounter, old)
    const counter = this.counter.take(batch)
    batch.put(dirtyByPath, path, counter)
    batch.put(dirtyByCounter, counter, path)
    return counter
  }

  async prefetch (batch: Batch, paths: Iterable<RelPath>): Promise<void> {
    await batch.prefetch(dirtyByPath, paths)
  }

  async counterOf (path: RelPath): Promise<number | undefined> {
    return await this.store.get(dirtyByPath, path)
  }

  /** Dirty paths with a counter above `after`, in counter order. */
  async * since (after: number, options?: { signal?: AbortSignal }): AsyncGenerator<DirtyPath> {
    for await (const [counter, path] of this.store.scan(dirtyByCounter, options)) {
      if (counter > after) yield { path, counter }
    }
  }

  /**
   * Clears `path` if it is still at `counter`; a path marked again while its
   * job ran keeps its newer entry. Returns whether it was cleared.
   */
  async clear (batch: Batch, path: RelPath, counter: number): Promise<boolean> {
    const current = await batch.get(dirtyByPath, path)
    if (current !== counter) return false
    batch.delete(dirtyByPath, path)
    batch.delete(dirtyByCounter, counter)
    return true
  }
}
