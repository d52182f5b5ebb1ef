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

  it('a write that stores wrong bytes is found by verify and repaired by rsync, for about a block on the wire', async () => {
    // The write reports success but what lands is not what came (a torn write, a bad sector).
    const faults = new FaultPlan().corrupt('write', (ctx) => ctx.path === 't.bin' && ctx.offset === 5 * MiB)
    c = await cluster([{ name: 'a' }, { name: 'b', testing: { clientFaults: faults } }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(8 * MiB)
    await a.write('t.bin', data)
    await b.waitForReal('t.bin', data)
    const ended = await b.waitJob('t.bin')
    assert.equal(faults.hits.length, 1)
    assert.deepEqual(actionsOf(b, 't.bin'), ['download', 'verify', 'repair', 'realize'])
    assert.deepEqual(endedOf(b, 't.bin').map((e) => e.result), ['done'])
    const repaired = await b.waitForEvent('range-repaired')
    assert.equal(repaired.method, 'rsync')
    assert.equal(repaired.offset, 4 * MiB, 'only the range holding the bad write')
    assert.ok((repaired.fetched as number) < 64 * 1024, `the repair fetched ${repaired.fetched as number} bytes`)
    assert.ok((ended.stats?.fetched ?? 0) < data.byteLength + 64 * 1024)
  })

  it('a write error during a repair fails the job; the retry repairs the cached blob by rsync instead of downloading again', async () => {
    let repairing = false
    const faults = new FaultPlan()
      .corrupt('write', (ctx) => ctx.path === 'e.bin' && ctx.offset === 5 * MiB)
      .fail('write', (ctx) => ctx.path === 'e.bin' && repairing)
    c = await cluster([{ name: 'a' }, { name: 'b', testing: { clientFaults: faults, backoffMs: 200 } }])
    const a = c.get('a')
    const b = c.get('b')
    // The repair's writes come after a hash round trip with the peer: the flag is up by then.
    b.events.on('note', (s) => { if (s.n.type === 'action' && s.n.action === 'repair') repairing = true })
    const data = randomBytes(8 * MiB)
    await a.write('e.bin', data)
    await b.waitForReal('e.bin', data)
    await b.waitJob('e.bin')
    assert.deepEqual(faults.hits.map((h) => h.action), ['corrupt', 'fail'])
    const ended = endedOf(b, 'e.bin')
    assert.deepEqual(ended.map((e) => e.result), ['failed', 'done'])
    assert.match(ended[0]?.error ?? '', /injected fault: write docs\/e\.bin/)
    assert.equal(ended[1]?.stats?.resumed, data.byteLength, 'the retry started from the complete blob')
    assert.ok((ended[1]?.stats?.fetched ?? Infinity) < 64 * 1024, `the retry fetched ${ended[1]?.stats?.fetched} bytes`)
    assert.deepEqual(actionsOf(b, 'e.bin'), ['download', 'verify', 'repair', 'download', 'verify', 'repair', 'realize'])
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
