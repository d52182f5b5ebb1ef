import { CacheFullError } from './errors.js'
import { DEFAULT_CAPACITY, resolveCapacity, type Capacity } from './capacity.js'
import type { BlobQueue } from '../../datastore/tables/blobs.js'
import { SerialQueue } from '../../datastore/types/serial.js'

/** What the cache needs of each arena's blob store. */
export interface EvictableStore {
  /** Bytes allocated on disk by the store's blobs, as last counted. */
  readonly usedBytes: number
  /** The least recently used blob of `queue` that may go now (not open, not keep). */
  oldestEvictable: (queue: BlobQueue) => Promise<{ id: number, lastAccess: number } | undefined>
  /** Evicts `id`; false if it became busy meanwhile. */
  evict: (id: number) => Promise<boolean>
}

/** Eviction order {#bloblru}: protected is reached only for blobs no longer marked keep. */
export const EVICTION_ORDER: readonly BlobQueue[] = ['pending', 'working', 'protected']

const MAX_BUSY_VICTIMS = 1000

/**
 * The node's cache budget across every arena's blob store {#bloblru}.
 * Writers reserve bytes before they write; when the reservation does not
 * fit, the least recently used evictable blob of all arenas goes, queue by
 * queue in EVICTION_ORDER, until it fits or nothing evictable is left
 * (CacheFullError). Reservations run one at a time so two writers never
 * count the same free space.
 */
export class BlobCache {
  private readonly stores = new Set<EvictableStore>()
  private reservedBytes = 0
  private readonly reservations = new SerialQueue()

  constructor (readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError(`invalid cache capacity ${capacity}`)
  }

  /** A cache sized by `cache.capacity` (bytes, or percent of the data directory's file system). */
  static async open (dataDir: string, capacity: Capacity = DEFAULT_CAPACITY): Promise<BlobCache> {
    return new BlobCache(await resolveCapacity(capacity, dataDir))
  }

  register (store: EvictableStore): void {
    this.stores.add(store)
  }

  unregister (store: EvictableStore): void {
    this.stores.delete(store)
  }

  /** Bytes allocated by every blob, plus bytes reserved for writes in progress. */
  get used (): number {
    let n = this.reservedBytes
    for (const s of this.stores) n += s.usedBytes
    return n
  }

  get reserved (): number {
    return this.reservedBytes
  }

  /** Makes room for `bytes` more and holds it for the caller; throws CacheFullError if it cannot. */
  async reserve (bytes: number): Promise<void> {
    if (bytes <= 0) return
    await this.reservations.run(async () => {
      await this.makeRoom(bytes)
      this.reservedBytes += bytes
    })
  }

  /** Gives back bytes reserved but not used (or now counted by a store's usedBytes). */
  release (bytes: number): void {
    this.reservedBytes = Math.max(0, this.reservedBytes - bytes)
  }

  /** Evicts until `bytes` more fit. */
  private async makeRoom (bytes: number): Promise<void> {
    // Never fits: say so without emptying the cache first.
    if (bytes > this.capacity) throw new CacheFullError(bytes - this.capacity, this.capacity, this.used)
    // A victim that turns busy is skipped by the next pick; the bound only
    // guards against a store that keeps offering a blob it will not evict.
    for (let busy = 0; this.used + bytes > this.capacity;) {
      const victim = await this.pickVictim()
      if (victim == null || busy > MAX_BUSY_VICTIMS) throw new CacheFullError(this.used + bytes - this.capacity, this.capacity, this.used)
      if (!await victim.store.evict(victim.id)) busy++
    }
  }

  private async pickVictim (): Promise<{ store: EvictableStore, id: number } | undefined> {
    for (const queue of EVICTION_ORDER) {
      let best: { store: EvictableStore, id: number, lastAccess: number } | undefined
      for (const store of this.stores) {
        const c = await store.oldestEvictable(queue)
        if (c != null && (best == null || c.lastAccess < best.lastAccess)) best = { store, ...c }
      }
      if (best != null) return best
    }
    return undefined
  }
}
