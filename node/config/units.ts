import { InvalidInputError } from '../../datastore/types/errors.js'

/**
 * Sizes, capacities and durations as written in realize.toml.
 * Sizes are 1024-based whatever the case of the suffix: nobody means
 * 1,000,000 bytes when they throttle a download to "1M".
 */

const SIZE_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['T', 1024 ** 4],
  ['G', 1024 ** 3],
  ['M', 1024 ** 2],
  ['k', 1024]
]

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i

export const SIZE_EXPECTED = 'expected a number of bytes with an optional k, M, G or T suffix, like "0", "512k", "1M" or "2G"'

/** Parses "0", "512k", "1M", "2G", "1.5G", "3MiB" or an integer number of bytes. */
export function parseSize (raw: unknown): number {
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    const n = Number(raw)
    if (Number.isSafeInteger(n) && n >= 0) return n
    throw new InvalidInputError('INVALID_SIZE', `invalid size ${String(raw)}: ${SIZE_EXPECTED}`)
  }
  if (typeof raw !== 'string') throw new InvalidInputError('INVALID_SIZE', `invalid size: ${SIZE_EXPECTED}`)
  const m = SIZE_RE.exec(raw.trim())
  if (m == null) throw new InvalidInputError('INVALID_SIZE', `invalid size ${JSON.stringify(raw)}: ${SIZE_EXPECTED}`)
  const unit = m[2] == null ? 1 : (SIZE_UNITS.find(([s]) => s.toLowerCase() === m[2]?.toLowerCase())?.[1] ?? 1)
  const n = Math.round(Number(m[1]) * unit)
  if (!Number.isSafeInteger(n)) throw new InvalidInputError('INVALID_SIZE', `invalid size ${JSON.stringify(raw)}: too large`)
  return n
}

/** The shortest exact spelling: 8388608 -> "8M", 1000 -> "1000". */
export function formatSize (bytes: number): string {
  for (const [suffix, unit] of SIZE_UNITS) {
    if (bytes !== 0 && bytes % unit === 0) return `${bytes / unit}${suffix}`
  }
  return String(bytes)
}

export type Capacity = { bytes: number } | { percent: number }

export const CAPACITY_EXPECTED = 'expected a percentage of the disk holding the data directory like "10%", or a size like "20G" or "512M"'

/** "10%" (of the file system holding the data directory) or a size; never zero. */
export function parseCapacity (raw: unknown): Capacity {
  if (typeof raw === 'string' && raw.trim().endsWith('%')) {
    const text = raw.trim().slice(0, -1).trim()
    const percent = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN
    if (!(percent > 0 && percent <= 100)) {
      throw new InvalidInputError('INVALID_CAPACITY', `invalid capacity ${JSON.stringify(raw)}: expected a percentage above 0% and at most 100% like "10%", or a size like "20G"`)
    }
    return { percent }
  }
  let bytes
  try {
    bytes = parseSize(raw)
  } catch {
    // The size parser's message would leave out the percentage form, the default's.
    throw new InvalidInputError('INVALID_CAPACITY', `invalid capacity ${typeof raw === 'string' ? JSON.stringify(raw) : String(raw)}: ${CAPACITY_EXPECTED}`)
  }
  if (bytes === 0) throw new InvalidInputError('INVALID_CAPACITY', `invalid capacity ${JSON.stringify(raw)}: the cache needs room for at least one block; use a size above 0 like "20G" or a percentage like "10%"`)
  return { bytes }
}

export function formatCapacity (capacity: Capacity): string {
  return 'percent' in capacity ? `${capacity.percent}%` : formatSize(capacity.bytes)
}

const DURATION_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000]
]

export const DURATION_EXPECTED = 'expected a whole number with a unit s, m, h, d or w, like "30d" or "12h"'

/** Parses "30d", "12h", "90m", "45s", "2w" into milliseconds. */
export function parseDuration (raw: unknown): number {
  const m = typeof raw === 'string' ? /^(\d+)\s*([smhdw])$/.exec(raw.trim()) : null
  if (m == null) throw new InvalidInputError('INVALID_DURATION', `invalid duration ${typeof raw === 'string' ? JSON.stringify(raw) : String(raw)}: ${DURATION_EXPECTED}`)
  const unit = DURATION_UNITS.find(([s]) => s === m[2])?.[1] ?? 1000
  const ms = Number(m[1]) * unit
  if (ms === 0 || !Number.isSafeInteger(ms)) throw new InvalidInputError('INVALID_DURATION', `invalid duration ${JSON.stringify(raw)}: must be above zero`)
  return ms
}

/** The largest exact unit: 2592000000 -> "30d"; sub-second remainders round up to whole seconds. */
export function formatDuration (ms: number): string {
  for (const [suffix, unit] of DURATION_UNITS) {
    if (ms % unit === 0) return `${ms / unit}${suffix}`
  }
  return `${Math.ceil(ms / 1000)}s`
}
