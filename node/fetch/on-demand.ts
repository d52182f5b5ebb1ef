import { hashEquals, hashToHex } from '../../datastore/types/hash.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { BlobHandle } from '../blobs/blob-handle.js'
import { RangeReader } from '../blobs/range-read.js'
import type { UnrealFileStat } from '../unreal/unreal-tree.js'
import { CancelledError, NoPeerError } from './errors.js'
import type { FetchContext } from './source.js'
import { peerRanges } from './peer-ranges.js'

/** How long an on-demand read waits without a byte from a peer (`cat`; the mount has `[fuse] read_timeout`). */
export const ON_DEMAND_SILENCE_MS = 30_000

/**
 * The chosen version's blob, opened for range reads (node/blobs/range-read.ts)
 * by the mount and `cat`: the tree's blob of that version when there is one
 * (a download under way shares it chunk by chunk), else a new one in the
 * working queue, recorded in the tree as a download would. Not a churten
 * job: nothing is fetched until read. The caller closes the reader, then
 * its handle.
 */
export async function openOnDemand (ctx: Omit<FetchContext, 'log'>, path: RelPath, opened: UnrealFileStat, silenceMs = ON_DEMAND_SILENCE_MS): Promise<RangeReader> {
  const { arena, tree, blobs, source } = ctx
  // The tree now, not when the caller looked: a download may have made the blob since.
  const now = await tree.statPath(path)
  const stat = now?.kind === 'file' && hashEquals(now.chosen.hash, opened.chosen.hash) ? now : opened
  const v = stat.chosen
  const info = stat.blobId == null ? undefined : await blobs.get(stat.blobId)
  let handle: BlobHandle
  if (info != null && hashEquals(info.hash, v.hash) && info.size === v.size) {
    handle = await blobs.open(info.id, { write: !info.verified })
  } else {
    if (source.peersWith(arena.name, stat.peers, v.hash).length === 0) {
      const names = stat.peers.map((p) => source.name(p.peer)).join(', ') || 'none'
      throw new NoPeerError(`${arena.name}/${path}: not cached here and no connected peer has version ${hashToHex(v.hash).slice(0, 12)} (peers with it: ${names})`)
    }
    handle = await blobs.create(v.hash, v.size)
    if (!await tree.setBlob(path, v.hash, handle.id)) {
      await handle.close()
      throw new CancelledError(`${arena.name}/${path}: the version to read is no longer chosen`)
    }
  }
  const fetch = peerRanges({ source, arena: arena.name, path, stat, silenceMs })
  return new RangeReader(blobs, handle, { fetch, waitMs: silenceMs })
}
