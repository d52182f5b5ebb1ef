import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, readFile, rm, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { hashBytes } from '../../node/real/hasher.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { parsePath } from '../../datastore/types/path.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'

/** Blobs of `content` in the pending-removal queue of a node's arena. */
async function pendingOf (n: TestPeer, content: Uint8Array): Promise<number[]> {
  const want = hashBytes(content)
  const out: number[] = []
  for (const id of await n.blobs().queue('pending')) {
    if (hashEquals((await n.blobs().get(id))?.hash, want)) out.push(id)
  }
  return out
}

/**
 * A version that comes back after a deletion is wanted again (issue 11,
 * path 2): B followed A's deletion (tombstones, content in pending
 * removal); A then brings the same files back, same content and mtime
 * (restored with `cp -p`, a root moved back). B realizes them again, the
 * large one from the content its cache still held, not over the network.
 */
describe('churten: versions that come back after a deletion', function () {
  this.timeout(120_000)
  let c: Cluster
  let a: TestPeer
  let b: TestPeer
  afterEach(async () => { await c.cleanup() })

  it('files restored on A with the same content and mtime are realized on B again', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    a = c.get('a')
    b = c.get('b')
    const files: Record<string, Uint8Array> = {
      'small.txt': Buffer.from('a small file that comes back'),
      'album/large.bin': randomBytes(3 * 1024 * 1024)
    }
    for (const [p, data] of Object.entries(files)) await a.write(p, data)
    for (const [p, data] of Object.entries(files)) await b.waitForReal(p, data)

    // A backup, as `cp -p` makes it: same content, same mtime.
    const backup = join(c.base, 'backup')
    await mkdir(join(backup, 'album'), { recursive: true })
    for (const p of Object.keys(files)) {
      const st = await stat(a.abs(p))
      await copyFile(a.abs(p), join(backup, p))
      await utimes(join(backup, p), st.atime, st.mtime)
    }
    for (const p of Object.keys(files)) await rm(a.abs(p))
    for (const p of Object.keys(files)) await b.waitUnindexed(p)
    for (const p of Object.keys(files)) assert.ok(await b.arena().store.tombstones.get(parsePath(p)) != null, `${p}: B left a tombstone`)
    assert.equal((await pendingOf(b, files['album/large.bin'] as Uint8Array)).length, 1, 'B holds the deleted content in pending removal')

    const from = b.notes.length
    const received = b.bytesInFrom(a)
    for (const p of Object.keys(files)) {
      const st = await stat(join(backup, p))
      await copyFile(join(backup, p), a.abs(p))
      await utimes(a.abs(p), st.atime, st.mtime)
    }
    for (const [p, data] of Object.entries(files)) await b.waitForReal(p, data)

    const large = await b.waitJob('album/large.bin', 'done', { from, job: 'realize' })
    assert.equal(large.stats?.method, 'cached', 'realized from the content B still held')
    assert.equal(large.stats?.fetched, 0)
    assert.ok(b.bytesInFrom(a) - received < 1024 * 1024, `B fetched ${b.bytesInFrom(a) - received} bytes, not the 3 MiB it held`)
    assert.deepEqual(await pendingOf(b, files['album/large.bin'] as Uint8Array), [], 'nothing hidden is left in B\'s cache')
    for (const p of Object.keys(files)) {
      assert.equal(await b.arena().store.tombstones.get(parsePath(p)), undefined, `${p}: the tombstone went with the return`)
      assert.deepEqual(b.kinds(p), ['add', 'remove', 'add'])
      const [sa, sb] = await Promise.all([stat(a.abs(p)), stat(b.abs(p))])
      assert.ok(Math.abs(sa.mtimeMs - sb.mtimeMs) < 0.001)
    }
    assert.equal(await readFile(b.abs('small.txt'), 'utf8'), 'a small file that comes back')
  })

  it('a version returning while B is stopped is realized when B starts', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    a = c.get('a')
    b = c.get('b')
    const data = Buffer.from('back while b was away')
    await a.write('away.txt', data)
    await b.waitForReal('away.txt', data)
    const mtime = (await stat(a.abs('away.txt'))).mtimeMs
    await rm(a.abs('away.txt'))
    await b.waitUnindexed('away.txt')
    await b.stop()
    await a.write('away.txt', data, { mtime })
    await a.waitIndexed('away.txt', data)
    await b.start()
    await b.waitForReal('away.txt', data)
  })
})
