import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { writeConfig } from '../../node/config/config.js'
import { NodeProcess, type LogLine } from '../helpers/node-process.js'
import { processPlans } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'

const exec = promisify(execFile)
const MiB = 1024 * 1024

async function waitLine (n: NodeProcess, check: (l: LogLine) => boolean, what: string, ms = 60_000): Promise<LogLine> {
  return await until(n, 'log', () => n.lines.find(check), what, ms)
}

/**
 * Spec section 8: a full disk or a permission denied fails the job with its
 * cause, loses nothing, and the job is retried. Real faults, no injection:
 * a tmpfs far too small, a directory B's user may not write. Needs root
 * (mount, another uid), as the network-namespace tests do.
 */
describe('churten: disk full and permission denied (spec section 8)', function () {
  this.timeout(180_000)
  let tmp: { dir: string, cleanup: () => Promise<void> }
  let mounted: string | undefined
  const procs: NodeProcess[] = []
  beforeEach(async () => { tmp = await tempDir('realize-enospc-') })
  afterEach(async () => {
    for (const p of procs.splice(0)) {
      if (p.exitCode !== undefined) continue
      p.kill('SIGKILL')
      await p.waitForExit()
    }
    if (mounted != null) await exec('umount', [mounted])
    mounted = undefined
    await tmp.cleanup()
  })

  it('a realize into a directory the node may not write fails with EACCES, and completes once it may', async () => {
    const [a, b] = await processPlans(tmp.dir, [{ name: 'a' }, { name: 'b' }])
    await mkdir(join(a!.roots.docs!, 'locked'))
    await writeFile(join(a!.roots.docs!, 'locked', 'report.txt'), 'quarterly figures')
    await writeFile(join(a!.roots.docs!, 'open.txt'), 'anyone may have this')
    // B runs as nobody and owns its data dir and root, but not root/locked (root's, 0755).
    await exec('chmod', ['755', tmp.dir])
    await exec('chown', ['-R', '65534:65534', join(tmp.dir, 'b')])
    const locked = join(b!.roots.docs!, 'locked')
    await mkdir(locked, { mode: 0o755 })

    const pa = new NodeProcess(['--data', a!.dataDir])
    procs.push(pa)
    await pa.waitForEvent('ready')
    // debug: each job's own job-ended line, which the test waits on (info sums them up).
    const pb = new NodeProcess(['--data', b!.dataDir], { uid: 65534, env: { HOME: join(tmp.dir, 'b'), REALIZE_LOG: 'debug' } })
    procs.push(pb)
    const failed = await waitLine(pb, (l) => l.event === 'job-ended' && l.path === 'locked/report.txt', 'the first attempt on locked/report.txt')
    assert.equal(failed.result, 'failed')
    assert.match(String(failed.error), /EACCES|permission denied/i, String(failed.error))
    assert.ok(failed.retryAt != null, JSON.stringify(failed))
    // Other files are not held up by it.
    await waitLine(pb, (l) => l.event === 'job-ended' && l.path === 'open.txt' && l.result === 'done', 'open.txt realized')

    await exec('chmod', ['777', locked])
    const done = await waitLine(pb, (l) => l.event === 'job-ended' && l.path === 'locked/report.txt' && l.result === 'done', 'report.txt realized once the directory is writable')
    assert.equal(done.job, 'realize')
    assert.equal(await readFile(join(locked, 'report.txt'), 'utf8'), 'quarterly figures')
    assert.equal(pb.exitCode, undefined)
  })

  it('a download that fills the disk fails with ENOSPC, keeps the node and its files, and completes once there is room', async () => {
    const bDir = join(tmp.dir, 'b')
    await mkdir(bDir)
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', bDir])
    mounted = bDir
    const [a, b] = await processPlans(tmp.dir, [{ name: 'a' }, { name: 'b' }])
    // The cache may use the whole (tiny) disk: the limit met is the disk's, not the cache's.
    b!.config.cache.capacity = { bytes: 1024 * MiB }
    await writeConfig(b!.dataDir, b!.config)
    const mine = join(b!.roots.docs!, 'mine.txt')
    await writeFile(mine, 'b\'s own notes')
    const big = randomBytes(8 * MiB)
    await writeFile(join(a!.roots.docs!, 'big.bin'), big)

    const pa = new NodeProcess(['--data', a!.dataDir])
    procs.push(pa)
    await pa.waitForEvent('ready')
    const pb = new NodeProcess(['--data', b!.dataDir], { env: { REALIZE_LOG: 'debug' } })
    procs.push(pb)
    const failed = await waitLine(pb, (l) => l.event === 'job-ended' && l.path === 'big.bin', 'the first attempt on big.bin')
    assert.equal(failed.result, 'failed')
    assert.match(String(failed.error), /ENOSPC|no space left/i, String(failed.error))
    // Retried, not given up: it has a retry time.
    assert.ok(failed.retryAt != null, JSON.stringify(failed))
    assert.equal(pb.exitCode, undefined, 'the node keeps running')
    assert.equal(await readFile(mine, 'utf8'), 'b\'s own notes')

    await exec('mount', ['-o', 'remount,size=64m', bDir])
    const done = await waitLine(pb, (l) => l.event === 'job-ended' && l.path === 'big.bin' && l.result === 'done', 'big.bin realized after the disk grew', 120_000)
    assert.equal(done.job, 'realize')
    assert.ok((await readFile(join(b!.roots.docs!, 'big.bin'))).equals(big), 'the realized file is A\'s')
    assert.equal(await readFile(mine, 'utf8'), 'b\'s own notes')
  })
})
