import { lstatSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { RealizeError } from '../../datastore/types/errors.js'
import type { RelPath } from '../../datastore/types/path.js'

/** A path that leads out of the arena root through a symbolic link, or to something that is not a plain file (spec section 8). */
export class PathEscapeError extends RealizeError {
  constructor (message: string) {
    super('PATH_OUTSIDE_ARENA', message)
  }
}

/** A directory on the way is a file (or another non-directory) here. */
export class NotADirectoryError extends RealizeError {
  constructor (message: string) {
    super('NOT_A_DIRECTORY', message)
  }
}

/**
 * The absolute directory holding `path` inside `root`, checked component by
 * component from the root down with lstat: each must be a real directory,
 * never a symbolic link (the watcher never indexes links, so nothing of the
 * arena lies behind one; spec section 8: nothing is written outside a root).
 * With `create`, a missing directory is made one level at a time (a plain
 * mkdir, which fails on a link planted at that name instead of following
 * it), so nothing is created before the components above it were checked.
 * Without `create`, returns undefined when a directory is missing.
 *
 * The root itself may be a link: where it lives is the user's choice. What
 * this cannot rule out is a local user swapping a checked directory for a
 * link in the microseconds before the caller writes; such a user can write
 * outside the root anyway.
 */
export function parentInRoot (root: string, path: RelPath, options: { create: boolean }): string | undefined {
  const parts = path.split('/')
  parts.pop()
  let dir = root
  for (const name of parts) {
    dir = join(dir, name)
    let st = lstatSync(dir, { throwIfNoEntry: false })
    if (st == null) {
      if (!options.create) return undefined
      try {
        mkdirSync(dir)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      st = lstatSync(dir)
    }
    if (st.isSymbolicLink()) throw new PathEscapeError(`${path}: ${dir} is a symbolic link; nothing is written through it`)
    if (!st.isDirectory()) throw new NotADirectoryError(`${path}: ${dir} is not a directory`)
  }
  return dir
}

/** The absolute path of `path` inside `root` when every directory on the way is a real one (parentInRoot); undefined when one is missing. */
export function pathInRoot (root: string, path: RelPath): string | undefined {
  const dir = parentInRoot(root, path, { create: false })
  return dir == null ? undefined : join(dir, path.slice(path.lastIndexOf('/') + 1))
}
