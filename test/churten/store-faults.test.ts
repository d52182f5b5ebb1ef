import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { FaultPlan } from '../../protocols/faults.js'
import { cluster, parsePath, type Cluster } from '../helpers/nodes.js'
import type { ChurtenNotification } from '../../node/churten/types.js'

const MiB = 1024 * 1024
type Ended = Extract<ChurtenNotification, { type: 'ended' }>

/**
 * A store read or write that fails inside churten is logged and the work
 * still happens (issue 15, "errors that vanish"): a failed read is never
 * taken as "nothing there", a failed save of the retry state still retries.
 * Real nodes; the store fault is injected (one call made to throw).
 */
describe('churten: store faults are logged, not swallowed', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('a failed read of the unreal tree keeps the path dirty: logged, decided again, downloaded', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', testing: { backoffMs: 200 } }])
    const a = c.get('a')
    const b = c.get('b')
    const tree = b.tree()
    const statPath = tree.statPath.bind(tree)
    let failed = 0
    tree.statPath = async (path) => {
      if (path === 'x.txt' && failed++ === 0) throw new Error('injected fault: unreal tree read')
      return await statPath(path)
    }
    await a.write('x.txt', 'from a')
    const line = await b.waitForEvent('decide-failed', (l) => l.path === 'x.txt')
    assert.equal(line.code, 'DECIDE_FAILED')
    assert.match(String(line.err), /injected fault: unreal tree read/)
    // Taken as "absent", the path would have been cleared and never fetched.
    await b.waitForReal('x.txt', 'from a', { ms: 20_000 })
  })

  it('a cached copy whose protection cannot be changed is logged {#bloblru}', async () => {
    c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', root: false, mark: 'keep' }] }])
    const a = c.get('a')
    const b = c.get('b')
    await a.write('k.txt', 'kept')
    const info = await b.waitCached('k.txt', 'kept')
    await b.waitFor(async () => (await b.blobs().get(info.id))?.keep === true, 'the kept copy protected')
    const blobs = b.blobs()
    const keep = blobs.keep.bind(blobs)
    let refused = 0
    blobs.keep = async (id, k) => {
      if (refused++ === 0) throw new Error('injected fault: blob protection')
      await keep(id, k)
    }
    // `mark watch`: the copy becomes an ordinary cache entry; the change fails once.
    await b.arena().marks.set(parsePath('k.txt'), 'watch')
    const line = await b.waitForEvent('blob-protect-failed', (l) => l.blobId === info.id)
    assert.equal(line.keep, false)
    assert.match(String(line.err), /injected fault: blob protection/)
  })

  it('a failed save of a failed job\'s retry state is logged and the job is still retried after its backoff', async () => {
    const faults = new FaultPlan().fail('write', (ctx) => ctx.path === 'w.bin')
    c = await cluster([{ name: 'a' }, { name: 'b', testing: { clientFaults: faults, backoffMs: 200 } }])
    const a = c.get('a')
    const b = c.get('b')
    const table = b.arena().store.failedJobs
    const put = table.put.bind(table)
    let refused = 0
    table.put = (...args) => {
      if (refused++ === 0) throw new Error('injected fault: failed-jobs write')
      put(...args)
    }
    const data = randomBytes(MiB)
    await a.write('w.bin', data)
    const line = await b.waitForEvent('retry-state-not-saved', (l) => l.path === 'w.bin')
    assert.match(String(line.err), /injected fault: failed-jobs write/)
    const ended = await b.waitJob('w.bin', 'failed')
    assert.ok((ended as Ended).retryAt != null, 'the failure still says when it runs again')
    // Retried after the 200 ms backoff, not left for the minute-long full scan.
    await b.waitForReal('w.bin', data, { ms: 20_000 })
    assert.equal(faults.hits.length, 1)
  })
})
