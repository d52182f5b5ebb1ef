import assert from 'node:assert/strict'
import { parsePath } from '../../datastore/types/path.js'
import { collect, tempUnreal, v, type TestUnreal } from '../helpers/unreal.js'
import type { UnrealFileStat } from '../../node/unreal/types.js'

const A = 'peerA'
const B = 'peerB'
const C = 'peerC'

async function stat (t: TestUnreal, path = 'f'): Promise<UnrealFileStat> {
  const s = await t.tree.statPath(path)
  assert.equal(s?.kind, 'file')
  return s as UnrealFileStat
}

const peersOf = (s: UnrealFileStat): Array<[string, string]> => s.peers.map((p) => [p.peer, Buffer.from(p.version.hash).toString('hex').slice(0, 8)])
const short = (version: { hash: Uint8Array }): string => Buffer.from(version.hash).toString('hex').slice(0, 8)

describe('UnrealTree: choosing the served version', () => {
  let t: TestUnreal
  beforeEach(async () => { t = await tempUnreal() })
  afterEach(async () => { await t.cleanup() })

  it('two peers with the same file: one chosen, both recorded, no conflict', async () => {
    await t.tree.link(A, 'f', v('same', 100))
    await t.tree.link(B, 'f', v('same', 200))
    const s = await stat(t)
    assert.deepEqual(s.chosen, v('same', 100), 'the first version seen stays chosen')
    assert.deepEqual(s.peers.map((p) => p.peer), [A, B])
    assert.equal(s.conflict, false)
    assert.deepEqual(await collect(t.arena.conflicts.all()), [])
  })

  it('two peers with different files: when the chosen one goes, the highest mtime is served and the other kept', async () => {
    await t.tree.link(A, 'f', v('a', 100))
    await t.tree.link(B, 'f', v('b', 300))
    await t.tree.link(C, 'f', v('c', 200))
    let s = await stat(t)
    assert.deepEqual(s.chosen, v('a', 100), 'an Add does not move the choice')
    assert.equal(s.conflict, true)
    await t.tree.unlink(A, 'f', v('a', 100).hash)
    s = await stat(t)
    assert.deepEqual(s.chosen, v('b', 300), 'highest mtime served')
    assert.deepEqual(peersOf(s), [[B, short(v('b', 0))], [C, short(v('c', 0))]], 'the other is kept')
    assert.equal(s.conflict, true, 'c is still a parallel chain')
    const [[path, c]] = await collect(t.arena.conflicts.all()) as any
    assert.equal(path, 'f')
    assert.deepEqual(c.chosen, v('b', 0).hash)
    assert.deepEqual(c.remote.map((r: any) => r.peer), [B, C])
  })

  it('follows Replace chains across peers, whoever reports them', async () => {
    await t.tree.link(A, 'f', v('1', 100))
    await t.tree.link(B, 'f', v('1', 100))
    // B replaces v1 by v2: the choice moves although A still has v1
    await t.tree.link(B, 'f', v('2', 200), { oldHash: v('1', 0).hash })
    let s = await stat(t)
    assert.deepEqual(s.chosen, v('2', 200))
    assert.equal(s.conflict, false, 'A lags behind on the same chain')
    // C, which never had v2, reports v2 -> v3: the choice moves again
    await t.tree.link(C, 'f', v('3', 300), { oldHash: v('2', 0).hash })
    s = await stat(t)
    assert.deepEqual(s.chosen, v('3', 300))
    assert.deepEqual(s.chain, [v('1', 0).hash, v('2', 0).hash])
    assert.equal(s.conflict, false)
    // a Replace of a version that is not chosen does not move it
    await t.tree.link(A, 'f', v('1b', 400), { oldHash: v('1', 0).hash })
    s = await stat(t)
    assert.deepEqual(s.chosen, v('3', 300))
    assert.equal(s.conflict, true, 'v1b branches off an older version: a parallel chain')
  })

  it('records a parallel Add as a conflict, keeps the choice, and clears the conflict when it resolves', async () => {
    await t.tree.link(A, 'f', v('mine', 100))
    await t.tree.link(B, 'f', v('theirs', 500))
    let s = await stat(t)
    assert.deepEqual(s.chosen, v('mine', 100))
    assert.equal(s.conflict, true)
    const conflict = await t.arena.conflicts.get(parsePath('f'))
    assert.deepEqual(conflict?.remote, [{ peer: A, version: v('mine', 100) }, { peer: B, version: v('theirs', 500) }])
    assert.equal(conflict?.local, undefined)
    const dirtyBefore = await t.arena.dirty.counterOf(parsePath('f'))
    // B takes the chosen version (e.g. the user resolved it): one chain again
    await t.tree.link(B, 'f', v('mine', 600), { oldHash: v('theirs', 0).hash })
    s = await stat(t)
    assert.equal(s.conflict, false)
    assert.equal(await t.arena.conflicts.get(parsePath('f')), undefined)
    assert.ok((await t.arena.dirty.counterOf(parsePath('f')) as number) > (dirtyBefore as number))
  })

  it('ignores a link older (by mtime) than the version that peer has, and an unlink of its older version', async () => {
    await t.tree.link(A, 'f', v('1', 100))
    await t.tree.link(A, 'f', v('2', 200), { oldHash: v('1', 0).hash })
    assert.equal(await t.tree.link(A, 'f', v('1', 100)), 'ignored', 'a stale Add of the older version')
    assert.deepEqual((await stat(t)).chosen, v('2', 200))
    // unlink naming the older version (older mtime) is stale
    assert.equal(await t.tree.unlink(A, 'f', v('1', 100).hash), 'ignored')
    assert.ok(await t.tree.lookupPath('f'))
    assert.equal(await t.tree.unlink(B, 'f', v('2', 200).hash), 'ignored', 'B never had it')
    assert.equal(await t.tree.unlink(A, 'f', v('2', 200).hash), 'changed')
    assert.equal(await t.tree.lookupPath('f'), undefined)
  })

  it('a removed version does not fall back to an older one of its chain that a lagging peer still has (seed 1011, three nodes)', async () => {
    await t.tree.link(C, 'f', v('1', 100))
    await t.tree.link(A, 'f', v('2', 200), { oldHash: v('1', 0).hash })
    await t.tree.link(B, 'f', v('2', 200))
    assert.deepEqual((await stat(t)).chosen, v('2', 200))
    // A deleted v2, B followed; C has not seen it yet and still lists v1
    await t.tree.unlink(A, 'f', v('2', 0).hash)
    await t.tree.unlink(B, 'f', v('2', 0).hash)
    assert.equal(await t.tree.lookupPath('f'), undefined, 'the deleted file is not served again as v1')
    assert.deepEqual(await collect(t.arena.unreal.peerFiles(C)), [], 'the lagging entry went with the file')
    // C's own removal of v1 arrives later and changes nothing
    assert.equal(await t.tree.unlink(C, 'f', v('1', 0).hash), 'ignored')
    // a parallel chain left when the chosen one goes is still served
    await t.tree.link(A, 'g', v('x', 100))
    await t.tree.link(B, 'g', v('y', 50))
    await t.tree.unlink(A, 'g', v('x', 0).hash)
    assert.deepEqual((await stat(t, 'g')).chosen, v('y', 50))
  })

  it('a fallback to a parallel version does not make the old choice its history (seed 1031)', async () => {
    // Two nodes created f at once: C's version is chosen, A's is parallel.
    await t.tree.link(C, 'f', v('c', 100))
    await t.tree.link(A, 'f', v('a', 200))
    // C drops its copy (this node holds it real): A's version is served now,
    // but C's is not its predecessor, so a real copy of it is in conflict
    // with A's rather than outdated by it.
    await t.tree.unlink(C, 'f', v('c', 0).hash)
    const s = await stat(t)
    assert.deepEqual(s.chosen, v('a', 200))
    assert.deepEqual(s.chain, [], 'no history: c is not an earlier version of a')
  })

  it('catch-up: removes files the peer no longer lists, follows its new versions, keeps other peers', async () => {
    await t.tree.link(A, 'gone', v('g', 1))
    await t.tree.link(A, 'd/changed', v('old', 1))
    await t.tree.link(A, 'same', v('s', 1))
    await t.tree.link(A, 'shared', v('sh', 1))
    await t.tree.link(B, 'shared', v('sh', 1))
    await t.tree.link(B, 'd/b-only', v('b', 1))

    await t.tree.markPeerFiles(A)
    assert.equal(await t.tree.catchup(A, 'same', v('s', 1)), 'unchanged')
    // the listing is the peer's state: its new version replaces the old one, even with an older mtime
    assert.equal(await t.tree.catchup(A, 'd/changed', v('new', 0.5)), 'changed')
    assert.equal(await t.tree.catchup(A, 'added', v('n', 2)), 'changed')
    // a live link during the catch-up confirms its file too
    await t.tree.link(A, 'live', v('l', 3))
    assert.equal(await t.tree.deleteMarkedFiles(A), 2, 'gone and shared were not listed')

    assert.equal(await t.tree.lookupPath('gone'), undefined)
    assert.deepEqual((await stat(t, 'd/changed')).chosen, v('new', 0.5), 'the peer had the chosen version, so its new one is chosen')
    assert.deepEqual((await stat(t, 'shared')).peers.map((p) => p.peer), [B])
    assert.ok(await t.tree.lookupPath('live'))
    assert.ok(await t.tree.lookupPath('d/b-only'))
    assert.deepEqual((await collect(t.arena.unreal.peerFiles(A))).length, 4)
    // a second full catch-up listing nothing removes all of A's files
    await t.tree.markPeerFiles(A)
    assert.equal(await t.tree.deleteMarkedFiles(A), 4)
    assert.deepEqual((await t.tree.readdir(1)).map((e) => e.name), ['d', 'shared'])
  })

  it('catch-up of many files in one batch', async () => {
    await t.tree.markPeerFiles(A)
    const counts = await t.tree.catchupMany(A, Array.from({ length: 500 }, (_, i) => ({ path: `d${i % 7}/f${i}`, version: v(String(i), i) })))
    assert.deepEqual(counts, { changed: 500, unchanged: 0, ignored: 0 })
    assert.equal(await t.tree.deleteMarkedFiles(A), 0)
    await t.tree.markPeerFiles(A)
    const again = await t.tree.catchupMany(A, Array.from({ length: 500 }, (_, i) => ({ path: `d${i % 7}/f${i}`, version: v(String(i), i) })))
    assert.deepEqual(again, { changed: 0, unchanged: 500, ignored: 0 })
    assert.equal(await t.tree.deleteMarkedFiles(A), 0)
  })
})
