import assert from 'node:assert/strict'
import { tempUnreal, v, type TestUnreal } from '../helpers/unreal.js'
import { FileCache } from '../../node/unreal/file-cache.js'
import type { UnrealFileStat } from '../../node/unreal/types.js'

const A = '12D3KooWPeerA'
const B = '12D3KooWPeerB'

async function fileStat (t: TestUnreal, path: string): Promise<UnrealFileStat | undefined> {
  const s = await t.tree.statPath(path)
  return s?.kind === 'file' ? s : undefined
}

const peersOf = (s: UnrealFileStat | undefined): string[] => (s?.peers ?? []).map((p) => p.peer).sort()

describe('UnrealTree: file entries kept between reads (file-cache.ts)', () => {
  let t: TestUnreal
  beforeEach(async () => { t = await tempUnreal() })
  afterEach(async () => { await t.cleanup() })

  it('a stat after each write sees exactly what the write left: link, replace, unlink, blob', async () => {
    await t.tree.link(A, 'd/f', v('one', 1))
    assert.deepEqual(peersOf(await fileStat(t, 'd/f')), [A])
    await t.tree.link(B, 'd/f', v('one', 1))
    assert.deepEqual(peersOf(await fileStat(t, 'd/f')), [A, B])
    await t.tree.link(A, 'd/f', v('two', 2), { oldHash: v('one', 1).hash })
    const replaced = await fileStat(t, 'd/f')
    assert.deepEqual(replaced?.chosen.hash, v('two', 2).hash)
    assert.equal(replaced?.chain.length, 1)
    assert.equal(await t.tree.setBlob('d/f', v('two', 2).hash, 7), true)
    assert.equal((await fileStat(t, 'd/f'))?.blobId, 7)
    await t.tree.unlink(B, 'd/f', v('one', 1).hash)
    await t.tree.unlink(A, 'd/f', v('two', 2).hash)
    assert.equal(await fileStat(t, 'd/f'), undefined)
    // Read again after a restart: the same as the store holds.
    await t.tree.link(A, 'd/g', v('g', 1))
    const before = await fileStat(t, 'd/g')
    await t.reopen()
    assert.deepEqual(await fileStat(t, 'd/g'), before)
  })

  it('does not keep a read that a write overtook', async () => {
    await t.tree.link(A, 'd/f', v('one', 1))
    // Reads start all the while B's link is written and committed: one that
    // began before the commit and ended after it must not be kept.
    let done = false
    const write = t.tree.link(B, 'd/f', v('one', 1)).finally(() => { done = true })
    const reads: Array<Promise<unknown>> = []
    while (!done) {
      reads.push(fileStat(t, 'd/f'))
      await new Promise((resolve) => setImmediate(resolve))
    }
    await Promise.all([...reads, write])
    assert.deepEqual(peersOf(await fileStat(t, 'd/f')), [A, B])
  })

  it('forgets everything when the arena tree is deleted', async () => {
    await t.tree.link(A, 'd/f', v('one', 1))
    assert.ok(await fileStat(t, 'd/f'))
    await t.tree.deleteArena()
    assert.equal(await fileStat(t, 'd/f'), undefined)
  })

  it('FileCache: a read that began before a commit is dropped, the commit\'s own result is kept', () => {
    const cache = new FileCache()
    const old = { chosen: undefined, peers: new Map() }
    const began = cache.generation
    cache.committing([5])
    cache.keep(5, old, began)
    assert.equal(cache.get(5), undefined, 'read under way during the commit')
    const chosen = { version: v('x', 1), chain: [] }
    cache.committed([{ inode: 5, path: 'f' as never, dir: 1, chosen, peers: new Map([[A, v('x', 1)]]), saved: chosen, savedConflict: false }])
    cache.keep(5, old, began)
    assert.equal(cache.get(5)?.chosen, chosen)
    assert.deepEqual([...cache.get(5)?.peers.keys() ?? []], [A])
    cache.committed([{ inode: 5, path: 'f' as never, dir: 1, chosen: undefined, peers: new Map(), saved: undefined, savedConflict: false }])
    assert.equal(cache.get(5), undefined, 'removed files are not kept')
  })
})
