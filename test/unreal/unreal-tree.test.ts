import assert from 'node:assert/strict'
import { dirtyByCounter } from '../../datastore/tables/dirty.js'
import { ROOT_INODE } from '../../node/unreal/types.js'
import { parsePath, type RelPath } from '../../datastore/types/path.js'
import { collect, tempUnreal, v, type TestUnreal } from '../helpers/unreal.js'
import type { UnrealFileStat } from '../../node/unreal/types.js'

const A = '12D3KooWPeerA'
const B = '12D3KooWPeerB'

async function dirtyPaths (t: TestUnreal): Promise<RelPath[]> {
  return (await collect(t.arena.store.scan(dirtyByCounter))).map(([, p]) => p)
}

async function fileStat (t: TestUnreal, path: string): Promise<UnrealFileStat> {
  const s = await t.tree.statPath(path)
  assert.equal(s?.kind, 'file', `${path} is a file`)
  return s as UnrealFileStat
}

async function allKeys (t: TestUnreal): Promise<string[]> {
  return (await collect(t.arena.store.datastore.queryKeys({}) as AsyncIterable<{ toString: () => string }>)).map((k) => k.toString())
}

describe('UnrealTree: tree and operations', () => {
  let t: TestUnreal
  beforeEach(async () => { t = await tempUnreal() })
  afterEach(async () => { await t.cleanup() })

  it('links a file with its directories under inode 1, readable by inode and by path', async () => {
    assert.equal(await t.tree.link(A, 'photos/2024:01/ü.jpg', v('x', 100)), 'changed')
    const root = await t.tree.readdir(ROOT_INODE)
    assert.deepEqual(root.map((e) => [e.name, e.kind]), [['photos', 'dir']])
    const photos = root[0]?.inode as number
    assert.ok(photos >= 2, 'inodes come from the arena range, after the root')
    const month = await t.tree.lookup(photos, '2024:01')
    assert.equal(month?.kind, 'dir')
    const file = await t.tree.lookup(month?.inode as number, 'ü.jpg')
    assert.equal(file?.kind, 'file')
    assert.deepEqual(await t.tree.lookupPath('photos/2024:01/ü.jpg'), file)
    assert.equal(await t.tree.pathOf(file?.inode as number), 'photos/2024:01/ü.jpg')
    assert.deepEqual(await t.tree.lookupPath(''), { name: '', inode: ROOT_INODE, kind: 'dir' })
    assert.equal(await t.tree.lookupPath('photos/nope'), undefined)
    assert.equal(await t.tree.lookupPath('photos/2024:01/ü.jpg/below'), undefined)
    const s = await fileStat(t, 'photos/2024:01/ü.jpg')
    assert.deepEqual(s.chosen, v('x', 100))
    assert.deepEqual(s.peers, [{ peer: A, version: v('x', 100) }])
    assert.equal(s.conflict, false)
    const d = await t.tree.stat(photos)
    assert.deepEqual(d, { kind: 'dir', inode: photos, parent: ROOT_INODE, name: 'photos', children: 1 })
  })

  it('marks every changed path dirty in the same batch, and a failed batch leaves nothing', async () => {
    await t.tree.link(A, 'a/one', v('1', 1))
    assert.deepEqual(await dirtyPaths(t), ['a/one'])
    await assert.rejects(t.tree.write(async (tx) => {
      await tx.link(A, 'a/two', v('2', 2))
      throw new Error('boom')
    }), /boom/)
    assert.equal(await t.tree.lookupPath('a/two'), undefined)
    assert.deepEqual(await dirtyPaths(t), ['a/one'])
    // unchanged and ignored operations do no work and mark nothing
    assert.equal(await t.tree.link(A, 'a/one', v('1', 1)), 'unchanged')
    assert.equal(await t.tree.unlink(A, 'a/missing', v('1', 1).hash), 'ignored')
    assert.deepEqual(await dirtyPaths(t), ['a/one'])
    await t.tree.unlink(A, 'a/one', v('1', 1).hash)
    assert.deepEqual(await dirtyPaths(t), ['a/one'])
    const n = (await t.arena.dirty.counterOf(parsePath('a/one'))) as number
    assert.ok(n > 1, 'the unlink moved the path to the end of the dirty queue')
  })

  it('lists a 10,000-entry directory in name byte order with one range scan', async function () {
    this.timeout(120_000)
    const names = Array.from({ length: 10_000 }, (_, i) => `${(i * 7919) % 10_000}-${i % 3 === 0 ? 'é' : i % 3 === 1 ? 'Z' : '日'}`)
    await t.tree.catchupMany(A, names.map((n, i) => ({ path: `big/${n}`, version: v(n, i + 1) })))
    const big = await t.tree.lookupPath('big')
    const listed = await t.tree.readdir(big?.inode as number)
    assert.equal(listed.length, 10_000)
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
    assert.deepEqual(listed.map((e) => e.name), byBytes)
    assert.ok(listed.every((e) => e.kind === 'file'))
    assert.equal(new Set(listed.map((e) => e.inode)).size, 10_000, 'every file has its own inode')
  })

  it('keeps directories of other inodes out of a listing (fixed-width inode prefix)', async () => {
    // enough directories that inode numbers share leading hex digits
    for (let i = 0; i < 40; i++) await t.tree.link(A, `d${i}/f`, v(String(i), 1))
    for (let i = 0; i < 40; i++) {
      const d = await t.tree.lookupPath(`d${i}`)
      assert.deepEqual((await t.tree.readdir(d?.inode as number)).map((e) => e.name), ['f'])
    }
  })

  it('rejects invalid paths, peers and versions before touching the store', async () => {
    await t.tree.link(A, 'ok', v('1', 1))
    const before = await allKeys(t)
    for (const bad of ['', '/abs', '../up', 'a/../b', 'a//b', 'a/./b', 'nul\0x', 'trailing/']) {
      await assert.rejects(t.tree.link(A, bad, v('1', 1)), { code: 'INVALID_PATH' }, JSON.stringify(bad))
      await assert.rejects(t.tree.unlink(A, bad, v('1', 1).hash), { code: 'INVALID_PATH' })
      await assert.rejects(t.tree.catchup(A, bad, v('1', 1)), { code: 'INVALID_PATH' })
      await assert.rejects(t.tree.catchupMany(A, [{ path: 'fine', version: v('1', 1) }, { path: bad, version: v('1', 1) }]), { code: 'INVALID_PATH' })
    }
    await assert.rejects(t.tree.lookupPath('../x'), { code: 'INVALID_PATH' })
    await assert.rejects(t.tree.lookup(ROOT_INODE, 'a/b'), { code: 'INVALID_PATH' })
    await assert.rejects(t.tree.link('', 'x', v('1', 1)), { code: 'INVALID_PEER' })
    await assert.rejects(t.tree.link('a/b', 'x', v('1', 1)), { code: 'INVALID_PEER' })
    await assert.rejects(t.tree.link(A, 'x', { ...v('1', 1), hash: new Uint8Array(3) as never }), { code: 'INVALID_HASH' })
    await assert.rejects(t.tree.link(A, 'x', { ...v('1', 1), size: -1 }), { code: 'INVALID_VERSION' })
    assert.deepEqual(await allKeys(t), before)
  })

  it('removes a file when its last peer lets go, and the directories it leaves empty', async () => {
    await t.tree.link(A, 'a/b/c/one', v('1', 1))
    await t.tree.link(A, 'a/keep', v('k', 1))
    await t.tree.link(B, 'a/b/c/one', v('1', 1))
    assert.equal(await t.tree.unlink(A, 'a/b/c/one', v('1', 1).hash), 'changed')
    assert.ok(await t.tree.lookupPath('a/b/c/one'), 'B still has it')
    await t.tree.unlink(B, 'a/b/c/one', v('1', 1).hash)
    assert.equal(await t.tree.lookupPath('a/b/c/one'), undefined)
    assert.equal(await t.tree.lookupPath('a/b'), undefined, 'empty directories disappear')
    assert.deepEqual((await t.tree.readdir((await t.tree.lookupPath('a'))?.inode as number)).map((e) => e.name), ['keep'])
    await t.tree.unlink(A, 'a/keep', v('k', 1).hash)
    assert.deepEqual(await t.tree.readdir(ROOT_INODE), [])
    await assert.rejects(t.tree.readdir(12345), { code: 'NOT_FOUND' })
  })

  it('ignores a file where the tree has a directory, and the reverse', async () => {
    await t.tree.link(A, 'x/y', v('1', 1))
    assert.equal(await t.tree.link(B, 'x', v('2', 1)), 'ignored')
    assert.equal(await t.tree.link(B, 'x/y/z', v('3', 1)), 'ignored')
    assert.equal((await t.tree.lookupPath('x'))?.kind, 'dir')
    assert.equal((await t.tree.lookupPath('x/y'))?.kind, 'file')
  })

  it('maps history notifications: add, replace, remove, drop', async () => {
    const p = parsePath('f')
    assert.equal(await t.tree.apply(A, { kind: 'add', path: p, ...v('1', 1) }), 'changed')
    assert.equal(await t.tree.apply(A, { kind: 'replace', path: p, ...v('2', 2), oldHash: v('1', 1).hash }), 'changed')
    assert.deepEqual((await fileStat(t, 'f')).chosen, v('2', 2))
    await t.tree.apply(B, { kind: 'add', path: p, ...v('2', 2) })
    assert.equal(await t.tree.apply(A, { kind: 'drop', path: p, oldHash: v('2', 2).hash }), 'changed')
    assert.equal(await t.tree.apply(B, { kind: 'remove', path: p, oldHash: v('2', 2).hash }), 'changed')
    assert.equal(await t.tree.lookupPath('f'), undefined)
  })

  it('survives a restart, and deleteArena removes the whole tree but never reuses inodes', async () => {
    await t.tree.link(A, 'a/b', v('1', 1))
    await t.tree.link(B, 'a/b', v('2', 2))
    assert.equal((await collect(t.arena.conflicts.all())).length, 1)
    const before = (await t.tree.lookupPath('a/b'))?.inode as number
    await t.reopen()
    assert.equal((await t.tree.lookupPath('a/b'))?.inode, before)
    await t.tree.deleteArena()
    assert.deepEqual(await t.tree.readdir(ROOT_INODE), [])
    assert.deepEqual(await collect(t.arena.conflicts.all()), [])
    assert.deepEqual(await collect(t.arena.unreal.peerFiles(A)), [])
    await t.tree.link(A, 'a/b', v('1', 1))
    assert.ok(((await t.tree.lookupPath('a/b'))?.inode as number) > before)
  })
})
