import { hashEquals, hashToHex, type Hash } from './hash.js'

/** One file content: its hash, size in bytes and modification time (ms since epoch, fractional). */
export interface Version {
  hash: Hash
  size: number
  mtime: number
}

export function sameVersion (a: Version | undefined, b: Version | undefined): boolean {
  if (a == null || b == null) return a === b
  return a.size === b.size && a.mtime === b.mtime && hashEquals(a.hash, b.hash)
}

export function describeVersion (v: Version): string {
  return `${hashToHex(v.hash).slice(0, 12)} (${v.size} bytes, ${new Date(v.mtime).toISOString()})`
}
