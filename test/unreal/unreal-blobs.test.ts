import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ArenaStore } from '../../datastore/arena-store.js'
import { GlobalStore } from '../../datastore/global-store.js'
import { openLevel } from '../../node/stores.js'
import { BlobCache } from '../../node/blobs/blob-cache.js'
import { BlobStore, blobDir } from '../../node/blobs/blob-store.js'
import { UnrealTree } from '../../node/unreal/unreal-tree.js'
import { tempDir } from '../helpers/tmp.js'
import { v } from '../helpers/unreal.js'
import type { UnrealFileStat } from '../../node/unreal/types.js'

describe('UnrealTree with the blob store {#bloblru}', () => {
  let cleanup: () => Promise<void>
  let arena: ArenaStore
  let global: GlobalStore
  let blobs: BlobStore
  let tree: UnrealTree
  beforeEach(async () => {
    const t = await tempDir('realize-unreal-blobs-')
    arena = await ArenaStore.open(await openLevel(join(t.dir, 'arena')))
    global = await GlobalStore.open(await openLevel(join(t.dir, 'global')))
    blobs = await BlobStore.open({ store: arena, dir: blobDir(t.dir, 'a'), cache: new BlobCache(1024 ** 3) })
    tree = await UnrealTree.open(arena, global.inodeRanges, 'a', { blobs })
    cleanup = async () => {
      await blobs.close()
      await arena.close()
      await global.close()
      await t.cleanup()
    }
  })
  afterEach(async () => { await cleanup() })

  async function cache (path: string, content: string, mtime: number): Promise<number> {
    const version = v(content, mtime)
    const h = await blobs.create(version.hash, version.size)
    await h.write(Buffer.from(content), 0)
    await h.close()
    assert.equal(await tree.setBlob(path, version.hash, h.id), true)
    return h.id
  }

  it('moves the blob of a version no longer chosen to pending removal, and keeps it as the delta basis', async () => {
    await tree.link('A', 'f', v('1', 1))
    const b1 = await cache('f', '1', 1)
    assert.equal((await tree.statPath('f') as UnrealFileStat).blobId, b1)
    assert.equal(await tree.setBlob('f', v('other', 1).hash, 99), false, 'only for the chosen version')
    await tree.link('A', 'f', v('2', 2), { oldHash: v('1', 1).hash })
    const s = await tree.statPath('f') as UnrealFileStat
    assert.equal(s.blobId, undefined)
    assert.equal(s.basisBlobId, b1)
    assert.equal((await blobs.get(b1))?.queue, 'pending')
    const b2 = await cache('f', '2', 2)
    await tree.unlink('A', 'f', v('2', 2).hash)
    assert.equal(await tree.lookupPath('f'), undefined)
    assert.deepEqual(await blobs.queue('pending'), [b1, b2], 'a removed file\'s blob goes too')
  })
})
