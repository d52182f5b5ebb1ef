import { stat } from 'node:fs/promises'
import { listAttributes, removeAttribute } from 'fs-xattr'
import { join } from 'node:path'
import { moveFile } from './blob-file.js'
import { allocatedBytes, BLOCK_SIZE } from './capacity.js'
import { insert, remove, update } from './lru.js'
import { ByteRanges } from '../../datastore/types/byte-ranges.js'
import { RealizeError } from '../../datastore/types/errors.js'
import { asHash, hashEquals, type Hash } from '../../datastore/types/hash.js'
import { hashFile } from '../real/hasher.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { BlobQueue } from '../../datastore/tables/blobs.js'
import type { Batch } from '../../datastore/store.js'
import type { BlobCache } from './blob-cache.js'
import type { FaultPoint } from './blob-store.js'

export interface AdoptOptions {
  /** working for an unrealized file (Drop), pending for one deleted locally (Remove). @default 'working' */
  queue?: BlobQueue
  /** The indexed mtime: the file must still have it before and after the move. */
  expectMtime?: number
  /**
   * Called with the moved file once its content is checked, before its
   * user xattrs are stripped (across file systems, with the source right
   * before it is removed): what the file carried that belongs to its path
   * (the mark xattr a user set while it was moving, issue 11 class 13) can
   * be read here. An error from it is not the adopt's.
   */
  carried?: (file: string) => Promise<void>
}

/** What adopting needs of the blob store. */
export interface AdoptContext {
  store: ArenaStore
  cache: BlobCache
  dir: string
  pathOf: (id: number) => string
  takeId: (batch: Batch) => number
  /** Keeps `id` from eviction until the returned function is called. */
  guard: (id: number) => () => void
  addUsed: (bytes: number) => void
  now: () => number
  faults?: (point: FaultPoint, id: number) => void | Promise<void>
}

/**
 * Moves a complete file (a real file being unrealized, or deleted locally
 * because a peer removed it) into a new blob, marked verified: its content
 * is the indexed version, checked by size and mtime right before and after
 * the move (spec section 1), then by its hash. The entry is committed before the file moves,
 * so a crash in between leaves the file where it was and an entry that the
 * startup scan empties: content is never lost. Space is made in the cache
 * first; when it cannot be, the file stays real (CacheFullError).
 */
export async function adoptFile (ctx: AdoptContext, source: string, hash: Hash, size: number, options: AdoptOptions = {}): Promise<number> {
  asHash(hash)
  const queue = options.queue ?? 'working'
  const unchanged = async (path: string, checkMtime = true): Promise<boolean> => {
    const st = await stat(path).catch(() => undefined)
    return st?.isFile() === true && st.size === size && (!checkMtime || options.expectMtime == null || st.mtimeMs === options.expectMtime)
  }
  if (!await unchanged(source)) throw new RealizeError('FILE_CHANGED', `${source}: changed before it could move into the cache`)
  const reserve = Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE
  await ctx.cache.reserve(reserve)
  let unguard = (): void => {}
  try {
    let id = 0
    await ctx.store.store.write(async (b) => {
      id = ctx.takeId(b)
      unguard = ctx.guard(id)
      await insert(b, id, {
        hash, size, written: ByteRanges.of([0, size]), verified: true, queue, prev: 0, next: 0,
        lastAccess: ctx.now(), allocated: 0, keep: false, reads: 0, countedAt: 0
      }, queue)
    })
    await ctx.faults?.('adopt:before-file', id)
    const target = ctx.pathOf(id)
    // Across file systems (a root on another disk than the data directory)
    // the move is a copy with a new mtime: the source is checked before it
    // is removed instead. Checking the copy's mtime failed every such move,
    // and the move back gave the real file a new mtime, so the watcher saw a
    // local change and a peer's removal of that version was forgotten.
    let changedWhileCopied = false
    let carriedRead = false
    const how = await moveFile(source, target, join(ctx.dir, `.adopt-${id}`), async () => {
      if (await unchanged(source)) {
        // A copy carries no xattrs: what the file carried is read from it, right before it is removed.
        await options.carried?.(source).catch(() => {})
        carriedRead = true
        return
      }
      changedWhileCopied = true
      throw new RealizeError('FILE_CHANGED', `${source}: changed while it was copied into the cache`)
    }).catch(async (err) => {
      if (changedWhileCopied) await ctx.store.store.write(async (b) => { await remove(b, id) })
      throw err
    })
    const changed = !await unchanged(target, how === 'renamed') || !await stillHashesTo(ctx, id, target, hash, size)
    if (changed) {
      // Written to while it moved: it goes back, the entry goes.
      await moveFile(target, source, `${source}.realize-back`)
      await ctx.store.store.write(async (b) => { await remove(b, id) })
      throw new RealizeError('FILE_CHANGED', `${source}: changed while it moved into the cache`)
    }
    // A slow disk here (tests: the fault plan) widens the window in which the file has left the root and the index still lists it.
    await ctx.faults?.('adopt:after-file', id)
    if (!carriedRead) await options.carried?.(target).catch(() => {})
    // Best effort, after the content is safe: a realize sets the mark xattr from the table anyway.
    await stripUserXattrs(target).catch(() => {})
    const allocated = allocatedBytes(await stat(target))
    await ctx.store.store.write(async (b) => { await update(b, id, { allocated }) })
    ctx.addUsed(allocated)
    return id
  } finally {
    unguard()
    ctx.cache.release(reserve)
  }
}

/**
 * A process that kept the file open may write after the size and mtime
 * check, into the blob. The hash of what moved is the last word before the
 * blob counts as verified (docs/decisions.md, "Unrealize and open files").
 */
async function stillHashesTo (ctx: AdoptContext, id: number, file: string, hash: Hash, size: number): Promise<boolean> {
  await ctx.faults?.('adopt:after-check', id)
  return hashEquals((await hashFile(file, { expectSize: size }).catch(() => undefined))?.hash, hash)
}

/**
 * A blob is content only. The file's user xattrs (the `user.realize.mark`
 * among them) belong to its path in the root and stay with the marks
 * table; carried into the cache they would come back with the next realize
 * and read as a mark the user just set (issue 11: keep -> unrealize ->
 * realize with `keep` -> unrealize, forever).
 */
async function stripUserXattrs (file: string): Promise<void> {
  for (const name of await listAttributes(file)) {
    if (name.startsWith('user.')) await removeAttribute(file, name)
  }
}
