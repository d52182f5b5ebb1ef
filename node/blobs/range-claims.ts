import { ByteRanges } from '../../datastore/types/byte-ranges.js'

/**
 * Who is fetching which part of one open blob: a range reader (the mount,
 * `cat`) and a churten download of the same blob share it, so each chunk
 * has at most one writer and is fetched once. A chunk is claimed before
 * its bytes are asked from a peer and released as soon as they are in the
 * file (or the fetch failed: a waiter then finds it still missing and
 * claims it itself).
 *
 * Chunks are aligned to RANGE_CHUNK_BYTES, so two readers of nearby
 * offsets ask for the same chunk instead of overlapping ranges.
 */
export const RANGE_CHUNK_BYTES = 1024 * 1024

interface Pending {
  done: Promise<void>
  resolve: () => void
}

export class RangeClaims {
  private readonly pending = new Map<number, Pending>()

  /**
   * Claims the chunks overlapping [start, end) that are neither fully
   * written nor claimed by another writer. `fetch` is what the caller must
   * fetch now (its chunks minus what is written), `others` resolve when
   * another writer lets go of a chunk this range needs.
   */
  claim (written: ByteRanges, size: number, start: number, end: number): Claim {
    const mine: number[] = []
    const others: Array<Promise<void>> = []
    const first = Math.floor(start / RANGE_CHUNK_BYTES)
    const last = Math.ceil(Math.min(end, size) / RANGE_CHUNK_BYTES)
    for (let i = first; i < last; i++) {
      const [s, e] = chunkRange(i, size)
      if (written.contains(s, e)) continue
      const p = this.pending.get(i)
      if (p != null) {
        others.push(p.done)
        continue
      }
      let resolve = (): void => {}
      const done = new Promise<void>((r) => { resolve = r })
      this.pending.set(i, { done, resolve })
      mine.push(i)
    }
    const fetch = ByteRanges.of(...mine.map((i) => chunkRange(i, size))).difference(written)
    return new Claim(this, size, mine, fetch, others)
  }

  /** Lets waiters of chunk `i` go on. */
  release (i: number): void {
    this.pending.get(i)?.resolve()
    this.pending.delete(i)
  }

  /** Chunks claimed now (tests, status). */
  get size (): number { return this.pending.size }
}

export class Claim {
  private readonly held: Set<number>

  constructor (
    private readonly claims: RangeClaims,
    private readonly size: number,
    chunks: number[],
    /** What this writer fetches: its chunks, minus what was written already. */
    readonly fetch: ByteRanges,
    /** Chunks another writer is fetching: resolve when it lets go. */
    readonly others: ReadonlyArray<Promise<void>>
  ) {
    this.held = new Set(chunks)
  }

  /** Releases the claimed chunks that `written` now covers, so their waiters go on before the rest arrives. */
  progress (written: ByteRanges): void {
    for (const i of this.held) {
      const [s, e] = chunkRange(i, this.size)
      if (!written.contains(s, e)) continue
      this.held.delete(i)
      this.claims.release(i)
    }
  }

  /** Releases every chunk still held (the fetch ended, well or not). */
  release (): void {
    for (const i of this.held) this.claims.release(i)
    this.held.clear()
  }
}

function chunkRange (i: number, size: number): [number, number] {
  return [i * RANGE_CHUNK_BYTES, Math.min((i + 1) * RANGE_CHUNK_BYTES, size)]
}
