import { MemoryDatastore } from 'datastore-core'
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

/**
 * The same over an in-memory datastore (datastore-core's MemoryDatastore):
 * the Store's path for datastores that are not LevelDB (`query`, async
 * point reads, no `nextv`). `reopen` opens a new ArenaStore on the same data.
 */
export async function memoryArenaStore (): Promise<{ store: ArenaStore, dir: string, reopen: () => Promise<ArenaStore>, cleanup: () => Promise<void> }> {
  const ds = new MemoryDatastore()
  const h = {
    store: await ArenaStore.open(ds),
    dir: '',
    reopen: async () => {
      await h.store.close()
      h.store = await ArenaStore.open(ds)
      return h.store
    },
    cleanup: async () => { await h.store.close().catch(() => {}) }
  }
  return h
}

/** Each backend the Store runs on, for suites that run against both (as interface-datastore-tests does). */
export const storeBackends = [
  { name: 'LevelDB', open: tempArenaStore, syncReads: true },
  { name: 'memory datastore', open: memoryArenaStore, syncReads: false }
] as const
