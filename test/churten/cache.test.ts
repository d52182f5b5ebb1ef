import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { hashFile } from '../../node/real/hasher.js'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'

/** The blob caching the chosen version of `path` on `n`, once it is complete and verified. */
async function cachedBlob (n: TestPeer, path: string, content: string): Promise<{ id: number, keep: boolean, queue: string }> {
  const info = await n.waitCached(path, content)
  return { id: info.id, keep: info.keep, queue: info.queue }
}

describe('churten between nodes: keep and watch', function () {
  this.timeout(120_000)
  let c: Cluster
  let a: TestPeer
  let b: TestPeer
  afterEach(async () => { await c.cleanup() })

  it('keep on B downloads into the cache, verified, not into the root; a replace downloads again', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'keep' }] }])
    a = c.get('a')
    b = c.get('b')
    await a.write('k/file.bin', 'kept content '.repeat(1000))
    const blob = await cachedBlob(b, 'k/file.bin', 'kept content '.repeat(1000))
    assert.equal(blob.queue, 'protected', 'a keep download is protected from eviction')
    assert.equal(blob.keep, true)
    await assert.rejects(stat(b.abs('k/file.bin')), { code: 'ENOENT' })
    assert.ok(hashEquals((await hashFile(b.blobs().pathOf(blob.id))).hash, hashBytes(Buffer.from('kept content '.repeat(1000)))))
    const ended = await b.waitJob('k/file.bin')
    assert.equal(ended.job, 'download')

    // Replaced on A: the new version is downloaded, from the old one as a delta basis {#delta};
    // the old one goes to pending removal.
    const from = b.notes.length
    await a.write('k/file.bin', 'kept content '.repeat(999) + 'changed at the end')
    const next = await cachedBlob(b, 'k/file.bin', 'kept content '.repeat(999) + 'changed at the end')
    assert.notEqual(next.id, blob.id)
    const again = await b.waitJob('k/file.bin', 'done', { from })
    assert.equal(again.stats?.method, 'delta')
    await b.waitFor(async () => (await b.blobs().get(blob.id))?.queue === 'pending', 'the old version in pending removal')
    await assert.rejects(stat(b.abs('k/file.bin')), { code: 'ENOENT' })
  })

  it('a watch real file on B that A also has is unrealized: gone from B\'s root, complete in B\'s cache, Drop not Remove', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }], start: false }])
    a = c.get('a')
    b = c.get('b')
    const text = 'the same file on both'
    await a.write('w.txt', text)
    await b.write('w.txt', text)
    await a.waitIndexed('w.txt', text)
    await b.start()
    const blob = await cachedBlob(b, 'w.txt', text)
    await b.waitUnindexed('w.txt')
    await assert.rejects(stat(b.abs('w.txt')), { code: 'ENOENT' })
    assert.equal(blob.keep, false, 'watch: an ordinary cache entry')
    assert.ok(hashEquals((await hashFile(b.blobs().pathOf(blob.id))).hash, hashBytes(Buffer.from(text))))
    // A still has it, and A published nothing but its own Add.
    assert.equal(await readFile(a.abs('w.txt'), 'utf8'), text)
    assert.deepEqual(a.kinds('w.txt'), ['add'])
    assert.deepEqual(b.kinds('w.txt'), ['add', 'drop'])
    const ended = await b.waitJob('w.txt')
    assert.equal(ended.job, 'unrealize')
    // A's tree saw B drop it: only A's own copy is left, no Remove reached anyone.
    await a.waitFor(async () => (await a.tree().statPath('w.txt')) == null, 'a no longer lists b\'s copy')
  })

  it('a keep real file on B that A also has is unrealized into the protected cache', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'keep' }], start: false }])
    a = c.get('a')
    b = c.get('b')
    await a.write('kr.txt', 'keep me offline')
    await b.write('kr.txt', 'keep me offline')
    await a.waitIndexed('kr.txt', 'keep me offline')
    await b.start()
    const blob = await cachedBlob(b, 'kr.txt', 'keep me offline')
    await b.waitUnindexed('kr.txt')
    assert.equal(blob.keep, true)
    assert.equal((await b.blobs().get(blob.id))?.queue, 'protected')
    await assert.rejects(stat(b.abs('kr.txt')), { code: 'ENOENT' })
  })

  it('a watch real file that no connected peer has stays real', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }] }])
    a = c.get('a')
    b = c.get('b')
    await b.write('only-here.txt', 'the only copy')
    await b.waitIndexed('only-here.txt', 'the only copy')
    // A gets it (own), then B may unrealize its copy: never before.
    await a.waitForReal('only-here.txt', 'the only copy')
    await b.waitUnindexed('only-here.txt')
    assert.equal(await readFile(a.abs('only-here.txt'), 'utf8'), 'the only copy')
    await cachedBlob(b, 'only-here.txt', 'the only copy')
  })
})
