import { createHash } from 'node:crypto'
import { closeSync, openSync, rmSync, writeSync } from 'node:fs'
import { commitInstall, prepareInstall } from './install.js'
import { HashMismatchError, NoPeerError } from '../../fetch/errors.js'
import { hashEquals, hashToHex } from '../../../datastore/types/hash.js'
import type { ExecutorContext } from './context.js'
import type { JobRun, JobStats } from '../types.js'
import type { Hash } from '../../../datastore/types/hash.js'
import type { RelPath } from '../../../datastore/types/path.js'
import type { Version } from '../../../datastore/types/version.js'
import type { UnrealFileStat } from '../../unreal/unreal-tree.js'

/**
 * Files up to this size are realized without a blob (docs/consensus.md):
 * a crash costs at most this much to fetch again, and the blob's
 * bookkeeping (entry, checkpoints, queue moves) would cost more than the
 * transfer. 10,000 files of 4 KiB go this way (scripts/bench-sync.ts).
 */
export const DIRECT_MAX_BYTES = 1024 * 1024

/** Reads of a small file per job: the second is the repair of a bad first one. */
const TRIES = 2

/**
 * Realize of a small file: its bytes go straight into a temporary file next
 * to the target, hashed as they arrive; a mismatch is fetched again once
 * (the repair of a file this small); then the same commit as a realize from
 * a blob (install.ts). File calls are synchronous: for a file this small a
 * thread-pool round trip per call (50–100 µs of CPU on the 2-core VM,
 * docs/BENCHMARKS.md) costs more than the call itself.
 */
export async function realizeDirect (ctx: ExecutorContext, path: RelPath, version: Version, replaces: Hash | undefined, stat: UnrealFileStat, run: JobRun): Promise<JobStats> {
  const peers = ctx.source.peersWith(ctx.arena.name, stat.peers, version.hash)
  if (peers.length === 0) throw new NoPeerError(`${ctx.arena.name}/${path}: no connected peer has version ${hashToHex(version.hash).slice(0, 12)}`)
  const peer = peers[run.attempt % peers.length] as string
  const { target, tmp } = await prepareInstall(ctx, path, replaces)
  const claim = ctx.arena.claimTemp(tmp)
  const stats: JobStats = { fetched: 0, resumed: 0, fromBasis: 0, method: 'plain' }
  try {
    run.action('download')
    for (let attempt = 1; ; attempt++) {
      const hasher = createHash('sha256')
      const fd = openSync(tmp, 'w', 0o644)
      try {
        if (version.size > 0) {
          stats.fetched += await ctx.source.read(peer, { arena: ctx.arena.name, path, hash: version.hash, offset: 0, length: version.size }, async (data, offset) => {
            hasher.update(data)
            for (let done = 0; done < data.byteLength;) done += writeSync(fd, data, done, data.byteLength - done, offset + done)
            run.progress(offset + data.byteLength, version.size)
          }, { signal: run.signal })
        }
      } finally {
        closeSync(fd)
      }
      run.action('verify')
      const actual = new Uint8Array(hasher.digest())
      if (hashEquals(actual, version.hash)) break
      if (attempt >= TRIES) {
        throw new HashMismatchError(`${ctx.arena.name}/${path}: the content from ${ctx.source.name(peer)} hashes to ${hashToHex(actual).slice(0, 12)}, expected ${hashToHex(version.hash).slice(0, 12)}, twice`)
      }
      run.action('repair')
    }
    run.action('realize')
    // `tmp` was created by this job (openSync 'w' of a new random name): it carries no xattrs.
    await commitInstall(ctx, path, version, tmp, target, replaces, { fresh: true })
    return stats
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  } finally {
    claim.done()
  }
}
