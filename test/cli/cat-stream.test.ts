import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { FaultPlan } from '../../protocols/faults.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { hashBytes } from '../../node/real/hasher.js'
import { CLI } from '../helpers/node-process.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'

const KiB = 1024
const MiB = 1024 * KiB

/** The real `realize-node cat ARENA:path` against b's control socket. */
function runCat (b: TestPeer, target: string): { stdout: AsyncIterable<Buffer>, done: Promise<{ code: number | null, stderr: string }>, kill: () => void } {
  const child = spawn(process.execPath, [CLI, 'cat', target, '--data', b.dataDir])
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const done = new Promise<{ code: number | null, stderr: string }>((resolve) => { child.once('exit', (code) => { resolve({ code, stderr }) }) })
  return { stdout: child.stdout, done, kill: () => child.kill() }
}

describe('cli: cat of a file known only from peers streams as bytes arrive', function () {
  this.timeout(60_000)
  let c: Cluster
  afterEach(async () => { await c.cleanup() })

  it('the first MiB of a 32 MiB file comes out while the rest is still on its way', async () => {
    // At a's 256 KiB/s upload the whole file takes two minutes: only streaming gets a MiB out within the test's time.
    c = await cluster([{ name: 'a', limits: { upload: 256 * KiB } }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }] }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(32 * MiB)
    await a.write('big.bin', data)
    await b.waitRemote('big.bin', data)

    const cat = runCat(b, 'docs:big.bin')
    const got: Buffer[] = []
    let n = 0
    for await (const chunk of cat.stdout) {
      got.push(chunk)
      n += chunk.byteLength
      if (n >= MiB) break
    }
    cat.kill()
    await cat.done
    assert.equal(Buffer.compare(Buffer.concat(got).subarray(0, MiB), data.subarray(0, MiB)), 0)
  })

  it('a byte that arrives wrong ends the output with an error and exit code 1; the next cat is right', async () => {
    // The first chunk: cat writes it out before the rest arrives. (A later one
    // can be caught by the reader's own check once the file is complete, and
    // fetched again before cat reads it: then cat is right, exit 0.)
    const faults = new FaultPlan().corrupt('blob.send', (ctx) => ctx.path === 'm.bin' && ctx.offset === 0)
    c = await cluster([{ name: 'a', testing: { dataFaults: faults } }, { name: 'b', arenas: [{ name: 'docs', mark: 'watch' }] }])
    const a = c.get('a')
    const b = c.get('b')
    const data = randomBytes(2 * MiB)
    await a.write('m.bin', data)
    await b.waitRemote('m.bin', data)

    const bad = runCat(b, 'docs:m.bin')
    const out: Buffer[] = []
    for await (const chunk of bad.stdout) out.push(chunk)
    const r = await bad.done
    assert.equal(faults.hits.length, 1)
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /docs:m\.bin: the bytes streamed from a hash to [0-9a-f]{12}, expected [0-9a-f]{12}/)
    const streamed = Buffer.concat(out)
    assert.equal(streamed.byteLength, data.byteLength, 'every byte came out before the check')
    assert.ok(!hashEquals(hashBytes(streamed), hashBytes(data)))

    // The bad bytes were not kept: the next cat fetches again and is right.
    const good = runCat(b, 'docs:m.bin')
    const again: Buffer[] = []
    for await (const chunk of good.stdout) again.push(chunk)
    const r2 = await good.done
    assert.equal(r2.code, 0, r2.stderr)
    assert.equal(Buffer.compare(Buffer.concat(again), data), 0)
  })
})
