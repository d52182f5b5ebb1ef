import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { FaultPlan } from '../../protocols/faults.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'
import type { ChurtenNotification } from '../../node/churten/types.js'

const MiB = 1024 * 1024
type Ended = Extract<ChurtenNotification, { type: 'ended' }>

/** Actions reported for the jobs on `path`, in order. */
function actionsOf (n: TestPeer, path: string): string[] {
  const ids = new Set(n.notes.filter((s) => s.n.type === 'started' && s.n.path === path).map((s) => (s.n as { id: number }).id))
  return n.notes.filter((s) => s.n.type === 'action' && ids.has(s.n.id)).map((s) => (s.n as { action: string }).action)
}

function endedOf (n: TestPeer, path: string): Ended[] {
  return n.notes.filter((s) => s.n.type === 'ended' && s.n.path === path).map((s) => s.n as Ended)
}

describe('churten: faults {#testretries}', function () {
  this.timeout(180_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('a write error fails the job; the retry completes it', async () => {
    const faults = new FaultPlan().fail('write', (ctx) => ctx.path === 'w.bin' && (ctx.offset ?? 0) >= MiB)
    c = await cluster([{ name: 'a' }, { name: 'b', testing: { clientFaults: faults, backoffMs: 200 } }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(3 * MiB)
    await a.write('w.bin', data)
    await b.waitForReal('w.bin', data)
    await b.waitJob('w.bin')
    const ended = endedOf(b, 'w.bin')
    assert.deepEqual(ended.map((e) => e.result), ['failed', 'done'])
    assert.match(ended[0]?.error ?? '', /injected fault: write docs\/w\.bin/)
    assert.ok(ended[0]?.retryAt != null)
    assert.equal(faults.hits.length, 1)
    // The retry resumed: what was written before the failure was kept.
    assert.ok((ended[1]?.stats?.resumed ?? 0) >= MiB, `resumed from ${ended[1]?.stats?.resumed}`)
    const failed = await b.arena().store.failedJobs.get('w.bin' as never)
    assert.equal(failed, undefined, 'the failure record is gone once the job is done')
  })

  it('a bad chunk from the peer is found by verify and repaired by rsync', async () => {
    const faults = new FaultPlan().corrupt('blob.send', (ctx) => ctx.path === 'c.bin' && ctx.offset === 2 * MiB)
    c = await cluster([{ name: 'a', testing: { dataFaults: faults } }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(8 * MiB)
    await a.write('c.bin', data)
    await b.waitForReal('c.bin', data)
    await b.waitJob('c.bin')
    assert.equal(faults.hits.length, 1)
    assert.deepEqual(actionsOf(b, 'c.bin'), ['download', 'verify', 'repair', 'realize'])
    assert.deepEqual(endedOf(b, 'c.bin').map((e) => e.result), ['done'])
    const repaired = await b.waitForEvent('range-repaired')
    assert.equal(repaired.method, 'rsync')
    assert.equal(repaired.offset, 0, 'the bad chunk lies in the first 4 MiB range')
  })

  it('a bad rsync chunk during repair falls back to a plain copy of the range', async () => {
    const faults = new FaultPlan()
      .corrupt('blob.send', (ctx) => ctx.path === 'r.bin' && ctx.offset === 5 * MiB)
      .corrupt('rsync.send', (ctx) => ctx.path === 'r.bin')
    c = await cluster([{ name: 'a', testing: { dataFaults: faults } }, { name: 'b' }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(8 * MiB)
    await a.write('r.bin', data)
    await b.waitForReal('r.bin', data)
    assert.equal(faults.hits.length, 2)
    const repaired = await b.waitForEvent('range-repaired')
    assert.equal(repaired.method, 'copy')
    assert.equal(repaired.offset, 4 * MiB)
  })

  it('a peer that disappears mid-download fails the job; the retry completes from another peer', async () => {
    c = await cluster([
      { name: 'a' },
      { name: 'c' },
      { name: 'b', limits: { churtenDownload: 8 * MiB }, testing: { backoffMs: 200 }, start: false }
    ])
    const a = c.get('a')
    const peerC = c.get('c')
    const b = c.get('b')
    const data = randomBytes(24 * MiB)
    await a.write('p.bin', data)
    await peerC.waitForReal('p.bin', data)
    await b.start()
    // Halfway-ish: whoever b reads from goes away.
    await b.waitNote((n): n is typeof n => n.type === 'progress' && n.bytes >= 6 * MiB, 'the download is under way')
    const source = b.bytesInFrom(a) > b.bytesInFrom(peerC) ? a : peerC
    const other = source === a ? peerC : a
    await source.stop()
    await b.waitForReal('p.bin', data, { ms: 60_000 })
    await b.waitJob('p.bin')
    const ended = endedOf(b, 'p.bin')
    assert.deepEqual(ended.map((e) => e.result), ['failed', 'done'])
    assert.ok((ended[1]?.stats?.resumed ?? 0) >= 6 * MiB, 'the retry resumed from what the first attempt wrote')
    assert.ok(b.bytesInFrom(other) >= (ended[1]?.stats?.fetched ?? Infinity))
  })
})
