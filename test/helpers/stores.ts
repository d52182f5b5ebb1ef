import { ArenaStore } from '../../datastore/arena-store.js'
import { openLevel } from '../../node/stores.js'
import { tempDir } from './tmp.js'

/** A real LevelDB-backed arena store in a temp dir; `reopen` closes and opens it again. */
export async function tempArenaStore (): Promise<{ store: ArenaStore, dir: string, reopen: () => Promise<ArenaStore>, cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('realize-store-')
  const h = {
    store: await ArenaStore.open(await openLevel(dir)),
    dir,
    reopen: async () => {
      await h.store.close()
      h.store = await ArenaStore.open(await openLevel(dir))
      return h.store
    },
    cleanup: async () => {
      await h.store.close().catch(() => {})
      await cleanup()
    }
  }
  return h
}
