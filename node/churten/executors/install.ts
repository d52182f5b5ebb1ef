import { randomBytes } from 'node:crypto'
import { copyFile, lstat, mkdir, realpath, rename, rm, utimes } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'
import { hashEquals } from '../../types/hash.js'
import { RealizeError } from '../../types/errors.js'
import type { ExecutorContext } from './context.js'
import type { RelPath } from '../../types/path.js'
import type { Version } from '../../types/version.js'
import type { Hash } from '../../types/hash.js'

/** The real file changed under a job: the job fails and is decided again. */
export class LocalChangedError extends RealizeError {
  constructor (message: string) {
    super('LOCAL_CHANGED', message)
  }
}

/**
 * Realize (spec section 6): copy a verified blob into the arena root under
 * a temporary name in the target's directory, give it the version's mtime,
 * and rename it over the target; then index it like any local file (so it
 * is published in our history) and let the blob go.
 *
 * The target must be what the job expects right before the rename: absent
 * for a new file, the indexed `replaces` version for a replacement. A local
 * change in between wins; the job fails and is decided again.
 */
export async function install (ctx: ExecutorContext, path: RelPath, version: Version, blobId: number, replaces: Hash | undefined): Promise<void> {
  const root = ctx.arena.root
  if (root == null) throw new RealizeError('NO_ROOT', `arena ${ctx.arena.name} has no root on this node`)
  const target = join(root, path)
  const dir = dirname(target)
  await mkdir(dir, { recursive: true })
  // Nothing is ever written outside the arena root (spec section 8), symlinks included.
  const realDir = await realpath(dir)
  const realRoot = await realpath(root)
  if (realDir !== realRoot && !realDir.startsWith(realRoot + sep)) throw new RealizeError('OUTSIDE_ROOT', `${path}: its directory resolves outside the arena root`)

  await checkTarget(ctx, path, target, replaces)
  const tmp = join(dir, `.realize-${randomBytes(6).toString('hex')}.part`)
  try {
    await copyFile(ctx.blobs.pathOf(blobId), tmp)
    const st = await lstat(tmp)
    if (st.size !== version.size) throw new RealizeError('BLOB_SIZE', `${path}: blob ${blobId} has ${st.size} bytes, expected ${version.size}`)
    await utimes(tmp, new Date(), version.mtime / 1000)
    await checkTarget(ctx, path, target, replaces)
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  const st = await lstat(target)
  // Indexed with the mtime the file system kept (it may round), so the
  // watcher's size+mtime check sees no change.
  await ctx.arena.index.apply([{ path, version: { hash: version.hash, size: st.size, mtime: st.mtimeMs } }])
  await ctx.tree.write(async (tx) => await tx.setBlob(path, version.hash, undefined))
  await ctx.blobs.delete(blobId).catch(() => {})
}

async function checkTarget (ctx: ExecutorContext, path: RelPath, target: string, replaces: Hash | undefined): Promise<void> {
  const st = await lstat(target).catch(() => undefined)
  const indexed = await ctx.arena.index.get(path)
  if (replaces == null) {
    if (st != null || indexed != null) throw new LocalChangedError(`${path}: a local file appeared`)
    return
  }
  if (st == null || !st.isFile() || indexed == null || !hashEquals(indexed.hash, replaces) || indexed.size !== st.size || indexed.mtime !== st.mtimeMs) {
    throw new LocalChangedError(`${path}: the local file changed`)
  }
}
