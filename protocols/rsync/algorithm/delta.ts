import { DeltaState } from './delta-search.js'
import { readChunks, type RangeReader } from '../../common/reader.js'
import { blockLength, checkSignature, type Signature } from './signature.js'
import type { Hash } from '../../../datastore/types/hash.js'

/**
 * A delta rebuilds the new data from the basis: `copy` takes `count` basis
 * blocks starting at `block`, `literal` carries bytes the basis lacks.
 */
export type DeltaOp =
  | { kind: 'copy', block: number, count: number }
  | { kind: 'literal', data: Uint8Array }

export interface DeltaSummary {
  /** Bytes of new data described. */
  length: number
  literalBytes: number
  copiedBytes: number
  /**
   * The new data equals the basis: every block copied to its own offset,
   * same length, no literal {#emptydelta}. Such a delta is then one copy op.
   */
  identical: boolean
  /** SHA-256 of the new data, when asked for with `rangeHash`. */
  hash?: Hash
}

export interface DeltaOptions {
  signal?: AbortSignal
  /** Literal bytes per op at most (default 256 KiB): the wire message cap. */
  maxLiteral?: number
  /** Bytes per read (default 4 MiB). */
  chunkSize?: number
  /** Also hash the new data (one more SHA-256 pass) so the receiver can check its result. */
  rangeHash?: boolean
  /**
   * The receiver rebuilds over the basis itself: only copy blocks that sit
   * at or after the write position, which the writes have not reached yet
   * (rsync --inplace). In-place copies then need no write at all.
   */
  inPlace?: boolean
  /**
   * Work allowed, in bytes strong-hashed (default defaultDeltaBudget(length):
   * 64 MiB + 4 per byte of data); past it the rest of the data is literal.
   */
  budget?: number
}

export { DEFAULT_MAX_LITERAL, defaultDeltaBudget } from './delta-search.js'

/**
 * The delta that turns the basis described by `sig` into `[0, length)` of
 * `reader`. Streams: memory is one read chunk plus one block, whatever the
 * length. Matching, as in rsync:
 *
 *   at pos, after a match ── next basis block in sequence? (one strong hash)
 *        │ no                          │ yes: extend the copy run
 *        ▼
 *   roll the weak sum byte by byte ── bucket hit with equal weak sum?
 *        │ strong hash equal: copy       │ else the byte becomes literal
 *
 * Only the basis's last block may be short; it matches only where it ends
 * the new data (rsync also tries it at other offsets: rare, not worth it).
 */
export async function * generateDelta (sig: Signature, reader: RangeReader, length: number, options: DeltaOptions = {}): AsyncGenerator<DeltaOp, DeltaSummary, undefined> {
  checkSignature(sig)
  const s = new DeltaState(sig, length, options)
  const chunkSize = Math.max(options.chunkSize ?? 4 * 1024 * 1024, sig.blockSize)
  const chunks = readChunks(reader, length, { chunkSize, signal: options.signal })
  s.buf = new Uint8Array(chunkSize + sig.blockSize)
  const L = sig.blockSize
  const n = sig.weak.length

  // Makes [pos, min(need, length)) available in buf, sliding the window down.
  const fill = async (need: number): Promise<void> => {
    while (s.bufEnd < Math.min(need, length)) {
      s.flushLiteral(s.pos)
      s.buf.copyWithin(0, s.pos - s.bufStart, s.bufEnd - s.bufStart)
      s.bufStart = s.pos
      const r = await chunks.next()
      if (r.done === true) break
      s.buf.set(r.value, s.bufEnd - s.bufStart)
      s.bufEnd += r.value.byteLength
      s.hash?.update(r.value)
    }
  }

  try {
    let expect = 0
    outer: for (;;) {
      await fill(s.pos + L)
      yield * s.drain()
      if (n === 0 || length - s.pos < L || s.exhausted) break
      // Fast path: data that matched goes on matching the next basis block.
      if (expect < n && blockLength(sig, expect) === L && s.usable(expect) && s.strongMatches(expect, s.pos, L)) {
        s.match(expect, L)
        expect++
        continue
      }
      s.startRolling()
      for (;;) {
        const limit = Math.min(length - L, s.bufEnd - L, s.litStart + s.maxLiteral)
        if (s.scan(limit)) {
          const c = s.strongCandidate()
          if (c >= 0) {
            s.match(c, L)
            expect = c + 1
            continue outer
          }
        }
        // Out of budget: the rest goes out as literal.
        if (s.exhausted) break outer
        // The last full window did not match: on to the tail.
        if (s.pos >= length - L) break outer
        if (s.pos - s.litStart >= s.maxLiteral) {
          s.flushLiteral(s.pos)
          yield * s.drain()
        }
        if (s.pos + L >= s.bufEnd) {
          await fill(s.pos + L + 1)
          yield * s.drain()
        }
        s.rollOne()
      }
    }
    // Fewer than L bytes left (or no basis blocks): the short last block or literal.
    if (n > 0 && !s.exhausted) s.tail(n - 1)
    while (s.litStart < length) {
      s.pos = s.bufEnd
      s.flushLiteral(s.pos)
      yield * s.drain()
      if (s.bufEnd < length) await fill(s.bufEnd + 1)
    }
    s.flushRun()
    yield * s.drain()
  } finally {
    await chunks.return(undefined)
  }
  return s.summary()
}
