import { createHash } from 'node:crypto'
import { ByteRanges } from '../../datastore/types/byte-ranges.js'
import { asHash, hashEquals, hashToHex, type Hash } from '../../datastore/types/hash.js'
import { RealizeError } from '../../datastore/types/errors.js'
import { CancelledError, HashMismatchError, NoPeerError } from './errors.js'
import { repair } from './repair.js'
import { fromBasis, type LocalBasis } from './delta.js'
import { pieces, type BlobBytes } from '../../protocols/blob/bytes.js'
import type { FetchContext, FetchRun, RangeRequest } from './source.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Version } from '../../datastore/types/version.js'
import type { BlobHandle } from '../blobs/blob-handle.js'
import type { UnrealFileStat } from '../unreal/unreal-tree.js'
import { RANGE_CHUNK_BYTES } from '../blobs/range-claims.js'

export type { LocalBasis } from './delta.js'

/** Bytes between checkpoints of the written ranges: what a crash may cost. */
export const CHECKPOINT_EVERY = 8 * 1024 * 1024

/**
 * Chunk writes (256 KiB each, 8 MiB in all) in flight while the next chunks
 * arrive, so the file system's latency overlaps the network's instead of
 * adding to it. 32 beat 8 and 1 in scripts/bench-sync.ts; gathering chunks
 * into 1-4 MiB writes was slower (docs/BENCHMARKS.md).
 */
export const WRITES_AHEAD = 32

export interface DownloadOptions {
  /** A `keep` download: the blob goes to the protected queue. */
  keep: boolean
  /** The real file being replaced, if any; else the tree's previous blob is tried. */
  basis?: LocalBasis
  /** The unreal tree's entry for the file, if the caller just read it (chosenStat). */
  stat?: UnrealFileStat
}

/** The tree's entry for `path`, which must still serve `version`; else the job is stale. */
export async function chosenStat (ctx: FetchContext, path: RelPath, version: Version): Promise<UnrealFileStat> {
  const stat = await ctx.tree.statPath(path)
  if (stat?.kind !== 'file' || !hashEquals(stat.chosen.hash, version.hash)) throw new CancelledError(`${path}: the version to fetch is no longer chosen`)
  return stat
}

export interface DownloadResult {
  blobId: number
  /** Bytes received from peers for this job (blob chunks and rsync literals). */
  fetched: number
  /** Bytes the blob held already when the job started (a resumed download). */
  resumed: number
  /** Bytes rebuilt from a local basis {#delta}. */
  fromBasis: number
  /** How the job got its bytes. */
  method: 'cached' | 'plain' | 'delta'
}

/**
 * Download (spec section 6):
 *
 *   chosen version's blob (resume: keep what it holds) ─> empty and a local basis? ─> rsync against it {#delta}
 *     ─> missing ranges from one peer (checkpoint every 8 MiB) ─> verify
 *     ─> mismatch: hash ranges with the peer, rsync the bad ones in place ─> verify again ─> still wrong: fail
 *
 * One peer per attempt: a failure fails the job, and the retry (backoff)
 * takes the next peer that has the version (`run.attempt`).
 */
export async function download (ctx: FetchContext, path: RelPath, version: Version, run: FetchRun, options: DownloadOptions): Promise<DownloadResult> {
  const { arena, tree, blobs, source } = ctx
  const stat = options.stat ?? await chosenStat(ctx, path, version)
  const info = stat.blobId == null ? undefined : await blobs.get(stat.blobId)
  const usable = info != null && hashEquals(info.hash, version.hash) && info.size === version.size
  if (usable && info.verified) return { blobId: info.id, fetched: 0, resumed: version.size, fromBasis: 0, method: 'cached' }

  const peers = source.peersWith(arena.name, stat.peers, version.hash)
  if (peers.length === 0) throw new NoPeerError(`${arena.name}/${path}: no connected peer has version ${hashToHex(version.hash).slice(0, 12)}`)
  const peer = peers[run.attempt % peers.length] as string

  let handle: BlobHandle | undefined
  try {
    if (usable) {
      handle = await blobs.open(info.id, { write: true })
    } else {
      handle = await blobs.create(version.hash, version.size, { queue: options.keep ? 'protected' : 'working' })
      const id = handle.id
      if (!await tree.setBlob(path, version.hash, id)) throw new CancelledError(`${path}: the version to download is no longer chosen`)
    }
    const id = handle.id
    const req: RangeRequest = { arena: arena.name, path, hash: version.hash, offset: 0, length: version.size }
    const result: DownloadResult = { blobId: id, fetched: 0, resumed: handle.written.bytes, fromBasis: 0, method: 'plain' }
    run.action('download')
    run.progress(handle.written.bytes, version.size)
    const rebuilt = handle.written.isEmpty && version.size > 0 ? await fromBasis(ctx, handle, req, stat.basisBlobId, options.basis, peer, run, result) : undefined
    const hashed = await fetchMissing(ctx, handle, req, peer, run, result) ?? rebuilt
    await handle.close()
    handle = undefined

    run.action('verify')
    // A realized blob becomes a real file at once: it need not survive power loss as a blob.
    const durable = options.keep
    let verified = await blobs.verify(id, { signal: run.signal, hashed, durable })
    if (!verified.ok) {
      run.action('repair')
      const repaired = await repair(ctx, id, req, peer, run)
      result.fetched += repaired.fetched
      verified = await blobs.verify(id, { signal: run.signal, durable })
      if (!verified.ok) {
        // Bytes that failed verification are never shown or kept as a cached copy: the retry starts clean.
        await blobs.discard(id)
        ctx.log.info({ arena: arena.name, path, peer: source.name(peer), event: 'blob-discarded' }, 'content that failed verification was dropped from the cache')
        throw new HashMismatchError(`${arena.name}/${path}: the content from ${source.name(peer)} hashes to ${hashToHex(verified.actual).slice(0, 12)}, expected ${hashToHex(version.hash).slice(0, 12)}, even after repairing ${repaired.ranges} ranges`)
      }
    }
    return result
  } finally {
    await handle?.close().catch(() => {})
  }
}

/**
 * Bytes a download claims and asks a peer for in one request: whole chunks
 * (node/blobs/range-claims.ts), so a range reader of the same blob (the
 * mount, `cat`) waits at most for one segment's chunk, never for the file.
 */
export const DOWNLOAD_SEGMENT_BYTES = 16 * RANGE_CHUNK_BYTES

/**
 * The plain path: every range the blob lacks, from `peer`, checkpointed as
 * it goes, with up to WRITES_AHEAD chunk writes in flight. Chunks another
 * writer is fetching (a range reader) are skipped and waited for, so no
 * byte is fetched twice; what that writer failed to fetch is fetched on the
 * next pass. A download of the whole file in one pass is hashed as it
 * arrives (in order), so verify need not read it again; returns that hash.
 */
async function fetchMissing (ctx: FetchContext, handle: BlobHandle, req: RangeRequest, peer: string, run: FetchRun, result: DownloadResult): Promise<Hash | undefined> {
  const size = req.length
  let hasher = handle.written.isEmpty && size > 0 ? createHash('sha256') : undefined
  const writes = new WriteWindow(WRITES_AHEAD)
  let sinceCheckpoint = 0
  const written = async (bytes: number): Promise<void> => {
    sinceCheckpoint += bytes
    run.progress(handle.written.bytes, size)
    if (sinceCheckpoint >= CHECKPOINT_EVERY) {
      sinceCheckpoint = 0
      // Taken before: the checkpoint stores at least this much (other writes may land meanwhile).
      const bytes = handle.written.bytes
      await handle.checkpoint()
      run.checkpoint?.(bytes, size)
    }
  }
  try {
    for (;;) {
      const others: Array<Promise<void>> = []
      for (const r of ByteRanges.of([0, size]).difference(handle.written).ranges) {
        for (let start = r.start, end = 0; start < r.end; start = end) {
          end = Math.min(r.end, (Math.floor(start / DOWNLOAD_SEGMENT_BYTES) + 1) * DOWNLOAD_SEGMENT_BYTES)
          run.signal.throwIfAborted()
          const claim = handle.claim(start, end)
          others.push(...claim.others)
          if (claim.fetch.bytes !== end - start) hasher = undefined
          // Pieces from the blob client are never reused (protocols/blob/client.ts), safe to hold while written.
          const write = async (data: BlobBytes, offset: number): Promise<void> => {
            if (hasher != null) for (const p of pieces(data)) hasher.update(p)
            await writes.add(handle.write(data, offset).then(async () => {
              claim.progress(handle.written)
              await written(data.byteLength)
            }))
          }
          try {
            for (const f of claim.fetch.ranges) {
              result.fetched += await ctx.source.readPieces(peer, { ...req, offset: f.start, length: f.end - f.start }, write, { signal: run.signal })
              await writes.drain()
            }
          } finally {
            await writes.settle()
            claim.release()
          }
        }
      }
      if (others.length === 0) break
      await Promise.all(others)
    }
  } finally {
    // What arrived before a failure is kept for the retry.
    await writes.settle()
    await handle.checkpoint().catch(() => {})
  }
  const left = ByteRanges.of([0, size]).difference(handle.written)
  if (!left.isEmpty) throw new RealizeError('DOWNLOAD_INCOMPLETE', `${req.arena}/${req.path}: ${left.bytes} bytes still missing after reading from ${ctx.source.name(peer)}`)
  return hasher == null ? undefined : asHash(new Uint8Array(hasher.digest()))
}

/** At most `depth` writes in flight; the first failure is thrown by the next add or drain. */
class WriteWindow {
  private readonly inFlight = new Set<Promise<void>>()
  private failure: { err: unknown } | undefined

  constructor (private readonly depth: number) {}

  async add (write: Promise<void>): Promise<void> {
    const tracked = write.catch((err) => { this.failure ??= { err } }).finally(() => { this.inFlight.delete(tracked) })
    this.inFlight.add(tracked)
    while (this.inFlight.size >= this.depth) await Promise.race(this.inFlight)
    if (this.failure != null) throw this.failure.err
  }

  /** Waits for every write; throws the first failure. */
  async drain (): Promise<void> {
    await this.settle()
    if (this.failure != null) throw this.failure.err
  }

  /** Waits for every write, whatever happened. */
  async settle (): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
  }
}
