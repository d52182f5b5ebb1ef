import { InodeRangeAllocationValue, InodeRangeValue } from '../schema/unreal.js'
import { numberKey, textKey } from '../codecs.js'
import { Table } from '../table.js'
import type { Batch, Store } from '../store.js'

/**
 * Inode ranges {#inoderange}. The global store hands out ranges
 * (`rangeEnd -> arena`); each arena store keeps the one it is using
 * (`next, end`). The two stores cannot commit together, which is why an
 * arena asking for a range says where its last one ended (see `allocate`).
 */

/** A half-open range of inodes [start, end). */
export interface InodeRange {
  start: number
  end: number
}

/** The arena's range in use: inodes [next, end) are still free. */
export interface InodeRangeState {
  next: number
  end: number
}

/** Inode 1 is every arena's root; ranges start after it. */
export const FIRST_RANGE_START = 2

export const inodeRangeTable = new Table<string, InodeRangeState>('inode-range', textKey(), {
  encode: (v) => InodeRangeValue.encode(v),
  decode: (b) => InodeRangeValue.decode(b)
})

const CURRENT = 'current'

/** Arena side: the `(next, end)` of the range the arena is using. */
export class ArenaInodeRange {
  constructor (private readonly store: Store) {}

  async get (): Promise<InodeRangeState> {
    return await this.store.get(inodeRangeTable, CURRENT) ?? { next: 0, end: 0 }
  }

  put (batch: Batch, state: InodeRangeState): void {
    batch.put(inodeRangeTable, CURRENT, state)
  }
}

export interface RangeAllocation extends InodeRange {
  arena: string
}

export const inodeRangeAllocationTable = new Table<number, { arena: string, start: number }>('inode-ranges', numberKey, {
  encode: (v) => InodeRangeAllocationValue.encode(v),
  decode: (b) => InodeRangeAllocationValue.decode(b)
})

/** Global side: every range ever handed out, by end. Never shrinks, so inodes are never reused. */
export class InodeRangeAllocations {
  constructor (private readonly store: Store) {}

  /**
   * A range for `arena`, whose last range ended at `exhaustedEnd` (0 the
   * first time). A range already given to this arena beyond that end is
   * returned again: the arena lost track of it (its batch failed after ours
   * committed, or its store was deleted). Otherwise a new range of `size`
   * starts at the last allocated end.
   */
  async allocate (arena: string, exhaustedEnd: number, size: number): Promise<InodeRange> {
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`invalid inode range size ${size}`)
    return await this.store.write(async (batch) => {
      let lastEnd = FIRST_RANGE_START
      for await (const [end, { arena: owner, start }] of this.store.scan(inodeRangeAllocationTable)) {
        if (end > exhaustedEnd && owner === arena) return { start, end }
        lastEnd = end
      }
      const range = { start: lastEnd, end: lastEnd + size }
      batch.put(inodeRangeAllocationTable, range.end, { arena, start: range.start })
      return range
    })
  }

  /** Every allocation in inode order. */
  async * all (): AsyncGenerator<RangeAllocation> {
    for await (const [end, { arena, start }] of this.store.scan(inodeRangeAllocationTable)) {
      yield { arena, start, end }
    }
  }
}
