import { createHash, hash as oneShotHash, type Hash as CryptoHash } from 'node:crypto'
import { asHash } from '../../../datastore/types/hash.js'
import { BlockTable } from './block-table.js'
import { weakSum } from './rolling.js'
import { blockLength, STRONG_BYTES, type Signature } from './signature.js'
import type { DeltaOp, DeltaOptions, DeltaSummary } from './delta.js'

/** Literal bytes per op at most, unless the caller says otherwise: the wire's frame budget. */
export const DEFAULT_MAX_LITERAL = 256 * 1024

/**
 * The search's work budget, in bytes strong-hashed (a chain step counts as
 * CHAIN_STEP_COST): BUDGET_PER_BYTE per byte of new data plus BUDGET_FLOOR.
 * An honest search hashes each matched block once and rarely a false weak
 * hit (about 1.1x the data on unrelated data, scripts/bench-rsync.ts); a
 * signature made to collide (every block with the weak sum of a run of
 * zeros) would otherwise cost a strong hash per offset per block. Past the
 * budget the rest of the data goes out as literal: still a correct delta,
 * and the work stays proportional to the data served.
 */
export const BUDGET_PER_BYTE = 4
export const BUDGET_FLOOR = 64 * 1024 * 1024
export const CHAIN_STEP_COST = 64
/** Chains longer than this are looked up by strong sum (sorted, binary search) instead of walked. */
export const SHORT_CHAIN = 8

export function defaultDeltaBudget (length: number): number {
  return BUDGET_FLOOR + BUDGET_PER_BYTE * length
}

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
  /** Work done so far (see BUDGET_PER_BYTE); past `budget` the search stops and the rest is literal. */
  spent = 0
  readonly budget: number
  exhausted = false
  /** The strong hash of the window [digestAt, digestAt + digestLen): each window is hashed at most once. */
  private digest: Uint8Array | undefined
  private digestAt = -1
  private digestLen = 0
  /** Weak sum -> its blocks sorted by (strong sum, index), built for long chains only. */
  private readonly groups = new Map<number, Int32Array>()
  private identical = true
  private literalBytes = 0
  private copiedBytes = 0

  constructor (readonly sig: Signature, readonly length: number, options: DeltaOptions) {
    this.table = new BlockTable(sig)
    this.maxLiteral = Math.max(1, options.maxLiteral ?? DEFAULT_MAX_LITERAL)
    this.hash = options.rangeHash === true ? createHash('sha256') : undefined
    this.inPlace = options.inPlace === true
    this.budget = options.budget ?? defaultDeltaBudget(length)
  }

  /** Adds work; false (and exhausted) once past the budget. */
  charge (units: number): boolean {
    this.spent += units
    if (this.spent > this.budget) this.exhausted = true
    return !this.exhausted
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

  /** The strong hash of [at, at + len), computed once per window. */
  windowDigest (at: number, len: number): Uint8Array {
    if (this.digest == null || this.digestAt !== at || this.digestLen !== len) {
      this.charge(len)
      const i = at - this.bufStart
      this.digest = oneShotHash('sha256', this.buf.subarray(i, i + len), 'buffer')
      this.digestAt = at
      this.digestLen = len
    }
    return this.digest
  }

  strongMatches (block: number, at: number, len: number): boolean {
    return this.compareStrong(block, this.windowDigest(at, len)) === 0
  }

  /** Block's strong sum against a digest's first STRONG_BYTES: <0, 0, >0. */
  private compareStrong (block: number, digest: Uint8Array): number {
    const strong = this.sig.strong
    const base = block * STRONG_BYTES
    for (let k = 0; k < STRONG_BYTES; k++) {
      const d = strong[base + k]! - digest[k]!
      if (d !== 0) return d
    }
    return 0
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
        let steps = 0
        while (c !== 0 && weak[c - 1] !== w) {
          c = this.table.next(c - 1)
          steps++
        }
        // A bucket filled with other weak sums (made to collide) costs its walk.
        if (steps > SHORT_CHAIN && !this.charge(steps * CHAIN_STEP_COST)) break
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

  /**
   * The first usable block with the window's weak sum whose strong sum
   * matches at pos, or -1. The window is hashed once whatever the chain;
   * a short chain is walked, a long one (many equal blocks, or a signature
   * made to collide) looked up by strong sum in its sorted group.
   */
  strongCandidate (): number {
    const L = this.sig.blockSize
    const w = (this.a | (this.b << 16)) >>> 0
    let steps = 0
    for (let c = this.weakHit; c !== 0; c = this.table.next(c - 1)) {
      if (++steps > SHORT_CHAIN) return this.groupCandidate(w)
      const block = c - 1
      if (this.sig.weak[block] === w && blockLength(this.sig, block) === L && this.usable(block) && this.strongMatches(block, this.pos, L)) return block
    }
    return -1
  }

  private groupCandidate (w: number): number {
    const group = this.group(w)
    if (group == null || group.length === 0) return -1
    const digest = this.windowDigest(this.pos, this.sig.blockSize)
    // Lower bound of the digest, then (in place) of the first usable block in its run.
    let lo = 0
    let hi = group.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.compareStrong(group[mid]!, digest) < 0) lo = mid + 1
      else hi = mid
    }
    let end = lo
    for (let step = 1; end < group.length && this.compareStrong(group[end]!, digest) === 0; step *= 2) end = Math.min(group.length, end + step)
    // [lo, end) holds every equal strong sum and maybe a few after: narrow to the equal run.
    let runEnd = lo
    let top = end
    while (runEnd < top) {
      const mid = (runEnd + top) >>> 1
      if (this.compareStrong(group[mid]!, digest) === 0) runEnd = mid + 1
      else top = mid
    }
    this.charge(CHAIN_STEP_COST * 2 * Math.ceil(Math.log2(group.length + 1)))
    if (lo === runEnd) return -1
    if (!this.inPlace) return group[lo]!
    const minBlock = Math.ceil(this.pos / this.sig.blockSize)
    while (lo < runEnd) {
      const mid = (lo + runEnd) >>> 1
      if (group[mid]! < minBlock) lo = mid + 1
      else runEnd = mid
    }
    return lo < group.length && this.compareStrong(group[lo]!, digest) === 0 && this.usable(group[lo]!) ? group[lo]! : -1
  }

  /** The full-size blocks with weak sum `w`, sorted by (strong sum, index); built once, charged to the budget. */
  private group (w: number): Int32Array | undefined {
    const known = this.groups.get(w)
    if (known != null) return known
    const L = this.sig.blockSize
    const blocks: number[] = []
    let steps = 0
    for (let c = this.table.first(w); c !== 0; c = this.table.next(c - 1)) {
      steps++
      if (this.sig.weak[c - 1] === w && blockLength(this.sig, c - 1) === L) blocks.push(c - 1)
    }
    // Refuse before sorting what the budget could not pay for.
    if (!this.charge(CHAIN_STEP_COST * (steps + blocks.length * Math.ceil(Math.log2(blocks.length + 1))))) return undefined
    const group = Int32Array.from(blocks).sort((x, y) => {
      const d = this.compareStrong(x, this.sig.strong.subarray(y * STRONG_BYTES, (y + 1) * STRONG_BYTES))
      return d !== 0 ? d : x - y
    })
    this.groups.set(w, group)
    return group
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
