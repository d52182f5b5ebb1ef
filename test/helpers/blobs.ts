import { join } from 'node:path'
import { ArenaStore } from '../../datastore/arena-store.js'
import { openLevel } from '../../node/stores.js'
import { BlobCache } from '../../node/blobs/blob-cache.js'
import { BlobStore, blobDir, type BlobStoreOptions } from '../../node/blobs/blob-store.js'
import { tempDir } from './tmp.js'

export interface TestArenaBlobs {
  arena: ArenaStore
  blobs: BlobStore
}

export interface TestBlobs {
  dataDir: string
  cache: BlobCache
  /** By arena name. */
  arenas: Map<string, TestArenaBlobs>
  /** The first arena's blob store. */
  blobs: BlobStore
  /** Closes every store and opens them again on the same directories (a restart). */
  reopen: () => Promise<void>
  cleanup: () => Promise<void>
}

export type BlobTestOptions = Omit<BlobStoreOptions, 'store' | 'dir' | 'cache'> & { capacity?: number, arenas?: string[] }

/** Blob stores on real LevelDB arena stores and real sparse files, sharing one cache. */
export async function tempBlobs (options: BlobTestOptions = {}): Promise<TestBlobs> {
  const { dir, cleanup } = await tempDir('realize-blobs-')
  const names = options.arenas ?? ['photos']
  const cache = new BlobCache(options.capacity ?? 1024 ** 3)
  const openAll = async (): Promise<Map<string, TestArenaBlobs>> => {
    const out = new Map<string, TestArenaBlobs>()
    for (const name of names) {
      const arena = await ArenaStore.open(await openLevel(join(dir, 'stores', encodeURIComponent(name))))
      const blobs = await BlobStore.open({ ...options, store: arena, dir: blobDir(dir, name), cache })
      out.set(name, { arena, blobs })
    }
    return out
  }
  const closeAll = async (arenas: Map<string, TestArenaBlobs>): Promise<void> => {
    for (const { arena, blobs } of arenas.values()) {
      await blobs.close().catch(() => {})
      await arena.close().catch(() => {})
    }
  }
  const t: TestBlobs = {
    dataDir: dir,
    cache,
    arenas: await openAll(),
    get blobs () { return (t.arenas.get(names[0] as string) as TestArenaBlobs).blobs },
    reopen: async () => {
      await closeAll(t.arenas)
      t.arenas = await openAll()
    },
    cleanup: async () => {
      await closeAll(t.arenas)
      await cleanup()
    }
  }
  return t
}
