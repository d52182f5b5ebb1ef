import type { Signature } from './signature.js'

const GOLDEN = 0x9e3779b1

/**
 * Weak sum -> blocks, as flat typed arrays instead of a Map: the delta search
 * probes it at every byte offset that does not match, so a probe must be a
 * multiply, a shift and one array read.
 *
 * Where data does not match, the cost is the branch on "is there a block
 * with this weak sum?" mispredicting: a bit filter with about 64 bits per
 * block (1 in 45 probes pass) in front of the buckets made unrelated data
 * about 1.5x faster than buckets alone (scripts/bench-rsync.ts). Blocks with
 * equal bucket chain through `next`, lowest index first, so identical data
 * matches in order.
 */
export class BlockTable {
  /** Bit i set: some block's weak sum hashes to filter index i. */
  readonly filter: Uint8Array
  readonly filterShift: number
  /** Bucket -> first block index + 1 (0 = empty). */
  readonly heads: Int32Array
  readonly headShift: number
  private readonly nextOf: Int32Array

  constructor (readonly sig: Signature) {
    const n = sig.weak.length
    const fbits = log2Between(n * 64, 16, 26)
    const hbits = Math.min(fbits, log2Between(n * 2, 4, 26))
    this.filterShift = 32 - fbits
    this.headShift = 32 - hbits
    this.filter = new Uint8Array(1 << (fbits - 3))
    this.heads = new Int32Array(1 << hbits)
    this.nextOf = new Int32Array(n)
    // Inserting from the end leaves the lowest index at the head of each chain.
    for (let i = n - 1; i >= 0; i--) {
      const k = BlockTable.mix(sig.weak[i]!)
      const f = k >>> this.filterShift
      this.filter[f >>> 3] = this.filter[f >>> 3]! | (1 << (f & 7))
      const bucket = k >>> this.headShift
      this.nextOf[i] = this.heads[bucket]!
      this.heads[bucket] = i + 1
    }
  }

  /** The hash both tables are indexed by (top bits). */
  static mix (weak: number): number {
    return Math.imul(weak, GOLDEN)
  }

  /** The first block index + 1 that may have this weak sum, 0 if none. */
  first (weak: number): number {
    const k = BlockTable.mix(weak)
    const f = k >>> this.filterShift
    if ((this.filter[f >>> 3]! & (1 << (f & 7))) === 0) return 0
    return this.heads[k >>> this.headShift]!
  }

  /** The next block index + 1 after `index` in its bucket, 0 if none. */
  next (index: number): number {
    return this.nextOf[index]!
  }
}

/** log2 of the power of two at or above `x`, clamped to [min, max]. */
function log2Between (x: number, min: number, max: number): number {
  let bits = min
  while (bits < max && 2 ** bits < x) bits++
  return bits
}
