import { InvalidInputError } from './errors.js'

/** A half-open byte range [start, end). */
export interface ByteRange {
  start: number
  end: number
}

/**
 * An immutable set of byte positions kept as sorted, disjoint, non-adjacent
 * ranges: which parts of a blob were written, which are missing.
 */
export class ByteRanges {
  readonly ranges: readonly ByteRange[]

  private constructor (normalized: ByteRange[]) {
    this.ranges = normalized
  }

  static readonly EMPTY = new ByteRanges([])

  static of (...ranges: Array<[number, number] | ByteRange>): ByteRanges {
    const list = ranges.map((r) => Array.isArray(r) ? { start: r[0], end: r[1] } : { ...r })
    for (const r of list) {
      if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end) || r.start < 0 || r.end < r.start) {
        throw new InvalidInputError('INVALID_RANGE', `invalid byte range [${r.start}, ${r.end})`)
      }
    }
    return new ByteRanges(normalize(list))
  }

  get isEmpty (): boolean {
    return this.ranges.length === 0
  }

  /** Number of bytes covered. */
  get bytes (): number {
    let n = 0
    for (const r of this.ranges) n += r.end - r.start
    return n
  }

  union (other: ByteRanges): ByteRanges {
    return new ByteRanges(normalize([...this.ranges, ...other.ranges]))
  }

  intersection (other: ByteRanges): ByteRanges {
    const out: ByteRange[] = []
    let i = 0
    let j = 0
    while (i < this.ranges.length && j < other.ranges.length) {
      const a = this.ranges[i] as ByteRange
      const b = other.ranges[j] as ByteRange
      const start = Math.max(a.start, b.start)
      const end = Math.min(a.end, b.end)
      if (start < end) out.push({ start, end })
      if (a.end < b.end) i++
      else j++
    }
    return new ByteRanges(out)
  }

  difference (other: ByteRanges): ByteRanges {
    const out: ByteRange[] = []
    let j = 0
    for (const a of this.ranges) {
      let start = a.start
      while (j < other.ranges.length && (other.ranges[j] as ByteRange).end <= start) j++
      let k = j
      while (k < other.ranges.length && (other.ranges[k] as ByteRange).start < a.end) {
        const b = other.ranges[k] as ByteRange
        if (b.start > start) out.push({ start, end: b.start })
        start = Math.max(start, b.end)
        k++
      }
      if (start < a.end) out.push({ start, end: a.end })
    }
    return new ByteRanges(out)
  }

  /** True if every byte of [start, end) is in the set. */
  contains (start: number, end: number): boolean {
    if (end <= start) return true
    return this.ranges.some((r) => r.start <= start && end <= r.end)
  }

  /** Length of the run of present bytes starting at `offset` (0 if `offset` is missing). */
  availableFrom (offset: number): number {
    const r = this.ranges.find((r) => r.start <= offset && offset < r.end)
    return r == null ? 0 : r.end - offset
  }

  equals (other: ByteRanges): boolean {
    return this.ranges.length === other.ranges.length &&
      this.ranges.every((r, i) => r.start === other.ranges[i]?.start && r.end === other.ranges[i]?.end)
  }

  toJSON (): Array<[number, number]> {
    return this.ranges.map((r) => [r.start, r.end])
  }

  toString (): string {
    return this.ranges.map((r) => `[${r.start},${r.end})`).join(' ') || '∅'
  }
}

function normalize (list: ByteRange[]): ByteRange[] {
  const sorted = list.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start)
  const out: ByteRange[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last != null && r.start <= last.end) last.end = Math.max(last.end, r.end)
    else out.push({ start: r.start, end: r.end })
  }
  return out
}
