import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { asHash, hashEquals, type Hash } from '../../datastore/types/hash.js'
import { describeError, RealizeError } from '../../datastore/types/errors.js'
import { REPAIR_RANGE_BYTES } from './repair.js'
import { hashRange } from '../real/hasher.js'
import type { FetchContext, FetchRun, RangeRequest } from './source.js'
import type { BlobHandle } from '../blobs/blob-handle.js'
import type { RsyncBasis } from '../../protocols/rsync/client.js'
import type { DownloadResult } from './download.js'

/**
 * Delta downloads {#delta}, the part of a download that rebuilds a new
 * version from a local earlier one (download.ts decides when): rsync
 * against the whole basis, or, for a basis of the same size or shorter
 * (appended to), range hashes of the basis's part first and rsync only
 * where they differ {#sizebeforehash}.
 */

/** A local earlier version of the file {#delta}: only ever read. */
export interface LocalBasis {
  /** A real file in the arena root (the version a realize replaces). */
  file: string
}

/**
 * Delta download {#delta}: a new, empty blob is rebuilt with rsync from a
 * local earlier version (the real file being replaced, or the previous
 * version's complete blob): matching blocks are copied locally, only the
 * differing ones come over the wire. The basis is only read. A failure
 * here is not fatal: the plain path fetches whatever is still missing.
 * Returns the new content's hash when it was written whole and in order
 * (verify need not read it again).
 */
export async function fromBasis (ctx: FetchContext, handle: BlobHandle, req: RangeRequest, basisBlobId: number | undefined, local: LocalBasis | undefined, peer: string, run: FetchRun, result: DownloadResult): Promise<Hash | undefined> {
  const basis = await openBasis(ctx, basisBlobId, local)
  if (basis == null) return undefined
  let hashed: Hash | undefined
  try {
    const write = async (data: Uint8Array, offset: number): Promise<void> => {
      await handle.write(data, offset)
      run.progress(handle.written.bytes, req.length)
    }
    // Same size (an edit in place) or shorter with at least one whole range (an appended log, a growing file).
    const local = basis.basis.length
    const byRanges = basis.file != null && local <= req.length && req.length > REPAIR_RANGE_BYTES && local >= REPAIR_RANGE_BYTES
      ? await rangeDelta(ctx, handle, req, basis as OpenBasis & { file: string }, peer, run, result)
      : 'whole'
    if (byRanges !== 'whole') {
      hashed = byRanges ?? undefined
    } else {
      const r = await ctx.source.rsync(peer, req, basis.basis, write, { signal: run.signal })
      result.fetched += r.rsync?.literalBytes ?? (r.method === 'copy' ? req.length : 0)
      result.fromBasis += r.rsync?.copiedBytes ?? 0
      ctx.log.debug({ path: req.path, basis: basis.what, method: r.method, literal: r.rsync?.literalBytes, copied: r.rsync?.copiedBytes }, 'delta download')
    }
    result.method = 'delta'
    await handle.checkpoint()
    return hashed
  } catch (err) {
    if (run.signal.aborted) throw err
    ctx.log.info({ path: req.path, basis: basis.what, err: describeError(err) }, 'delta download failed; fetching the rest plainly')
    await handle.checkpoint().catch(() => {})
    return undefined
  } finally {
    await basis.close()
  }
}

interface OpenBasis {
  basis: RsyncBasis
  what: string
  /** The basis's file, to hash ranges of it. */
  file?: string
  close: () => Promise<void>
}

/**
 * A delta against a basis of the same size (an edit in place, the common
 * case) or a shorter one (an appended log, a growing file): the peer hashes
 * fixed ranges of its version (hash protocol) while we hash the same ranges
 * of the basis; equal ranges are copied from the basis, and only the others
 * go through rsync. Only ranges inside the basis are hashed, on either side
 * {#sizebeforehash}: one that runs past its end is rebuilt by rsync against
 * what the basis has of it, and one wholly past it is read plainly. A
 * shorter basis whose old part changed too (an insertion) answers 'whole'
 * before writing anything: the caller rsyncs against the whole basis.
 * Otherwise the new content's hash when written in order, else null.
 * Signatures over the whole basis (rolling sums in JavaScript) cost seconds
 * per GiB; this costs one hash pass of the basis on each side, run at once.
 */
async function rangeDelta (ctx: FetchContext, handle: BlobHandle, req: RangeRequest, basis: OpenBasis & { file: string }, peer: string, run: FetchRun, result: DownloadResult): Promise<Hash | null | 'whole'> {
  const size = req.length
  const local = basis.basis.length
  const ranges: Array<{ offset: number, length: number }> = []
  for (let offset = 0; offset < size; offset += REPAIR_RANGE_BYTES) ranges.push({ offset, length: Math.min(REPAIR_RANGE_BYTES, size - offset) })
  const inside = ranges.filter((r) => r.offset + r.length <= local)
  const [theirs, mine] = await Promise.all([
    ctx.source.hashRanges(peer, { arena: req.arena, path: req.path, hash: req.hash }, ranges, local, { signal: run.signal }),
    hashRanges(basis.file, inside, run.signal)
  ])
  const same = (i: number): boolean => {
    const t = theirs[i]
    const m = mine[i]
    return t != null && 'hash' in t && m != null && t.offset === ranges[i]!.offset && hashEquals(t.hash, m)
  }
  const hashed = inside.reduce((n, r) => n + r.length, 0)
  const differing = inside.filter((_, i) => !same(i)).length
  const log = { path: req.path, basis: basis.what, basisSize: local, size, ranges: ranges.length, hashed, differing, event: 'delta-by-ranges' }
  if (local < size && differing > 0) {
    // Not just appended to: bytes inserted before the end shift the blocks
    // of every later range past its own slice of the basis (by more than a
    // range, no block would be found). Nothing is written yet.
    ctx.log.debug({ ...log, whole: true }, 'the old part changed too: rsync against the whole basis')
    return 'whole'
  }
  const buf = Buffer.allocUnsafe(REPAIR_RANGE_BYTES)
  // The new content is written front to back: hashed on the way, unless a write comes out of order.
  let hasher: ReturnType<typeof createHash> | undefined = createHash('sha256')
  let next = 0
  const write = async (data: Uint8Array, offset: number): Promise<void> => {
    if (offset !== next) hasher = undefined
    hasher?.update(data)
    next = offset + data.byteLength
    await handle.write(data, offset)
  }
  for (const [i, range] of ranges.entries()) {
    run.signal.throwIfAborted()
    if (same(i)) {
      let n = 0
      while (n < range.length) {
        const got = await basis.basis.reader.read(buf.subarray(n, range.length), range.offset + n)
        if (got === 0) throw new RealizeError('BASIS_CHANGED', `${req.path}: the basis ended early`)
        n += got
      }
      await write(buf.subarray(0, range.length), range.offset)
      result.fromBasis += range.length
    } else if (range.offset >= local) {
      // Wholly new bytes: nothing to rebuild them from.
      result.fetched += await ctx.source.read(peer, { ...req, offset: range.offset, length: range.length }, write, { signal: run.signal })
    } else {
      const rangeBasis: RsyncBasis = { reader: { read: async (into, pos) => await basis.basis.reader.read(into, range.offset + pos) }, length: Math.min(range.length, local - range.offset) }
      const r = await ctx.source.rsync(peer, { ...req, offset: range.offset, length: range.length }, rangeBasis, async (data, offset) => { await write(data, range.offset + offset) }, { signal: run.signal })
      result.fetched += r.rsync?.literalBytes ?? (r.method === 'copy' ? range.length : 0)
      result.fromBasis += r.rsync?.copiedBytes ?? 0
    }
    run.progress(handle.written.bytes, size)
  }
  ctx.log.debug({ ...log, fetched: result.fetched, hashedInOrder: hasher != null }, 'delta download by range hashes')
  return hasher == null || next !== size ? null : asHash(new Uint8Array(hasher.digest()))
}

/** SHA-256 of each range of `file`, in order. */
async function hashRanges (file: string, ranges: ReadonlyArray<{ offset: number, length: number }>, signal: AbortSignal): Promise<Hash[]> {
  const out: Hash[] = []
  for (const r of ranges) out.push((await hashRange(file, r.offset, r.offset + r.length, { signal })).hash)
  return out
}

async function openBasis (ctx: FetchContext, basisBlobId: number | undefined, local: LocalBasis | undefined): Promise<OpenBasis | undefined> {
  if (local != null) {
    let fh: FileHandle | undefined
    try {
      fh = await open(local.file, 'r')
      const st = await fh.stat()
      if (st.isFile() && st.size > 0) {
        const f = fh
        return { basis: { reader: { read: async (into, pos) => (await f.read(into, 0, into.byteLength, pos)).bytesRead }, length: st.size }, what: 'real file', file: local.file, close: async () => { await f.close() } }
      }
      await fh.close()
    } catch {
      await fh?.close().catch(() => {})
    }
  }
  if (basisBlobId == null) return undefined
  const info = await ctx.blobs.get(basisBlobId).catch(() => undefined)
  if (info == null || info.size === 0 || !(info.verified || info.written.contains(0, info.size))) return undefined
  const h = await ctx.blobs.open(basisBlobId).catch(() => undefined)
  if (h == null) return undefined
  return { basis: { reader: { read: async (into, pos) => await h.read(into, pos, into.byteLength) }, length: info.size }, what: `blob ${basisBlobId}`, file: ctx.blobs.pathOf(basisBlobId), close: async () => { await h.close() } }
}
