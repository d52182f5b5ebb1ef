import { lstat } from 'node:fs/promises'
import { LocalChangedError } from './install.js'
import { NoPeerError } from '../../fetch/errors.js'
import { RealizeError, describeError } from '../../../datastore/types/errors.js'
import type { DropTicket } from '../holds.js'
import { pathInRoot } from '../../real/root-path.js'
import { hashEquals, hashToHex, type Hash } from '../../../datastore/types/hash.js'
import type { ExecutorContext } from './context.js'
import type { IndexEntry } from '../../../datastore/tables/index-table.js'
import type { Mark } from '../../../datastore/types/mark.js'
import type { RelPath } from '../../../datastore/types/path.js'
import { readMarkXattr, type XattrMark } from '../../marks/xattr.js'

/**
 * Unrealize (spec sections 1 and 6), and the local delete of an `own` file
 * whose version a peer removed: the real file's content moves into the
 * blob store, never to the bin.
 *
 * - Unrealize (`drop`): only when a connected peer reports the same hash
 *   and promises to keep it real (the hold handshake, node/churten/holds.ts:
 *   two nodes that each rely on the other never both drop), and only if
 *   size and mtime still match the index right before and after the move
 *   (adopt checks the file again after it moved). The blob is
 *   complete and verified, protected for `keep`; the tree's chosen entry
 *   points at it, so the file reads as cached. Published as Drop.
 * - Delete (`remove`): the content goes to pending removal (evicted first,
 *   a delta basis meanwhile). Published as Remove.
 */
export async function unrealize (ctx: ExecutorContext, path: RelPath, real: IndexEntry, as: 'drop' | 'remove', mark: Mark, signal?: AbortSignal): Promise<number | undefined> {
  const { arena } = ctx
  if (arena.root == null) return undefined
  if (as === 'remove') return await move(ctx, arena.root, path, real, as, mark)
  const remote = await ctx.tree.statPath(path)
  const holders = remote?.kind === 'file' ? ctx.source.peersWith(arena.name, remote.peers, real.hash) : []
  if (holders.length === 0) {
    throw new NoPeerError(`${arena.name}/${path}: no connected peer has version ${hashToHex(real.hash).slice(0, 12)}; the only copy stays real`)
  }
  const ticket = ctx.holds.beginDrop(arena.name, path, real.hash)
  try {
    await askToHold(ctx, path, real.hash, holders, signal)
    return await move(ctx, arena.root, path, real, as, mark, ticket)
  } finally {
    ticket.end()
  }
}

/** Asks the peers one by one until one promises to keep the version real; none: NoPeerError, nothing moves. */
async function askToHold (ctx: ExecutorContext, path: RelPath, hash: Hash, holders: readonly string[], signal?: AbortSignal): Promise<void> {
  const why: string[] = []
  for (const peer of holders) {
    try {
      await ctx.source.hold(peer, { arena: ctx.arena.name, path, hash }, { signal })
      return
    } catch (err) {
      signal?.throwIfAborted()
      why.push(describeError(err))
    }
  }
  throw new NoPeerError(`${ctx.arena.name}/${path}: no connected peer would hold version ${hashToHex(hash).slice(0, 12)} (${why.join('; ')}); the only copy stays real`)
}

/** Moves the real file into the blob store, after checking it is still the indexed version. */
async function move (ctx: ExecutorContext, root: string, path: RelPath, real: IndexEntry, as: 'drop' | 'remove', mark: Mark, ticket?: DropTicket): Promise<number> {
  const { arena, tree, blobs } = ctx
  // Never through a symbolic link: a file behind one is not the indexed one (real/root-path.ts).
  const target = pathInRoot(root, path)
  const st = target == null ? undefined : await lstatIfPresent(target, `${arena.name}/${path}`)
  const indexed = await arena.index.get(path)
  if (st?.isFile() !== true || indexed == null || !hashEquals(indexed.hash, real.hash) || st.size !== indexed.size || st.mtimeMs !== indexed.mtime) {
    throw new LocalChangedError(`${path}: the local file changed`)
  }
  // Last check before the move, with nothing awaited between it and adopt's start.
  ticket?.commit()
  // The file's mark xattr as it left the root: a mark the user set after
  // this job was decided (and before the watcher saw it) still reaches the
  // marks table (issue 11 class 13, model-check seed 1257).
  let carriedMark: XattrMark | undefined
  // From the move to its record the watcher may see the file gone: that is this move, not a deletion.
  const left = arena.index.leaving(path)
  let blobId: number
  try {
    blobId = await blobs.adopt(target as string, real.hash, real.size, {
      queue: as === 'drop' ? 'working' : 'pending',
      expectMtime: indexed.mtime,
      carried: async (file) => { carriedMark = await readMarkXattr(file) }
    })
    if (as === 'drop' && mark === 'keep') await blobs.keep(blobId, true)
    await arena.index.apply([{ path, version: undefined, drop: as === 'drop', cachedIn: blobId, carriedMark: carriedOf(carriedMark) }])
  } finally {
    left()
  }
  if (as === 'drop' && !await tree.setBlob(path, real.hash, blobId)) {
    // The chosen version moved on meanwhile: the content is an old version now.
    await arena.store.store.write(async (b) => { await blobs.retire(b, blobId) })
  }
  return blobId
}

/** A mark, null for a file without one, undefined when unknown (unreadable, or a value that is no mark). */
function carriedOf (x: XattrMark | undefined): Mark | null | undefined {
  if (x?.kind === 'mark') return x.mark
  if (x?.kind === 'none') return null
  return undefined
}

/** A local file that cannot be examined (EACCES, EIO…): the job fails with the cause, the file is never taken as gone. */
export class LocalStatError extends RealizeError {
  constructor (where: string, cause: unknown) {
    super('LOCAL_STAT_FAILED', `${where}: cannot examine the local file: ${(cause as Error).message}`, { cause })
  }
}

/** The file's lstat; undefined only when it is not there (ENOENT, ENOTDIR). */
async function lstatIfPresent (target: string, where: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(target)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw new LocalStatError(where, err)
  }
}
