import { hashRange } from '../real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import type { FetchContext, FetchRun, RangeRequest } from './source.js'

/**
 * Ranges compared when a downloaded blob does not verify: small enough that
 * a bad chunk costs little to rebuild, large enough that a 1 GiB file is
 * 256 hashes in a few hash-protocol requests.
 */
export const REPAIR_RANGE_BYTES = 4 * 1024 * 1024

export interface RepairSummary {
  /** Ranges that differed from the peer's. */
  ranges: number
  /** Bytes received (rsync literals, or the plain copy a bad delta fell back to). */
  fetched: number
}

/**
 * Repairs a complete blob that failed verification (spec section 6): the
 * peer hashes fixed ranges of its version (hash protocol), we hash ours,
 * and each range that differs is rebuilt in place with rsync against what
 * the blob holds (repairRange: a bad delta falls back to a plain copy of
 * the range {#testretries}). The caller verifies again.
 */
export async function repair (ctx: FetchContext, blobId: number, req: RangeRequest, peer: string, run: FetchRun): Promise<RepairSummary> {
  const size = req.length
  const ranges: Array<{ offset: number, length: number }> = []
  for (let offset = 0; offset < size; offset += REPAIR_RANGE_BYTES) ranges.push({ offset, length: Math.min(REPAIR_RANGE_BYTES, size - offset) })
  const theirs = await ctx.source.hashRanges(peer, { arena: req.arena, path: req.path, hash: req.hash }, ranges, size, { signal: run.signal })
  const file = ctx.blobs.pathOf(blobId)
  const bad: Array<{ offset: number, length: number }> = []
  for (const r of theirs) {
    if (!('hash' in r)) continue
    const mine = await hashRange(file, r.offset, r.offset + r.length, { signal: run.signal })
    if (!hashEquals(mine.hash, r.hash)) bad.push({ offset: r.offset, length: r.length })
  }
  const summary: RepairSummary = { ranges: bad.length, fetched: 0 }
  if (bad.length === 0) return summary
  const handle = await ctx.blobs.open(blobId, { write: true })
  try {
    for (const r of bad) {
      const basis = { reader: { read: async (into: Uint8Array, pos: number) => await handle.read(into, r.offset + pos, into.byteLength) }, length: r.length, inPlace: true }
      const result = await ctx.source.rsync(peer, { ...req, offset: r.offset, length: r.length }, basis, async (data, offset) => { await handle.write(data, r.offset + offset) }, { signal: run.signal })
      const fetched = (result.method === 'copy' ? r.length : 0) + (result.rsync?.literalBytes ?? 0)
      summary.fetched += fetched
      ctx.log.info({ path: req.path, offset: r.offset, length: r.length, method: result.method, fetched, rsyncError: result.rsyncError?.message, event: 'range-repaired' }, 'repaired a range that did not match the peer\'s')
    }
  } finally {
    await handle.close()
  }
  return summary
}
