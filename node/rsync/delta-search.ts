import { createHash, hash as oneShotHash, type Hash as CryptoHash } from 'node:crypto'
import { asHash } from '../types/hash.js'
import { BlockTable } from './block-table.js'
import { weakSum } from './rolling.js'
import { blockLength, STRONG_BYTES, type Signature } from './signature.js'
import type { DeltaOp, DeltaOptions, DeltaSummary } from './delta.js'

/** Literal bytes per op at most, unless the caller says otherwise: the wire's frame budget. */
export const DEFAULT_MAX_LITERAL = 256 * 1024

/**
 * The state of one delta search (delta.ts drives it): the window buffer,
 * the rolling sums, the pending copy run and the ops ready to go out.
 */
/** The search state; methods are small and synchronous so V8 keeps them hot. */
export class DeltaState {
  buf = new Uint8Array(0)
  /** Absolute offset of buf[0], and just past its last valid byte. */
  bufStart = 0
  bufEnd = 0
  /** Start of the window being tested; bytes in [litStart, pos) are literal. */
  pos = 0
  litStart = 0
  readonly maxLiteral: number
  readonly hash: CryptoHash | undefined
  private readonly inPlace: boolean
  private readonly table: BlockTable
  private a = 0
  private b = 0
  private weakHit = 0
  private runBlock = -1
  private runCount = 0
  private runTarget = 0
  private readonly out: DeltaOp[] = []
  private identical = true
  private literalBytes = 0
  private copiedBytes = 0

  constructor (readonly sig: Signature, readonly length: number, options: DeltaOptions) {
    this.table = new BlockTable(sig)
    this.maxLiteral = Math.max(1, options.maxLiteral ?? DEFAULT_MAX_LITERAL)
    this.hash = options.rangeHash === true ? createHash('sha256') : undefined
    this.inPlace = options.inPlace === true
  }

  /** In place, a block the writes already passed may hold new data: not a source any more. */
  usable (block: number, at = this.pos): boolean {
    return !this.inPlace || block * this.sig.blockSize >= at
  }

  * drain (): Generator<DeltaOp> {
    if (this.out.length === 0) return
    const ops = this.out.splice(0)
    yield * ops
  }

  strongMatches (block: number, at: number, len: number): boolean {
    const i = at - this.bufStart
    const digest = oneShotHash('sha256', this.buf.subarray(i, i + len), 'buffer')
    const strong = this.sig.strong
    const base = block * STRONG_BYTES
    for (let k = 0; k < STRONG_BYTES; k++) if (digest[k] !== strong[base + k]) return false
    return true
  }

  startRolling (): void {
    const i = this.pos - this.bufStart
    const w = weakSum(this.buf, i, i + this.sig.blockSize)
    this.a = w & 0xffff
    this.b = w >>> 16
  }

  /**
   * Rolls from pos while no block has the window's weak sum. Returns true on
   * a weak hit at pos (chain in weakHit), false once pos reaches `limit`.
   */
  scan (limit: number): boolean {
    const { filter, filterShift, heads, headShift } = this.table
    const buf = this.buf
    const weak = this.sig.weak
    const L = this.sig.blockSize
    const base = this.bufStart
    let a = this.a
    let b = this.b
    let pos = this.pos
    let hit = false
    for (;;) {
      // BlockTable.first, inlined: this loop runs once per unmatched byte.
      const w = (a | (b << 16)) >>> 0
      const k = BlockTable.mix(w)
      const f = k >>> filterShift
      if ((filter[f >>> 3]! & (1 << (f & 7))) !== 0) {
        let c = heads[k >>> headShift]!
        while (c !== 0 && weak[c - 1] !== w) c = this.table.next(c - 1)
        if (c !== 0) {
          this.weakHit = c
          hit = true
          break
        }
      }
      if (pos >= limit) break
      const i = pos - base
      const out = buf[i]!
      a = (a - out + buf[i + L]!) & 0xffff
      b = (b - L * out + a) & 0xffff
      pos++
    }
    this.a = a
    this.b = b
    this.pos = pos
    return hit
  }

  rollOne (): void {
    const L = this.sig.blockSize
    const i = this.pos - this.bufStart
    const out = this.buf[i]!
    this.a = (this.a - out + this.buf[i + L]!) & 0xffff
    this.b = (this.b - L * out + this.a) & 0xffff
    this.pos++
  }

  /** The first block on the weak-hit chain whose strong sum matches at pos, or -1. */
  strongCandidate (): number {
    const L = this.sig.blockSize
    const w = (this.a | (this.b << 16)) >>> 0
    for (let c = this.weakHit; c !== 0; c = this.table.next(c - 1)) {
      const block = c - 1
      if (this.sig.weak[block] === w && blockLength(this.sig, block) === L && this.usable(block) && this.strongMatches(block, this.pos, L)) return block
    }
    return -1
  }

  /** Block `block` (of `len` bytes) matches at pos. */
  match (block: number, len: number): void {
    this.flushLiteral(this.pos)
    if (this.runBlock >= 0 && this.runBlock + this.runCount === block) {
      this.runCount++
    } else {
      this.flushRun()
      this.runBlock = block
      this.runCount = 1
      this.runTarget = this.pos
    }
    this.copiedBytes += len
    this.pos += len
    this.litStart = this.pos
  }

  /** With fewer than a block left: does the short last block end the data? */
  tail (last: number): void {
    const len = blockLength(this.sig, last)
    const at = this.length - len
    // A full-size last block was already tried by the search.
    if (len >= this.sig.blockSize || at < this.pos || !this.usable(last, at)) return
    const i = at - this.bufStart
    if (weakSum(this.buf, i, i + len) !== this.sig.weak[last] || !this.strongMatches(last, at, len)) return
    this.pos = at
    this.match(last, len)
  }

  flushRun (): void {
    if (this.runBlock < 0) return
    if (this.runBlock * this.sig.blockSize !== this.runTarget) this.identical = false
    this.out.push({ kind: 'copy', block: this.runBlock, count: this.runCount })
    this.runBlock = -1
  }

  /** Emits [litStart, end) as literal ops of at most maxLiteral bytes. */
  flushLiteral (end: number): void {
    if (end <= this.litStart) return
    this.flushRun()
    this.identical = false
    this.literalBytes += end - this.litStart
    for (let from = this.litStart; from < end; from += this.maxLiteral) {
      const to = Math.min(end, from + this.maxLiteral)
      this.out.push({ kind: 'literal', data: this.buf.slice(from - this.bufStart, to - this.bufStart) })
    }
    this.litStart = end
  }

  summary (): DeltaSummary {
    const s: DeltaSummary = {
      length: this.length,
      literalBytes: this.literalBytes,
      copiedBytes: this.copiedBytes,
      identical: this.identical && this.length === this.sig.length && this.copiedBytes === this.length
    }
    if (this.hash != null) {
      const d = this.hash.digest()
      s.hash = asHash(new Uint8Array(d.buffer, d.byteOffset, d.byteLength))
    }
    return s
  }
}
