import { EventEmitter } from 'node:events'
import { lstat } from 'node:fs/promises'
import { writeMarkXattr } from './xattr.js'
import { pathInRoot } from '../real/root-path.js'
import { ancestorsOf, type RelPath } from '../../datastore/types/path.js'
import { DEFAULT_MARK, type Mark } from '../../datastore/types/mark.js'
import type { ArenaStore } from '../../datastore/arena-store.js'

export interface ResolvedMark {
  mark: Mark
  /** The marked path the mark comes from; undefined when it comes from the arena config or the default. */
  from: RelPath | undefined
  /** True when no path and no arena config sets it: the default `watch`. */
  isDefault: boolean
}

/**
 * Marks of one arena: the marks table (mirrored from xattrs by the watcher,
 * {#marksxattrs}) plus the arena's mark from the config. A path's mark is
 * the nearest marked ancestor's: file, then directories up to the arena.
 */
export interface MarksEvents {
  /**
   * Marks of these paths changed here ('' for the arena's own mark), after
   * their dirty marks committed; churten listens to decide them again.
   */
  changed: [RelPath[]]
}

export class Marks extends EventEmitter<MarksEvents> {
  constructor (
    private readonly store: ArenaStore,
    private arenaMark: Mark | undefined,
    private readonly root: string | undefined
  ) {
    super()
  }

  /**
   * The arena's own mark changed in the config (`realize-node mark own ARENA:`).
   * The caller marks the arena root dirty in a write it queues right after
   * this call: 'changed' is emitted once that write (and any before it)
   * committed.
   */
  setArenaMark (mark: Mark): void {
    this.arenaMark = mark
    setImmediate(() => {
      void this.store.store.flush().then(() => { this.emit('changed', ['' as RelPath]) }, () => {})
    })
  }

  async resolve (path: RelPath): Promise<ResolvedMark> {
    const own = path === '' ? undefined : await this.store.marks.get(path)
    if (own != null) return { mark: own, from: path, isDefault: false }
    const ancestors = ancestorsOf(path).slice(1).reverse()
    for (const dir of ancestors) {
      const m = await this.store.marks.get(dir)
      if (m != null) return { mark: m, from: dir, isDefault: false }
    }
    return { mark: this.arenaMark ?? DEFAULT_MARK, from: undefined, isDefault: this.arenaMark == null }
  }

  /**
   * Sets or removes the mark of `path` {#setmark}. When the path exists in
   * the arena root the xattr is the source of truth, so we write it and let
   * the watcher mirror it; otherwise (a file known only from peers) the
   * table entry is written directly. Either way the two never disagree.
   * A symbolic link on the way is refused (PathEscapeError): the xattr
   * would land on a file outside the root (real/root-path.ts).
   */
  async set (path: RelPath, mark: Mark | undefined): Promise<'xattr' | 'table'> {
    const abs = this.root == null ? undefined : pathInRoot(this.root, path)
    const local = abs != null && await lstat(abs).then((s) => s.isFile() || s.isDirectory(), () => false)
    if (local) await writeMarkXattr(abs, mark)
    // The table is written now as well, so a read right after sees the
    // mark; the watcher's mirror of the xattr then finds nothing to change.
    await this.store.store.write(async (b) => {
      if (mark == null) this.store.marks.delete(b, path)
      else this.store.marks.put(b, path, { mark, local })
      await this.store.dirty.mark(b, path)
    })
    this.emit('changed', [path])
    return local ? 'xattr' : 'table'
  }
}
