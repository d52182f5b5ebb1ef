import { realpath } from 'node:fs/promises'
import { relative, resolve, sep } from 'node:path'
import { isSameOrInside } from '../../config/paths.js'
import { InvalidInputError } from '../../../datastore/types/errors.js'
import { parsePath, type RelPath } from '../../../datastore/types/path.js'
import { UnknownArenaError } from './errors.js'

/** An arena as far as naming paths goes. */
export interface ArenaRoot { name: string, root: string | null }

export interface Target { arena: string, path: RelPath }

/** `ARENA:path` for messages and `inheritedFrom`. */
export function formatTarget (arena: string, path: string): string {
  return `${arena}:${path}`
}

/**
 * What the user means by PATH in `mark`, `ls`, `cat` {#setmark}:
 *
 * - `ARENA:path` or `ARENA:` when the text before the first `:` names a
 *   configured arena (arena names never contain `:`; paths may {#colon});
 * - otherwise a file system path (relative to `cwd`) inside an arena root.
 *   `./photos:x` forces this reading when `photos` is also an arena.
 *
 * A trailing `/` is ignored. Throws InvalidInputError (exit 2) for a path
 * outside every arena root or an unknown arena.
 */
export async function resolveTarget (raw: string, arenas: readonly ArenaRoot[], cwd: string): Promise<Target> {
  if (raw === '') throw new InvalidInputError('INVALID_PATH', 'empty path: expected ARENA:path or a file system path inside an arena root')
  const colon = raw.indexOf(':')
  const arenaSyntax = colon > 0 && !raw.startsWith('/') && !raw.startsWith('./') && !raw.startsWith('../')
  if (arenaSyntax) {
    const name = raw.slice(0, colon)
    if (arenas.some((a) => a.name === name)) {
      return { arena: name, path: parsePath(raw.slice(colon + 1).replace(/\/+$/, ''), { allowRoot: true }) }
    }
  }
  const abs = resolve(cwd, raw)
  const found = findRoot(abs, arenas) ?? await findRootReal(abs, arenas)
  if (found != null) return found
  if (arenaSyntax) throw new UnknownArenaError(raw.slice(0, colon), arenas.map((a) => a.name))
  const roots = arenas.filter((a) => a.root != null).map((a) => `${a.name} at ${a.root as string}`)
  throw new InvalidInputError('NOT_IN_ARENA', `${abs} is not inside any arena root (${roots.length === 0 ? 'no arena has a root on this node' : roots.join(', ')}); name a remote path as ARENA:path`)
}

function findRoot (abs: string, arenas: readonly ArenaRoot[]): Target | undefined {
  for (const a of arenas) {
    if (a.root == null || !isSameOrInside(abs, a.root)) continue
    const rel = relative(a.root, abs)
    return { arena: a.name, path: parsePath(rel.split(sep).join('/'), { allowRoot: true }) }
  }
  return undefined
}

/** The same through symlinks (`~/photos` -> `/srv/photos`), when the path exists. */
async function findRootReal (abs: string, arenas: readonly ArenaRoot[]): Promise<Target | undefined> {
  const real = await realpath(abs).catch(() => undefined)
  if (real == null) return undefined
  const roots = await Promise.all(arenas.map(async (a) => ({ name: a.name, root: a.root == null ? null : await realpath(a.root).catch(() => a.root) })))
  return findRoot(real, roots)
}
