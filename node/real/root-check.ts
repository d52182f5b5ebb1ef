import { accessSync, constants, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs'
import { opendir } from 'node:fs/promises'
import { join } from 'node:path'
import { describeError, RealizeError } from '../../datastore/types/errors.js'
import { metaTable } from '../../datastore/tables/meta.js'
import type { ArenaStore } from '../../datastore/arena-store.js'
import type { Logger } from '../log.js'

/**
 * A root that disappears is not a deletion (spec section 4). Before the
 * catch-up, before each live reconcile, before a reconcile turns what it
 * did not find into removals, and every few seconds, the arena root is
 * checked; a root that fails pauses the arena (ArenaWatcher) instead of
 * being read as "the user deleted everything".
 *
 * Which folder is the one that was indexed: a marker directory,
 * `.realize-root`, made in the root when it is first indexed (Syncthing's
 * `.stfolder`). It travels with the folder (moved, restored, copied with
 * its hidden files) and is absent from a mount point whose disk is not
 * mounted. The device number (st_dev) was not chosen: it changes when a USB
 * disk is plugged in another order and across reboots on btrfs, which
 * would pause healthy arenas (docs/decisions.md).
 */

/** The marker directory; its `.realize-` prefix keeps it out of the index and history. */
export const ROOT_MARKER = '.realize-root'

/** Index entries looked at for a file still present when the marker is missing. */
const PRESENCE_SAMPLE = 10_000

const ROOT_INDEXED = 'rootIndexed'

export type RootProblem = 'ROOT_MISSING' | 'ROOT_NOT_DIRECTORY' | 'ROOT_UNREADABLE' | 'ROOT_MARKER_MISSING' | 'ROOT_EMPTY' | 'CATCH_UP_FAILED'

/** Why an arena is paused: which arena, what was found, what the user can do. */
export class ArenaPausedError extends RealizeError {
  declare readonly code: RootProblem

  constructor (
    code: RootProblem,
    readonly arena: string,
    readonly root: string,
    message: string,
    /** What to do about it, one or two sentences. */
    readonly hint: string,
    options?: { cause?: unknown }
  ) {
    super(code, `arena ${JSON.stringify(arena)} paused: ${message}`, options)
  }
}

export interface RootCheckOptions {
  arena: string
  root: string
  store: ArenaStore
  /** Bound to the arena already (Arena's logger): no `arena` key in the lines. */
  log: Logger
  /** Names the scanner does not index (own temp files, the data dir). */
  ignored: (absPath: string, name: string) => boolean
}

export class RootCheck {
  /** False once the marker could not be written (a read-only root): then presence of indexed files decides. */
  private markerUsable = true

  constructor (private readonly o: RootCheckOptions) {}

  private paused (code: RootProblem, message: string, hint: string, cause?: unknown): ArenaPausedError {
    return new ArenaPausedError(code, this.o.arena, this.o.root, message, hint, { cause })
  }

  private get resume (): string {
    return `realize-node arena resume ${this.o.arena.includes(' ') ? JSON.stringify(this.o.arena) : this.o.arena}`
  }

  /**
   * The quick test, synchronous so a reconcile can run it right before it
   * applies removals: the root is a readable directory with its marker.
   * Throws ArenaPausedError.
   */
  quick (): void {
    this.directory()
    if (this.markerUsable && !hasMarker(this.o.root)) {
      throw this.paused('ROOT_MARKER_MISSING', `its root ${this.o.root} lost its ${ROOT_MARKER} marker (unmounted, or replaced by another folder?)`,
        `Mount the disk or move the folder back and the arena resumes by itself; if this is the right folder, run \`${this.resume}\``)
    }
  }

  /**
   * The full test before a catch-up. Makes the root (and its marker) only
   * for an arena that was never indexed; re-makes a lost marker when some
   * indexed file is still there; refuses a root holding none of the
   * indexed files (or, with its marker, nothing at all) unless `confirm`.
   */
  async full (confirm = false): Promise<void> {
    await this.createIfNew()
    this.directory()
    const marker = hasMarker(this.o.root)
    const holdsFiles = await this.indexHoldsFiles()
    if (!marker) {
      if (holdsFiles && !confirm && !await this.someIndexedFilePresent()) {
        throw this.paused('ROOT_MARKER_MISSING', `its root ${this.o.root} is not the folder that was indexed: it has no ${ROOT_MARKER} marker and none of the indexed files`,
          `An unmounted disk, or the folder moved away and replaced? Mount the disk or move the folder back and the arena resumes by itself; nothing is deleted on peers meanwhile. If this is the right folder and its files are gone on purpose, run \`${this.resume}\``)
      }
      this.writeMarker(holdsFiles)
      return
    }
    if (holdsFiles && !confirm && await this.isEmpty()) {
      throw this.paused('ROOT_EMPTY', `its root ${this.o.root} is empty, but the index held files`,
        `If the files are coming back (a restore, a copy), wait: the arena resumes once they are there. If you deleted them on purpose, run \`${this.resume}\`: the deletions are then published and peers delete their copies`)
    }
  }

  /** A catch-up that failed for another reason (a sub-directory it may not read, a store error): paused and tried again. */
  failed (err: unknown): ArenaPausedError {
    return this.paused('CATCH_UP_FAILED', `catching up with its root ${this.o.root} failed`, 'The arena tries again by itself every few seconds; the cause says what to fix', err)
  }

  /** After a catch-up: the root has been indexed, so it is never made again by the node. */
  async markIndexed (): Promise<void> {
    if (await this.o.store.store.get(metaTable, ROOT_INDEXED) != null) return
    await this.o.store.store.write((b) => { b.put(metaTable, ROOT_INDEXED, new Uint8Array([1])) })
  }

  private async wasIndexed (): Promise<boolean> {
    return await this.o.store.store.get(metaTable, ROOT_INDEXED) != null || await this.indexHoldsFiles()
  }

  private async indexHoldsFiles (): Promise<boolean> {
    for await (const _ of this.o.store.index.all()) return true
    return false
  }

  /** A root that was never indexed (first start of the arena) is made, with parents; throws ArenaPausedError when it cannot be. */
  async createIfNew (): Promise<void> {
    if (!isMissing(this.o.root) || await this.wasIndexed()) return
    try {
      mkdirSync(this.o.root, { recursive: true })
      this.o.log.info({ root: this.o.root, event: 'root-created' }, 'created the arena root')
    } catch (err) {
      throw this.paused('ROOT_MISSING', `its root ${this.o.root} does not exist and could not be created`,
        `Create the folder, or change [arenas.${this.o.arena}] root in realize.toml; the arena starts by itself once the folder is there`, err)
    }
  }

  /** The root exists, is a directory (a link to one is fine) and may be listed. */
  private directory (): Stats {
    const { root } = this.o
    let st: Stats | undefined
    try {
      st = statSync(root, { throwIfNoEntry: false })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EPERM') throw this.unreadable(err)
      if (code !== 'ENOTDIR') throw this.paused('ROOT_UNREADABLE', `its root ${root} cannot be examined`, 'The arena tries again by itself; see the cause', err)
    }
    if (st == null) {
      throw this.paused('ROOT_MISSING', `its root ${root} does not exist`,
        'Move the folder back or mount its disk and the arena resumes by itself; nothing is deleted on peers meanwhile. To use another folder, change the root in realize.toml')
    }
    if (!st.isDirectory()) {
      throw this.paused('ROOT_NOT_DIRECTORY', `its root ${root} is not a directory`,
        'Move what is there away and put the folder back; the arena resumes by itself')
    }
    try {
      accessSync(root, constants.R_OK | constants.X_OK)
    } catch (err) {
      throw this.unreadable(err)
    }
    return st
  }

  private unreadable (err: unknown): ArenaPausedError {
    const user = process.getuid?.()
    return this.paused('ROOT_UNREADABLE', `its root ${this.o.root} cannot be read`,
      `Give the user running the node${user == null ? '' : ` (uid ${user})`} read and search permission on it (chmod u+rx, or chown); the arena resumes by itself`, err)
  }

  /** Nothing in the root but what the scanner ignores. */
  private async isEmpty (): Promise<boolean> {
    let dir
    try {
      dir = await opendir(this.o.root)
    } catch (err) {
      throw this.unreadable(err)
    }
    try {
      for await (const e of dir) if (!this.o.ignored(join(this.o.root, e.name), e.name)) return false
    } catch (err) {
      throw this.unreadable(err)
    }
    return true
  }

  private async someIndexedFilePresent (): Promise<boolean> {
    let n = 0
    for await (const [p] of this.o.store.index.all()) {
      if (lstatSync(join(this.o.root, ...p.split('/')), { throwIfNoEntry: false })?.isFile() === true) return true
      if (++n >= PRESENCE_SAMPLE) break
    }
    return false
  }

  private writeMarker (lost: boolean): void {
    try {
      mkdirSync(join(this.o.root, ROOT_MARKER))
      this.markerUsable = true
      if (lost) this.o.log.warn({ root: this.o.root, event: 'root-marker-restored' }, `the root's ${ROOT_MARKER} marker was missing but indexed files are there: made it again`)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return
      // A read-only root still syncs; it is then recognized by its files alone.
      if (this.markerUsable) this.o.log.warn({ root: this.o.root, err: describeError(err) }, `could not make the root's ${ROOT_MARKER} marker; an unmounted disk is then recognized by its missing files only`)
      this.markerUsable = false
    }
  }
}

/** Missing for sure; another failure (a parent it may not search) is for `directory()` to report. */
function isMissing (path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) == null
  } catch (err) {
    // A file where a parent directory should be: missing too.
    return (err as NodeJS.ErrnoException).code === 'ENOTDIR'
  }
}

function hasMarker (root: string): boolean {
  return lstatSync(join(root, ROOT_MARKER), { throwIfNoEntry: false })?.isDirectory() === true
}
