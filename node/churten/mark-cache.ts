import { ancestorsOf, type RelPath } from '../../datastore/types/path.js'
import type { Arena } from '../arena.js'
import type { Mark } from '../../datastore/types/mark.js'

/**
 * A path's mark for churten (spec section 1: the nearest marked ancestor's),
 * with the marks of directories and of the arena remembered between
 * decisions: ten thousand files in one directory read that directory's
 * mark once, not ten thousand times. Forgotten whenever any mark changes
 * (the watcher's xattr mirror, `realize-node mark`), so it never answers
 * with a stale mark.
 */
export class MarkCache {
  private readonly dirs = new Map<RelPath, Mark | null>()
  private arena: Mark | undefined
  /** Bumped by clear: a read that began before a change does not store what it read. */
  private generation = 0
  private readonly unsubscribe: () => void

  constructor (private readonly a: Arena) {
    const forget = (): void => { this.clear() }
    a.index.on('marks', forget)
    a.marks.on('changed', forget)
    this.unsubscribe = () => {
      a.index.off('marks', forget)
      a.marks.off('changed', forget)
    }
  }

  async resolve (path: RelPath): Promise<Mark> {
    if (path !== '') {
      const own = await this.a.store.marks.get(path)
      if (own != null) return own
    }
    for (const dir of ancestorsOf(path).slice(1).reverse()) {
      let m = this.dirs.get(dir)
      if (m === undefined) {
        const gen = this.generation
        m = await this.a.store.marks.get(dir) ?? null
        if (gen === this.generation) this.dirs.set(dir, m)
      }
      if (m != null) return m
    }
    if (this.arena != null) return this.arena
    const gen = this.generation
    const mark = (await this.a.marks.resolve('' as RelPath)).mark
    if (gen === this.generation) this.arena = mark
    return mark
  }

  /** Goes up whenever any mark of the arena changes (the undo guard's "the user asked for it"). */
  get changes (): number {
    return this.generation
  }

  clear (): void {
    this.generation++
    this.dirs.clear()
    this.arena = undefined
  }

  close (): void {
    this.unsubscribe()
    this.clear()
  }
}
