import { rm } from 'node:fs/promises'
import { resolve, sep } from 'node:path'
import { openArenaStore } from './stores.js'
import { Marks } from './marks/marks.js'
import { RealIndex } from './real/real-index.js'
import { ArenaWatcher } from './real/watcher.js'
import { RootCheck, type ArenaPausedError } from './real/root-check.js'
import type { ArenaStore } from '../datastore/arena-store.js'
import type { ArenaName } from '../datastore/types/arena.js'
import type { Mark } from '../datastore/types/mark.js'
import { isReservedName } from '../datastore/types/path.js'
import { describeError } from '../datastore/types/errors.js'
import type { Logger } from './log.js'

export interface ArenaOptions {
  name: ArenaName
  /** The arena root on this machine; undefined for a cache-only arena. */
  root?: string
  /** The arena's mark from the config. */
  mark?: Mark
  dataDir: string
  /** Already bound to the arena (`log.child({ arena })`): lines here do not repeat the `arena` key. */
  log: Logger
  /** Watcher quiet time, see ArenaWatcher. */
  debounceMs?: number
  /** How often the root is tested again (spec section 4), see ArenaWatcher. @default 2000 */
  recheckMs?: number
}

/** Names the watcher never looks at: the node's own temporary files. */
export function isOwnTempFile (name: string): boolean {
  return isReservedName(name)
}

/**
 * One arena on this node: its store, the real (index + watcher) and its
 * marks. The unreal (cache of peers' files) joins here with the network.
 */
export class Arena {
  readonly watcher: ArenaWatcher | undefined
  /** The root's health (spec section 4: a root that disappears is not a deletion). */
  readonly rootCheck: RootCheck | undefined
  /**
   * `.realize-*.part` files the start-up catch-up walked past. No job runs
   * before churten starts, so they are left by a realize that a crash or
   * kill cut short: their content is a copy of a peer's version, fetched
   * again if still wanted.
   */
  private leftovers: string[] | undefined = []
  /**
   * Temporary files of running realizes (absolute paths). Once churten runs,
   * a `.realize-*.part` file the watcher meets that is not one of these was
   * carried off by the user with its directory (`mv d1 d3` while a realize
   * wrote into d1): its job fails and cannot find it any more, so it is
   * removed here (seed 1005).
   */
  private readonly temps = new Set<string>()
  private readonly log: Logger

  private constructor (
    readonly name: ArenaName,
    readonly root: string | undefined,
    readonly store: ArenaStore,
    readonly index: RealIndex,
    readonly marks: Marks,
    options: ArenaOptions
  ) {
    this.log = options.log
    if (root == null) return
    const dataDir = resolve(options.dataDir)
    // The data directory may live inside an arena root; never index it.
    const ignored = (abs: string, name: string): boolean => isOwnTempFile(name) || abs === dataDir || abs.startsWith(dataDir + sep)
    this.rootCheck = new RootCheck({ arena: name, root, store, log: options.log, ignored })
    this.watcher = new ArenaWatcher({
      root,
      store,
      index,
      log: options.log,
      debounceMs: options.debounceMs,
      check: this.rootCheck,
      recheckMs: options.recheckMs,
      ignored: (abs, name) => {
        if (isOwnTempFile(name) && name.endsWith('.part')) {
          if (this.leftovers != null) this.leftovers.push(abs)
          else if (!this.temps.has(abs)) void this.removeStray(abs)
        }
        return ignored(abs, name)
      }
    })
  }

  /** Why the arena is paused (its root is missing, unreadable, emptied...); undefined while it runs. */
  get paused (): ArenaPausedError | undefined {
    return this.watcher?.paused
  }

  /**
   * Removes what a realize cut short left in the root; call after the
   * watcher's start-up catch-up and before churten starts (later temp files
   * belong to running jobs). Returns how many went.
   */
  async removeLeftovers (): Promise<number> {
    const found = this.leftovers ?? []
    this.leftovers = undefined
    let removed = 0
    for (const abs of found) {
      try {
        await rm(abs)
        removed++
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ file: abs, err: describeError(err) }, 'could not remove a temporary file left by an interrupted realize')
      }
    }
    if (removed > 0) this.log.info({ removed, event: 'leftovers-removed' }, 'removed temporary files left by an interrupted realize')
    return removed
  }

  /** A realize is about to write `abs`; `done` when it no longer may (renamed into place or removed). */
  claimTemp (abs: string): { done: () => void } {
    this.temps.add(abs)
    return { done: () => { this.temps.delete(abs) } }
  }

  private async removeStray (abs: string): Promise<void> {
    try {
      await rm(abs)
      this.log.info({ file: abs, event: 'stray-temp-removed' }, 'removed a temporary file that no realize owns any more (moved away with its directory)')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ file: abs, err: describeError(err) }, 'could not remove a stray temporary file')
    }
  }

  static async open (options: ArenaOptions): Promise<Arena> {
    const store = await openArenaStore(options.dataDir, options.name)
    const root = options.root == null ? undefined : resolve(options.root)
    return new Arena(options.name, root, store, new RealIndex(store), new Marks(store, options.mark, root), options)
  }

  async close (): Promise<void> {
    await this.watcher?.stop()
    await this.store.close()
  }
}
