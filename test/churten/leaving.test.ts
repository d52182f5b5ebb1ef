import assert from 'node:assert/strict'
import { readFile, rm, stat } from 'node:fs/promises'
import { cluster, type Cluster } from '../helpers/nodes.js'
import type { FaultPoint } from '../../node/blobs/blob-store.js'

/**
 * A file the node moves out of its root (unrealize) is gone from the root
 * a moment before the index records the Drop. A watcher that looks in that
 * moment must not take the move for the user's deletion: it published a
 * Remove, and every peer deleted its copy (model-check seed 1401, issue 11;
 * docs/reliability.md, class 14).
 */
describe('churten: the node\'s own moves into and out of the root, and a watcher that looks meanwhile', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('a watcher that sees the file gone between an unrealize\'s move and its record publishes nothing; the file stays on its peers (model-check seed 1401)', async () => {
    const path = 'd1/f1.txt'
    let slowDisk: (() => Promise<void>) | undefined
    // A slow disk right after the move: the watcher looks at the path (its
    // move event) before the unrealize records it.
    const blobFaults = async (point: FaultPoint): Promise<void> => {
      if (point !== 'adopt:after-file' || slowDisk == null) return
      const wait = slowDisk
      slowDisk = undefined
      await wait()
    }
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }], testing: { blobFaults } }])
    const a = c.get('a')
    const b = c.get('b')
    slowDisk = async () => { await b.reconciled(path, 'gone') }
    await b.write(path, 'written on the watch node')
    await a.waitForReal(path, 'written on the watch node')
    await b.waitJob(path, 'done', { job: 'unrealize' })
    assert.equal(slowDisk, undefined, 'the watcher looked while the file was moving')
    // Later work proves time passed: a file from B reaches A after it.
    await b.write('later.txt', 'after the move')
    await a.waitForReal('later.txt', 'after the move')

    assert.deepEqual(b.kinds(path), ['add', 'drop'], 'B published the unrealize, not a deletion')
    assert.equal(await readFile(a.abs(path), 'utf8'), 'written on the watch node', 'A keeps its copy')
    await b.waitCached(path, 'written on the watch node')
    await assert.rejects(stat(b.abs(path)), { code: 'ENOENT' })
  })

  it('a file the user deletes right after a realize placed it, before the record, is deleted: not listed as real, its deletion followed (model-check seed 1407)', async () => {
    const path = 'd1/e/f1.txt'
    c = await cluster([{ name: 'a' }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    // The user deletes the file the moment B's realize has placed it, and
    // B's watcher looks before the realize records it (a loaded machine).
    const index = b.arena().index
    const apply = index.apply.bind(index)
    let deleted = false
    index.apply = async (files, marks) => {
      if (!deleted && files.some((f) => f.path === path && f.realized === true)) {
        deleted = true
        const looked = b.reconciled(path, 'gone')
        await rm(b.abs(path))
        await looked
      }
      return await apply(files, marks)
    }
    await a.write(path, 'from a')
    await b.waitJob(path, 'done', { job: 'realize' })
    assert.ok(deleted, 'the file was deleted between its placing and its record')
    await b.waitUnindexed(path)
    // B published the deletion, and A followed it.
    await a.waitUnindexed(path)
    await assert.rejects(stat(a.abs(path)), { code: 'ENOENT' })
    assert.deepEqual(b.kinds(path), ['add', 'remove'])
  })
})
