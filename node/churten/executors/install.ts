import { randomBytes } from 'node:crypto'
import { chmodSync, linkSync, lstatSync, renameSync, unlinkSync, utimesSync, type Stats } from 'node:fs'
import { lstat, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parentInRoot } from '../../real/root-path.js'
import { hashEquals } from '../../../datastore/types/hash.js'
import { RealizeError } from '../../../datastore/types/errors.js'
import { writeMarkXattr } from '../../marks/xattr.js'
import type { ExecutorContext } from './context.js'
import type { RelPath } from '../../../datastore/types/path.js'
import type { Version } from '../../../datastore/types/version.js'
import type { Hash } from '../../../datastore/types/hash.js'

/** The real file changed under a job: the job fails and is decided again. */
export class LocalChangedError extends RealizeError {
  constructor (message: string) {
    super('LOCAL_CHANGED', message)
  }
}

/**
 * Realize (spec section 6): the verified blob's file moves into the arena
 * root under a temporary name in the target's directory (a rename on the
 * same file system, a copy across), and is committed over the target (see
 * commitInstall); the blob is gone, its content is the real file now. If
 * the commit fails, the content goes back into the cache so the retry need
 * not download it again.
 */
export async function install (ctx: ExecutorContext, path: RelPath, version: Version, blobId: number, replaces: Hash | undefined): Promise<void> {
  const { target, tmp } = await prepareInstall(ctx, path, replaces)
  const claim = ctx.arena.claimTemp(tmp)
  try {
    await ctx.blobs.moveOut(blobId, tmp)
    try {
      await commitInstall(ctx, path, version, tmp, target, replaces)
    } catch (err) {
      await putBack(ctx, path, version, tmp)
      throw err
    }
  } finally {
    claim.done()
  }
  await ctx.tree.write(async (tx) => await tx.setBlob(path, version.hash, undefined))
}

/**
 * Where a realized file goes: its directory is checked from the root down
 * and made one level at a time, never through a symbolic link (spec section
 * 8: nothing is written outside the root, not even a directory;
 * real/root-path.ts), and the target must still be what the job expects. Returns the
 * target and a temporary name next to it (`.realize-*.part`, which the
 * watcher ignores). File system calls here and in commitInstall are
 * synchronous: each is a few µs on a local file system, while a thread-pool
 * round trip costs 50–100 µs of CPU on the 2-core VM (docs/BENCHMARKS.md),
 * the bulk of realizing a small file.
 */
export async function prepareInstall (ctx: ExecutorContext, path: RelPath, replaces: Hash | undefined): Promise<{ target: string, tmp: string }> {
  const root = ctx.arena.root
  if (root == null) throw new RealizeError('NO_ROOT', `arena ${ctx.arena.name} has no root on this node`)
  // Parents are made below the root, never the root itself: a root that went
  // away (an unmounted disk) is not silently replaced (spec section 4).
  ctx.arena.rootCheck?.quick()
  const dir = parentInRoot(root, path, { create: true }) as string
  const target = join(dir, path.slice(path.lastIndexOf('/') + 1))
  await checkTarget(ctx, path, target, replaces)
  return { target, tmp: join(dir, `.realize-${randomBytes(6).toString('hex')}.part`) }
}

/**
 * The verified content at `tmp` becomes the real file: it gets the
 * version's mtime, the target is checked once more (a local change in
 * between wins), the rename puts it in place, and it is indexed like any
 * local file (so it is published in our history). The caller owns `tmp`
 * when this throws.
 */
export async function commitInstall (ctx: ExecutorContext, path: RelPath, version: Version, tmp: string, target: string, replaces: Hash | undefined, options: { fresh?: boolean } = {}): Promise<void> {
  const st = lstatSync(tmp)
  if (st.size !== version.size) throw new RealizeError('BLOB_SIZE', `${path}: the content has ${st.size} bytes, expected ${version.size}`)
  // Versions carry no permissions: a realized file is an ordinary user file (blob files are 0600).
  chmodSync(tmp, 0o644)
  await carryMark(ctx, path, tmp, options.fresh === true)
  utimesSync(tmp, new Date(), version.mtime / 1000)
  await checkTarget(ctx, path, target, replaces)
  // Nothing awaited from the check to here: a user's write between them would be lost.
  // From the placing to its record, what the watcher sees of the path waits (RealIndex.placing).
  const placed = ctx.arena.index.placing(path)
  let changedSince = true
  try {
    if (replaces == null) placeNew(path, tmp, target)
    else renameSync(tmp, target)
    const done = lstatSync(target)
    // Indexed with the mtime the file system kept (it may round), so the
    // watcher's size+mtime check sees no change.
    await ctx.arena.index.apply([{ path, version: { hash: version.hash, size: done.size, mtime: done.mtimeMs }, realized: true }])
    const now = lstatSync(target, { throwIfNoEntry: false })
    changedSince = now?.ino !== done.ino || now.size !== done.size || now.mtimeMs !== done.mtimeMs
  } finally {
    placed(changedSince)
  }
}

/**
 * Marks belong to paths, not versions (docs/consensus.md): the file that
 * the rename puts in place carries the path's mark from the marks table
 * {#marksxattrs}, so the watcher, which mirrors xattrs into the table,
 * finds the mark it already has instead of none (which would remove it).
 * Without a mark any stray mark xattr goes: content from the cache never
 * brings a mark with it. A `fresh` file (made by this job, never a blob)
 * has no xattrs to remove: that removal was ~0.3 ms per small file (issue 14).
 */
async function carryMark (ctx: ExecutorContext, path: RelPath, tmp: string, fresh: boolean): Promise<void> {
  const entry = await ctx.arena.store.marks.getEntry(path)
  if (entry?.mark == null && fresh) return
  try {
    await writeMarkXattr(tmp, entry?.mark)
  } catch (err) {
    // A file system without user xattrs holds no marks: the table is all there is.
    if ((err as NodeJS.ErrnoException).code !== 'ENOTSUP') throw new RealizeError('MARK_XATTR', `${path}: could not carry its mark over to the new version`, { cause: err })
  }
}

/** A realize that could not finish: its content goes back into the cache, or away. */
async function putBack (ctx: ExecutorContext, path: RelPath, version: Version, tmp: string): Promise<void> {
  try {
    const st = await lstat(tmp)
    const id = await ctx.blobs.adopt(tmp, version.hash, version.size, { queue: 'working', expectMtime: st.mtimeMs })
    if (!await ctx.tree.setBlob(path, version.hash, id)) await ctx.blobs.delete(id)
  } catch {
    await rm(tmp, { force: true })
  }
}

/**
 * A new file goes in with link(2), which fails if the name exists: a file
 * the user created since the check is never replaced (a rename would drop
 * it). File systems without hard links get the rename.
 */
function placeNew (path: RelPath, tmp: string, target: string): void {
  try {
    linkSync(tmp, target)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new LocalChangedError(`${path}: a local file appeared`)
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err
    renameSync(tmp, target)
    return
  }
  unlinkSync(tmp)
}

async function checkTarget (ctx: ExecutorContext, path: RelPath, target: string, replaces: Hash | undefined): Promise<void> {
  // The index first: the file is looked at last, right before the caller's rename.
  const indexed = await ctx.arena.index.get(path)
  const st = lstatOrUndefined(target)
  if (replaces == null) {
    if (st != null || indexed != null) throw new LocalChangedError(`${path}: a local file appeared`)
    return
  }
  if (st == null || !st.isFile() || indexed == null || !hashEquals(indexed.hash, replaces) || indexed.size !== st.size || indexed.mtime !== st.mtimeMs) {
    throw new LocalChangedError(`${path}: the local file changed`)
  }
}

function lstatOrUndefined (file: string): Stats | undefined {
  try {
    return lstatSync(file)
  } catch {
    return undefined
  }
}
