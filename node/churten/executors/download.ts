import { ByteRanges } from '../../types/byte-ranges.js'
import { hashEquals, hashToHex } from '../../types/hash.js'
import { describeError, RealizeError, wrapError } from '../../types/errors.js'
import { AbandonedError, CancelledError } from '../errors.js'
import type { ExecutorContext } from './context.js'
import type { JobRun } from '../types.js'
import type { RelPath } from '../../types/path.js'
import type { Version } from '../../types/version.js'
import type { BlobHandle } from '../../blobs/blob-handle.js'

/** Bytes between checkpoints of the written ranges: what a crash may cost. */
const CHECKPOINT_EVERY = 8 * 1024 * 1024

/**
 * Download (spec section 6): into the chosen version's blob, resuming from
 * the ranges it already holds, checkpointing as it goes, then verify. A
 * mismatch is refetched once in full from another peer if there is one;
 * still wrong fails the job. Returns the blob id.
 */
export async function download (ctx: ExecutorContext, path: RelPath, version: Version, run: JobRun, options: { keep: boolean }): Promise<number> {
  const stat = await ctx.tree.statPath(path)
  if (stat?.kind !== 'file' || !hashEquals(stat.chosen.hash, version.hash)) throw new CancelledError(`${path}: the version to download is no longer chosen`)
  let blobId = stat.blobId
  let handle: BlobHandle | undefined
  const info = blobId == null ? undefined : await ctx.blobs.get(blobId)
  if (info != null && info.verified && hashEquals(info.hash, version.hash)) return info.id
  try {
    if (info != null && hashEquals(info.hash, version.hash)) {
      handle = await ctx.blobs.open(info.id, { write: true })
    } else {
      handle = await ctx.blobs.create(version.hash, version.size, { queue: options.keep ? 'protected' : 'working' })
      blobId = handle.id
      const id = blobId
      await ctx.tree.write(async (tx) => await tx.setBlob(path, version.hash, id))
    }
    const id = handle.id
    run.action('download')
    const peers = await ctx.source.peersWith(ctx.arena.name, path, version.hash)
    if (peers.length === 0) throw new AbandonedError(`${ctx.arena.name}/${path}: no connected peer has version ${hashToHex(version.hash).slice(0, 12)}`)
    await fetchMissing(ctx, handle, path, version, peers, run)
    await handle.checkpoint()
    await handle.close()
    handle = undefined
    run.action('verify')
    let result = await ctx.blobs.verify(id, { signal: run.signal })
    if (!result.ok && peers.length > 1) {
      // Repair: fetch everything again from the next peer (rsync repair replaces this once it lands).
      run.action('repair')
      handle = await ctx.blobs.open(id, { write: true })
      await fetchMissing(ctx, handle, path, version, peers.slice(1), run, true)
      await handle.checkpoint()
      await handle.close()
      handle = undefined
      result = await ctx.blobs.verify(id, { signal: run.signal })
    }
    if (!result.ok) throw new RealizeError('HASH_MISMATCH', `${ctx.arena.name}/${path}: downloaded content hashes to ${hashToHex(result.actual).slice(0, 12)}, expected ${hashToHex(version.hash).slice(0, 12)}`)
    return id
  } finally {
    await handle?.close().catch(() => {})
  }
}

async function fetchMissing (ctx: ExecutorContext, handle: BlobHandle, path: RelPath, version: Version, peers: string[], run: JobRun, all = false): Promise<void> {
  const want = ByteRanges.of([0, version.size])
  let missing = all ? want : want.difference(handle.written)
  let done = version.size - missing.bytes
  let sinceCheckpoint = 0
  const errors: unknown[] = []
  for (const peer of peers) {
    try {
      for (const r of missing.ranges) {
        let pos = r.start
        for await (const chunk of ctx.source.read(peer, ctx.arena.name, path, version.hash, r.start, r.end - r.start, { signal: run.signal })) {
          if (pos + chunk.byteLength > r.end) throw new RealizeError('PROTOCOL_VIOLATION', `peer ${peer} sent more than asked for`)
          await handle.write(chunk, pos)
          pos += chunk.byteLength
          done += chunk.byteLength
          sinceCheckpoint += chunk.byteLength
          run.progress(done, version.size)
          if (sinceCheckpoint >= CHECKPOINT_EVERY) {
            await handle.checkpoint()
            sinceCheckpoint = 0
          }
        }
      }
      missing = want.difference(handle.written)
      if (missing.isEmpty) return
    } catch (err) {
      if (run.signal.aborted) throw err
      errors.push(wrapError(`downloading ${ctx.arena.name}/${path} from ${peer}`, err))
      await handle.checkpoint().catch(() => {})
      missing = all ? missing : want.difference(handle.written)
    }
  }
  if (!missing.isEmpty) {
    throw new RealizeError('DOWNLOAD_FAILED', `${ctx.arena.name}/${path}: ${missing.bytes} bytes still missing`, { cause: errors[errors.length - 1] ?? describeError(errors) })
  }
}
