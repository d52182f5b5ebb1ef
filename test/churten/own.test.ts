import assert from 'node:assert/strict'
import { readFile, rm, stat } from 'node:fs/promises'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'

/** Blobs of `hash` in `queue` of a node's arena. */
async function blobsOf (n: TestPeer, queue: 'working' | 'protected' | 'pending', content: string): Promise<number[]> {
  const want = hashBytes(Buffer.from(content))
  const out: number[] = []
  for (const id of await n.blobs().queue(queue)) {
    const info = await n.blobs().get(id)
    if (info != null && hashEquals(info.hash, want)) out.push(id)
  }
  return out
}

describe('churten between nodes: own', function () {
  this.timeout(120_000)
  let c: Cluster
  let a: TestPeer
  let b: TestPeer
  afterEach(async () => { await c.cleanup() })

  describe('both own', () => {
    beforeEach(async () => {
      c = await cluster([{ name: 'a' }, { name: 'b' }])
      a = c.get('a')
      b = c.get('b')
    })

    it('a file in A\'s own arena appears in B\'s own arena with the same content and mtime', async () => {
      const abs = await a.write('dir/x.txt', 'hello from a')
      await b.waitForReal('dir/x.txt', 'hello from a')
      const [sa, sb] = await Promise.all([stat(abs), stat(b.abs('dir/x.txt'))])
      // Versions carry mtime as float milliseconds: equal to the microsecond.
      assert.ok(Math.abs(sb.mtimeMs - sa.mtimeMs) < 0.001, `mtime ${sb.mtimeMs} on b, ${sa.mtimeMs} on a`)
      assert.equal(await readFile(b.abs('dir/x.txt'), 'utf8'), 'hello from a')
      // Realized like any local file: B publishes it, and no blob is left behind.
      assert.deepEqual(b.kinds('dir/x.txt'), ['add'])
      const ended = await b.waitJob('dir/x.txt')
      assert.equal(ended.job, 'realize')
      assert.deepEqual(await blobsOf(b, 'working', 'hello from a'), [])
    })

    it('a replace on A updates B', async () => {
      await a.write('r.txt', 'version one')
      await b.waitForReal('r.txt', 'version one')
      await a.write('r.txt', 'version two, longer')
      await b.waitForReal('r.txt', 'version two, longer')
      assert.deepEqual(b.kinds('r.txt'), ['add', 'replace'])
      // A sees B follow its chain: no conflict either side.
      assert.equal(await a.arena().store.conflicts.get(parsePath('r.txt')), undefined)
      assert.equal(await b.arena().store.conflicts.get(parsePath('r.txt')), undefined)
    })

    it('a delete on A deletes B\'s own copy, and its content sits in pending removal', async () => {
      await a.write('d.txt', 'doomed content')
      await b.waitForReal('d.txt', 'doomed content')
      await rm(a.abs('d.txt'))
      await b.waitUnindexed('d.txt')
      await assert.rejects(stat(b.abs('d.txt')), { code: 'ENOENT' })
      const pending = await blobsOf(b, 'pending', 'doomed content')
      assert.equal(pending.length, 1, 'the content moved to pending removal, not the bin')
      const info = await b.blobs().get(pending[0] as number)
      assert.equal(info?.verified, true)
      assert.deepEqual(b.kinds('d.txt'), ['add', 'remove'])
    })
  })

  it('a delete on A is not undone by B still listing the file when it comes back', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    a = c.get('a')
    b = c.get('b')
    await a.write('gone.txt', 'deleted while b is away')
    await b.waitForReal('gone.txt', 'deleted while b is away')
    await b.stop()
    await rm(a.abs('gone.txt'))
    await a.waitUnindexed('gone.txt')
    const fromA = a.notes.length
    await b.start()
    // b follows a's Remove; a, which still listed b's copy, does not fetch it back.
    await b.waitUnindexed('gone.txt')
    await assert.rejects(stat(b.abs('gone.txt')), { code: 'ENOENT' })
    await a.waitFor(async () => (await a.tree().statPath('gone.txt')) == null, 'b\'s copy gone from a\'s tree')
    await assert.rejects(stat(a.abs('gone.txt')), { code: 'ENOENT' })
    assert.deepEqual(a.notes.slice(fromA).filter((s) => s.n.type === 'started' && s.n.path === 'gone.txt'), [], 'a started no job for it')
    assert.deepEqual(a.kinds('gone.txt'), ['add', 'remove'])
  })

  it('concurrent edits on A and B are a conflict, and both versions survive', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    a = c.get('a')
    b = c.get('b')
    await a.write('c.txt', 'base')
    await b.waitForReal('c.txt', 'base')
    await a.waitIndexed('c.txt', 'base')
    await b.stop()
    // Each side edits without seeing the other's edit.
    await a.write('c.txt', 'edited on a')
    await a.waitIndexed('c.txt', 'edited on a')
    await b.write('c.txt', 'edited on b, offline')
    const fromA = a.notes.length
    await b.start()
    await b.waitJob('c.txt', 'done', { job: 'conflict' })
    await a.waitJob('c.txt', 'done', { job: 'conflict', from: fromA })
    assert.equal(await readFile(a.abs('c.txt'), 'utf8'), 'edited on a')
    assert.equal(await readFile(b.abs('c.txt'), 'utf8'), 'edited on b, offline')
    const onB = await b.arena().store.conflicts.get(parsePath('c.txt'))
    const onA = await a.arena().store.conflicts.get(parsePath('c.txt'))
    const hashA = hashBytes(Buffer.from('edited on a'))
    const hashB = hashBytes(Buffer.from('edited on b, offline'))
    // Each side's record shows both versions: its own as local, the other's with its peer.
    assert.ok(hashEquals(onB?.local?.hash, hashB))
    assert.deepEqual(onB?.remote.map((r) => [r.peer, hashEquals(r.version.hash, hashA)]), [[a.peerId, true]])
    assert.ok(hashEquals(onA?.local?.hash, hashA))
    assert.deepEqual(onA?.remote.map((r) => [r.peer, hashEquals(r.version.hash, hashB)]), [[b.peerId, true]])
    // Each side still serves the other's version from its unreal tree.
    const remoteOnB = await b.tree().statPath('c.txt')
    assert.ok(remoteOnB?.kind === 'file' && hashEquals(remoteOnB.chosen.hash, hashA))

    // Resolved on b by taking a's version: the record goes on both sides.
    await b.write('c.txt', 'edited on a')
    await b.waitFor(async () => (await b.arena().store.conflicts.get(parsePath('c.txt'))) == null, 'b\'s conflict record cleared')
    await a.waitFor(async () => (await a.arena().store.conflicts.get(parsePath('c.txt'))) == null, 'a\'s conflict record cleared')
  })

  it('marking a directory own after the fact realizes everything under it', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }] }])
    a = c.get('a')
    b = c.get('b')
    const files = { 'photos/1.jpg': 'one', 'photos/2.jpg': 'two', 'photos/trip/3.jpg': 'three', 'other.txt': 'not under it' }
    for (const [p, text] of Object.entries(files)) await a.write(p, text)
    for (const [p, text] of Object.entries(files)) await b.waitRemote(p, text)
    // watch: nothing is downloaded while the directory is unmarked.
    await assert.rejects(stat(b.abs('photos')), { code: 'ENOENT' })
    assert.equal(await b.arena().marks.set(parsePath('photos'), 'own'), 'table', 'known only from peers: the mark goes in the table')
    await b.waitForReal('photos/1.jpg', 'one')
    await b.waitForReal('photos/2.jpg', 'two')
    await b.waitForReal('photos/trip/3.jpg', 'three')
    await assert.rejects(stat(b.abs('other.txt')), { code: 'ENOENT' })
  })

  it('marking the arena own after the fact (as `mark own ARENA:` does) realizes everything', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }] }])
    a = c.get('a')
    b = c.get('b')
    await a.write('x/1.txt', 'one')
    await a.write('2.txt', 'two')
    await b.waitRemote('x/1.txt', 'one')
    await b.waitRemote('2.txt', 'two')
    // What the control API does: the config's mark, then the arena root marked dirty.
    const arena = b.arena()
    arena.marks.setArenaMark('own')
    await arena.store.store.write(async (batch) => { await arena.store.dirty.mark(batch, parsePath('', { allowRoot: true })) })
    await b.waitForReal('x/1.txt', 'one')
    await b.waitForReal('2.txt', 'two')
  })
})
