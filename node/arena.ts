import { resolve, sep } from 'node:path'
import { openArenaStore } from './stores.js'
import { Marks } from './marks/marks.js'
import { RealIndex } from './real/real-index.js'
import { ArenaWatcher } from './real/watcher.js'
import type { ArenaStore } from '../datastore/arena-store.js'
import type { ArenaName } from './types/arena.js'
import type { Mark } from './types/mark.js'
import type { Logger } from './log.js'

export interface ArenaOptions {
  name: ArenaName
  /** The arena root on this machine; undefined for a cache-only arena. */
  root?: string
  /** The arena's mark from the config. */
  mark?: Mark
  dataDir: string
  log: Logger
  /** Watcher quiet time, see ArenaWatcher. */
  debounceMs?: number
}

/** Names the watcher never looks at: the node's own temporary files. */
export function isOwnTempFile (name: string): boolean {
  return name.startsWith('.realize-')
}

/**
 * One arena on this node: its store, the real (index + watcher) and its
 * marks. The unreal (cache of peers' files) joins here with the network.
 */
export class Arena {
  readonly watcher: ArenaWatcher | undefined

  private constructor (
    readonly name: ArenaName,
    readonly root: string | undefined,
    readonly store: ArenaStore,
    readonly index: RealIndex,
    readonly marks: Marks,
    options: ArenaOptions
  ) {
    if (root == null) return
    const dataDir = resolve(options.dataDir)
    this.watcher = new ArenaWatcher({
      root,
      store,
      index,
      log: options.log,
      debounceMs: options.debounceMs,
      // The data directory may live inside an arena root; never index it.
      ignored: (abs, name) => isOwnTempFile(name) || abs === dataDir || abs.startsWith(dataDir + sep)
    })
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
