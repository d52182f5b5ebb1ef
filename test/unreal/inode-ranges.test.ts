import assert from 'node:assert/strict'
import { rm } from 'node:fs/promises'
import { ArenaStore } from '../../datastore/arena-store.js'
import { GlobalStore } from '../../datastore/global-store.js'
import { arenaStoreDir, openArenaStore, openGlobalStore } from '../../node/stores.js'
import { InodeAllocator } from '../../node/unreal/inode-ranges.js'
import { UnrealTree } from '../../node/unreal/unreal-tree.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { collect, v } from '../helpers/unreal.js'
import { tempDir } from '../helpers/tmp.js'

/** Takes `n` inodes in one committed arena batch. */
async function take (store: ArenaStore, inodes: InodeAllocator, n: number): Promise<number[]> {
  return await store.store.write(async (b) => {
    const out: number[] = []
    for (let i = 0; i < n; i++) out.push(await inodes.take(b))
    return out
  })
}

describe('inode ranges {#inoderange}', () => {
  let dir: string
  let cleanup: () => Promise<void>
  const open: Array<{ close: () => Promise<void> }> = []
  beforeEach(async () => { ({ dir, cleanup } = await tempDir('realize-inodes-')) })
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => {})
    await cleanup()
  })

  const globalStore = async (): Promise<GlobalStore> => { const g = await openGlobalStore(dir); open.push(g); return g }
  const arenaStore = async (name: string): Promise<ArenaStore> => { const s = await openArenaStore(dir, parseArenaName(name)); open.push(s); return s }

  it('hands out consecutive ranges of 10,000 by default, the first after the root inode', async () => {
    const g = await globalStore()
    const a = await arenaStore('a')
    const b = await arenaStore('b')
    const ia = await InodeAllocator.open(a, g.inodeRanges, 'a')
    const ib = await InodeAllocator.open(b, g.inodeRanges, 'b')
    assert.deepEqual(await take(a, ia, 2), [2, 3])
    assert.deepEqual(await take(b, ib, 1), [10_002])
    assert.deepEqual(ia.current, { next: 4, end: 10_002 })
    assert.deepEqual(await collect(g.inodeRanges.all()), [
      { arena: 'a', start: 2, end: 10_002 },
      { arena: 'b', start: 10_002, end: 20_002 }
    ])
  })

  it('gives an arena back the range it forgot when its batch failed after the global one committed', async () => {
    const g = await globalStore()
    const a = await arenaStore('a')
    let ia = await InodeAllocator.open(a, g.inodeRanges, 'a', { rangeSize: 3 })
    assert.deepEqual(await take(a, ia, 3), [2, 3, 4])
    // the range is exhausted: the next take allocates [5, 8) globally, then the arena batch fails
    await assert.rejects(a.store.write(async (batch) => {
      assert.equal(await ia.take(batch), 5)
      throw new Error('crash before the arena batch commits')
    }), /crash/)
    assert.deepEqual(await collect(g.inodeRanges.all()), [{ arena: 'a', start: 2, end: 5 }, { arena: 'a', start: 5, end: 8 }])
    // another arena takes the next range meanwhile
    const b = await arenaStore('b')
    const ib = await InodeAllocator.open(b, g.inodeRanges, 'b', { rangeSize: 3 })
    assert.deepEqual(await take(b, ib, 1), [8])
    // the arena restarts knowing only [2, 5) exhausted: it gets [5, 8) back, not a new range
    ia = await InodeAllocator.open(a, g.inodeRanges, 'a', { rangeSize: 3 })
    assert.deepEqual(ia.current, { next: 5, end: 5 })
    assert.deepEqual(await take(a, ia, 3), [5, 6, 7])
    assert.deepEqual(await take(a, ia, 1), [11], 'then a new range after the last allocated end')
    assert.deepEqual((await collect(g.inodeRanges.all())).map((r) => `${r.arena}:${r.start}-${r.end}`), ['a:2-5', 'a:5-8', 'b:8-11', 'a:11-14'])
  })

  it('after dropping all caches and deleting one arena store, that arena gets its same ranges back', async () => {
    const arenas = ['photos', 'docs/office']
    const size = 4
    const build = async (): Promise<Map<string, UnrealTree>> => {
      const g = await globalStore()
      const trees = new Map<string, UnrealTree>()
      for (const name of arenas) trees.set(name, await UnrealTree.open(await arenaStore(name), g.inodeRanges, name, { rangeSize: size }))
      return trees
    }
    let trees = await build()
    // interleave the arenas so their ranges alternate in the global table
    for (let i = 0; i < 3; i++) {
      for (const name of arenas) await trees.get(name)?.link('peer', `dir${i}/f${i}`, v(`${name}${i}`, i + 1))
    }
    const inodesOf = async (tree: UnrealTree): Promise<number[]> => {
      const out: number[] = []
      for (let i = 0; i < 3; i++) {
        out.push((await tree.lookupPath(`dir${i}`))?.inode as number, (await tree.lookupPath(`dir${i}/f${i}`))?.inode as number)
      }
      return out
    }
    const photosBefore = await inodesOf(trees.get('photos') as UnrealTree)
    const docsBefore = await inodesOf(trees.get('docs/office') as UnrealTree)

    // drop all caches: close every store; delete one arena's store; re-create everything
    for (const s of open.splice(0)) await s.close()
    await rm(arenaStoreDir(dir, parseArenaName('photos')), { recursive: true })
    trees = await build()
    for (let i = 0; i < 3; i++) await trees.get('photos')?.link('peer', `dir${i}/f${i}`, v(`photos${i}`, i + 1))

    assert.deepEqual(await inodesOf(trees.get('photos') as UnrealTree), photosBefore, 'same inodes from the same ranges')
    assert.deepEqual(await inodesOf(trees.get('docs/office') as UnrealTree), docsBefore, 'the other arena is untouched')
    const g = open[0] as GlobalStore
    const ranges = await collect(g.inodeRanges.all())
    assert.deepEqual(ranges.map((r) => `${r.arena}:${r.start}-${r.end}`), ['photos:2-6', 'docs/office:6-10', 'photos:10-14', 'docs/office:14-18'],
      'no new range was allocated')
  })
})
