import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { hashFile } from '../../node/real/hasher.js'
import { ROOT_MARKER } from '../../node/real/root-check.js'
import { hashEquals } from '../../datastore/types/hash.js'
import { NodeProcess, type LogLine } from '../helpers/node-process.js'
import { processPlans } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'

const MiB = 1024 * 1024
const SIZE = 512 * MiB

/** Writes `size` random bytes to `path`, a MiB at a time; returns nothing, the hash is taken from the file. */
async function randomFile (path: string, size: number): Promise<void> {
  const fh = await open(path, 'w')
  try {
    for (let at = 0; at < size; at += 4 * MiB) await fh.write(randomBytes(Math.min(4 * MiB, size - at)), 0, Math.min(4 * MiB, size - at), at)
  } finally {
    await fh.close()
  }
}

async function waitLine (n: NodeProcess, check: (l: LogLine) => boolean, what: string, ms = 120_000): Promise<LogLine> {
  return await until(n, 'log', () => n.lines.find(check), what, ms)
}

describe('churten: crash resume', function () {
  this.timeout(600_000)
  let tmp: { dir: string, cleanup: () => Promise<void> }
  const procs: NodeProcess[] = []
  beforeEach(async () => { tmp = await tempDir('realize-crash-') })
  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.exitCode === undefined) p.kill('SIGKILL')
    await tmp.cleanup()
  })

  it('kill -9 halfway through a 512 MiB download, restart: it resumes and the result verifies', async () => {
    // b's churten downloads at 128 MiB/s so "halfway" lasts long enough to hit.
    const [a, b] = await processPlans(tmp.dir, [{ name: 'a' }, { name: 'b', limits: { churtenDownload: 128 * MiB } }])
    const source = join(a!.roots.docs!, 'big.bin')
    await randomFile(source, SIZE)
    const { hash } = await hashFile(source)
    const env = { REALIZE_LOG: 'debug' }
    const pa = new NodeProcess(['--data', a!.dataDir], { env })
    procs.push(pa)
    await pa.waitForEvent('ready', 120_000)
    const pb = new NodeProcess(['--data', b!.dataDir], { env })
    procs.push(pb)
    const half = await waitLine(pb, (l) => l.event === 'download-checkpoint' && l.path === 'big.bin' && Number(l.bytes) >= SIZE / 2, 'b past half of the download')
    pb.kill('SIGKILL')
    assert.deepEqual(await pb.waitForExit(), { code: null, signal: 'SIGKILL' })
    assert.ok(!pb.lines.some((l) => l.event === 'job-ended' && l.path === 'big.bin'), 'killed before the job ended')

    const again = new NodeProcess(['--data', b!.dataDir], { env })
    procs.push(again)
    const ended = await waitLine(again, (l) => l.event === 'job-ended' && l.path === 'big.bin', 'the resumed job ended', 300_000)
    assert.equal(ended.result, 'done', String(ended.error))
    const fetched = Number(ended.fetched)
    assert.ok(Number(ended.resumed) >= Number(half.bytes), `resumed from ${ended.resumed}, the checkpoint said ${half.bytes}`)
    assert.ok(fetched < 0.6 * SIZE, `${fetched} bytes transferred after the restart (${(fetched / SIZE * 100).toFixed(1)}% of the file)`)
    if (process.env.REALIZE_TEST_VERBOSE != null) console.log(`killed at checkpoint ${String(half.bytes)}; resumed ${String(ended.resumed)}; fetched ${fetched} after restart`)
    const got = await hashFile(join(b!.roots.docs!, 'big.bin'))
    assert.ok(hashEquals(got.hash, hash), 'the realized file verifies')
  })

  it('a realize cut short by a crash leaves a .realize-*.part file: the next start removes it and indexes nothing of it', async () => {
    const [a] = await processPlans(tmp.dir, [{ name: 'a' }])
    const root = a!.roots.docs!
    await mkdir(join(root, 'album'))
    // What install leaves between moving the blob out and the rename over the target.
    await writeFile(join(root, '.realize-0123456789ab.part'), 'half a photo')
    await writeFile(join(root, 'album', '.realize-ba9876543210.part'), 'another')
    await writeFile(join(root, 'album', 'kept.txt'), 'a real file')
    const pa = new NodeProcess(['--data', a!.dataDir])
    procs.push(pa)
    await pa.waitForEvent('ready', 60_000)
    const removed = pa.lines.find((l) => l.event === 'leftovers-removed')
    assert.equal(removed?.removed, 2)
    // Only the root's marker (root-check.ts) is the node's own, and stays.
    assert.deepEqual((await readdir(root, { recursive: true })).sort(), [ROOT_MARKER, 'album', 'album/kept.txt'])
    assert.ok(pa.lines.some((l) => l.event === 'caught-up' && l.files === 1), 'only the real file was indexed')
  })

  it('a .realize-*.part file that turns up while the node runs and that no realize owns (moved away with its directory) is removed (seed 1005)', async () => {
    const [a] = await processPlans(tmp.dir, [{ name: 'a' }])
    const root = a!.roots.docs!
    const pa = new NodeProcess(['--data', a!.dataDir])
    procs.push(pa)
    await pa.waitForEvent('ready', 60_000)
    // What `mv d1 d3` does to a realize writing d1/e/.realize-*.part: the
    // directory arrives with the temporary file in it.
    const moved = join(tmp.dir, 'elsewhere', 'd3')
    await mkdir(join(moved, 'e'), { recursive: true })
    await writeFile(join(moved, 'e', '.realize-0123456789ab.part'), 'half a photo')
    await writeFile(join(moved, 'e', 'kept.txt'), 'a real file')
    await rename(moved, join(root, 'd3'))
    await waitLine(pa, (l) => l.event === 'stray-temp-removed', 'the stray temporary file removed', 30_000)
    assert.deepEqual((await readdir(root, { recursive: true })).sort(), [ROOT_MARKER, 'd3', 'd3/e', 'd3/e/kept.txt'])
  })
})
