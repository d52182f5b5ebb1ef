import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { ArenaStore } from '../datastore/arena-store.js'
import { GlobalStore } from '../datastore/global-store.js'
import { wrapError } from '../datastore/types/errors.js'
import type { ArenaName } from '../datastore/types/arena.js'

/**
 * Where the stores live under the data directory, and the one place that
 * opens LevelDB. Arena names may contain `/`; the directory name is the
 * URI-encoded arena name so every arena store is a direct child.
 */
export function globalStoreDir (dataDir: string): string {
  return join(dataDir, 'stores', 'global')
}

export function arenaStoreDir (dataDir: string, arena: ArenaName): string {
  return join(dataDir, 'stores', `arena-${encodeURIComponent(arena)}`)
}

export async function openLevel (dir: string): Promise<LevelDatastore> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const ds = new LevelDatastore(dir)
    await ds.open()
    return ds
  } catch (err) {
    throw wrapError(`opening store ${dir}`, err, 'STORE_OPEN_FAILED')
  }
}

export async function openGlobalStore (dataDir: string): Promise<GlobalStore> {
  return await GlobalStore.open(await openLevel(globalStoreDir(dataDir)))
}

export async function openArenaStore (dataDir: string, arena: ArenaName): Promise<ArenaStore> {
  return await ArenaStore.open(await openLevel(arenaStoreDir(dataDir, arena)))
}
