import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Batch } from '../../datastore/store.js'
import type { InodeRangeAllocations, InodeRangeState } from '../../datastore/tables/inode-ranges.js'

/** Inodes per range handed to an arena (spec section 3, {#inoderange}). */
export const DEFAULT_INODE_RANGE_SIZE = 10_000

export interface InodeAllocatorOptions {
  /** @default DEFAULT_INODE_RANGE_SIZE */
  rangeSize?: number
}

/**
 * Hands out an arena's inodes from ranges the global store allocates
 * {#inoderange}. The arena's `(next, end)` is written in the caller's arena
 * batch; a new range is committed in the global store first. If the arena
 * batch then fails, the global store has given out a range the arena does
 * not remember: the arena's next request passes the end of the range it
 * still has on disk, and the allocator returns that forgotten range instead
 * of a new one. A deleted arena store gets its old ranges back the same way.
 *
 * Inodes taken in a batch that fails are skipped, never reused within a
 * store: memory runs ahead of the disk, like the store's counters.
 */
export class InodeAllocator {
  private constructor (
    private readonly arenaStore: ArenaStore,
    private readonly allocations: InodeRangeAllocations,
    readonly arena: string,
    private readonly rangeSize: number,
    private state: InodeRangeState
  ) {}

  static async open (arenaStore: ArenaStore, allocations: InodeRangeAllocations, arena: string, options: InodeAllocatorOptions = {}): Promise<InodeAllocator> {
    const size = options.rangeSize ?? DEFAULT_INODE_RANGE_SIZE
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`invalid inode range size ${size}`)
    return new InodeAllocator(arenaStore, allocations, arena, size, await arenaStore.inodeRange.get())
  }

  /** Takes the next inode, recording the arena's range state in `batch`. */
  async take (batch: Batch): Promise<number> {
    if (this.state.next >= this.state.end) {
      const range = await this.allocations.allocate(this.arena, this.state.end, this.rangeSize)
      this.state = { next: range.start, end: range.end }
    }
    const inode = this.state.next
    this.state = { next: inode + 1, end: this.state.end }
    this.arenaStore.inodeRange.put(batch, this.state)
    return inode
  }

  /** The range in use: [next, end) are still free. */
  get current (): InodeRangeState {
    return { ...this.state }
  }
}
