import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { FaultPlan } from '../../protocols/faults.js'
import { cluster, type Cluster } from '../helpers/nodes.js'
import { runCli } from '../control/fixtures.js'
import type { LsEntry } from '../../node/control/api/model.js'

const MiB = 1024 * 1024

/**
 * Content that fails verification even after repair (issue 18 item 8)
 * {#testretries}: the peer corrupts every chunk it sends, by the blob and
 * the rsync protocol alike. The bytes must not be presented as a cached copy
 * (`ls` said "cached 100%" while `ls --json` said partial), and the error
 * names the peer by its household name, not its PeerId {#errormsg}.
 */
describe('churten: content that fails verification', function () {
  this.timeout(120_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('is dropped from the cache: ls and ls --json agree it is not cached, cat ends with an error (exit 1), errors name the peer', async () => {
    const bad = (ctx: { path: string }): boolean => ctx.path === 'v.bin'
    const faults = new FaultPlan().corrupt('blob.send', bad, 1_000_000).corrupt('rsync.send', bad, 1_000_000)
    c = await cluster([
      { name: 'laptop', testing: { dataFaults: faults } },
      // Cache-only and `keep`: the file is downloaded into the blob cache. No retry while we look.
      { name: 'b', arenas: [{ name: 'docs', root: false, mark: 'keep' }], testing: { backoffMs: 600_000 } }
    ])
    const laptop = c.get('laptop')
    const b = c.get('b')
    await laptop.write('v.bin', randomBytes(6 * MiB))
    const ended = await b.waitJob('v.bin', 'failed', { ms: 60_000 })
    assert.ok(faults.hits.some((h) => h.ctx.point === 'rsync.send'), 'the repair ran and was corrupted too')

    // The error names the peer as the household does.
    assert.match(ended.error ?? '', /the content from laptop hashes to [0-9a-f]+, expected/)
    assert.ok(!(ended.error ?? '').includes(laptop.peerId), `no PeerId in: ${ended.error}`)

    const text = await runCli(['ls', 'docs:', '--data', b.dataDir])
    assert.equal(text.code, 0, text.stderr)
    const line = text.stdout.split('\n').find((l) => l.endsWith(' v.bin  (laptop)'))
    assert.ok(line != null, text.stdout)
    assert.doesNotMatch(line, /cached/)
    assert.match(line, /^keep\s+remote\s/)
    const json = await runCli(['ls', 'docs:', '--json', '--data', b.dataDir])
    const entry = (JSON.parse(json.stdout) as LsEntry[]).find((e) => e.name === 'v.bin')
    assert.equal(entry?.location, 'remote')
    assert.equal(entry?.cached, 0)
    // Nothing counted as cached, nothing held on disk.
    const blob = await b.blobs().get((await b.tree().statPath('v.bin' as never) as { blobId: number }).blobId)
    assert.equal(blob?.verified, false)
    assert.equal(blob?.written.bytes, 0)
    assert.ok((blob?.allocated ?? 1) < MiB, `allocated ${blob?.allocated}`)
    const status = await runCli(['status', '--json', '--data', b.dataDir])
    assert.match(status.stdout, /"cachedFiles":0/)

    // `cat` streams as the bytes arrive (issue 16), so the bad bytes come
    // out, but never as the version: the output ends with an error and exit
    // 1, which names the peer too.
    const cat = await runCli(['cat', 'docs:v.bin', '--data', b.dataDir])
    assert.equal(cat.code, 1)
    assert.match(cat.stderr, /docs:v\.bin: the bytes streamed from laptop hash to [0-9a-f]{12}, expected/)
    assert.ok(!cat.stderr.includes(laptop.peerId), cat.stderr)
  })
})
