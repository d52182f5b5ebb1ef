import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import { CLI } from '../helpers/node-process.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'
import { until } from '../helpers/wait.js'
import { runCli } from '../control/fixtures.js'
import type { ChurtenNotification } from '../../node/churten/types.js'

const MiB = 1024 * 1024

/** A running CLI whose stdout is collected; 'out' fires on each chunk. */
function spawnCli (args: string[]): { child: ChildProcess, out: () => string, err: () => string, events: EventEmitter<{ out: [] }> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const events = new EventEmitter<{ out: [] }>()
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { out += s; events.emit('out') })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { err += s; events.emit('out') })
  return { child, out: () => out, err: () => err, events }
}

const isEnded = (n: ChurtenNotification): n is Extract<ChurtenNotification, { type: 'ended' }> => n.type === 'ended'

/**
 * `churten run` {#churten-run} against two real nodes in this process: `a`
 * has an 8 MiB file, `b` keeps its arena and has churten off at start, with
 * churten downloads held to 512 KiB/s {#churtenlimit} so the one job is still
 * running when the test looks at it (16 s; every test ends it sooner).
 */
describe('realize-node churten run', function () {
  this.timeout(120_000)
  let c: Cluster
  let b: TestPeer
  beforeEach(async () => {
    c = await cluster([
      { name: 'a' },
      { name: 'b', arenas: [{ name: 'docs', mark: 'keep' }], churten: { autostart: false }, limits: { churtenDownload: MiB / 2 } }
    ])
    b = c.get('b')
    const big = randomBytes(8 * MiB)
    await c.get('a').write('big.bin', big)
    await b.waitRemote('big.bin', big)
  })
  afterEach(async () => { await c.cleanup() })

  it('prints live notifications with per-file progress and stops churten on SIGINT', async () => {
    const run = spawnCli(['churten', 'run', '--data', b.dataDir])
    await until(run.events, 'out', () => /docs:big\.bin \d+(\.\d)? [KM]iB of 8\.0 MiB \(\d+%\)/.test(run.out()) && run.err().includes('Ctrl-C'), `a progress line (stdout: ${run.out()} stderr: ${run.err()})`)
    assert.equal(b.running.churten.isRunning, true)
    const lines = run.out().split('\n')
    assert.equal(lines[0], 'churten running')
    assert.equal(lines[1], 'pending   download docs:big.bin (8.0 MiB)')
    assert.equal(lines[2], 'started   download docs:big.bin')
    assert.ok(lines.includes('          download docs:big.bin'), run.out())
    assert.ok(lines.some((l) => /^ {10}docs:big\.bin \d+(\.\d)? (B|KiB|MiB) of 8\.0 MiB \(\d+%\) \d+(\.\d)? (B|KiB|MiB|GiB)\/s$/.test(l)), run.out())
    // The job may be queued just after churten starts: 0 or 1 job at that moment.
    assert.match(run.err(), /^churten running, [01] jobs?; Ctrl-C stops it\n/)
    run.child.kill('SIGINT')
    const [code] = await once(run.child, 'exit')
    assert.equal(code, 0, run.err())
    assert.equal(b.running.churten.isRunning, false)
    assert.match(run.out(), /^cancelled docs:big\.bin: .*churten stopped$/m)
    assert.match(run.err(), /churten stopped, 0 jobs\n$/)
  })

  it('--json prints each notification as a JSON line', async () => {
    const run = spawnCli(['churten', 'run', '--json', '--data', b.dataDir])
    await until(run.events, 'out', () => /"type":"progress".*"bytes":[1-9]/.test(run.out()), 'a progress notification with bytes')
    const events = run.out().trim().split('\n').map((l) => JSON.parse(l))
    assert.deepEqual(events.slice(0, 4).map((e) => e.type), ['state', 'pending', 'started', 'action'])
    const progress = events.find((e) => e.type === 'progress' && e.bytes > 0)
    assert.equal(progress.id, events[1].job.id)
    assert.equal(progress.total, 8 * MiB)
    assert.ok(progress.bytes > 0 && progress.bytes < 8 * MiB, String(progress.bytes))
    assert.equal(run.err(), '', 'JSON only, no chatter')
    run.child.kill('SIGTERM')
    assert.equal((await once(run.child, 'exit'))[0], 0)
    assert.equal(b.running.churten.isRunning, false)
  })

  it('the node stops churten when `churten run` is killed without a word', async () => {
    const run = spawnCli(['churten', 'run', '--data', b.dataDir])
    await until(run.events, 'out', () => / of 8\.0 MiB \(\d+%\)/.test(run.out()), 'a progress line')
    const from = b.notes.length
    run.child.kill('SIGKILL')
    await once(run.child, 'exit')
    const ended = await b.waitNote(isEnded, 'the job cancelled by the node', { from })
    assert.equal(ended.result, 'cancelled')
    assert.equal(b.running.churten.isRunning, false)
  })

  it('churten start/stop/status drive the runner; status --json lists the running job', async () => {
    const from = b.notes.length
    const start = await runCli(['churten', 'start', '--data', b.dataDir])
    assert.equal(start.code, 0, start.stderr)
    assert.match(start.stdout, /^churten running, [01] jobs?\n$/)
    await b.waitNote((n): n is ChurtenNotification => n.type === 'started' && n.path === 'big.bin', 'the download started', { from })
    const status = JSON.parse((await runCli(['churten', 'status', '--json', '--data', b.dataDir])).stdout)
    assert.deepEqual({ ...status, active: status.active.map((j: any) => [j.arena, j.path, j.kind, j.state, j.total]) },
      { available: true, running: true, jobs: 1, active: [['docs', 'big.bin', 'download', 'running', 8 * MiB]] })
    const text = await runCli(['churten', 'status', '--data', b.dataDir])
    assert.match(text.stdout, /^churten running, 1 job\n {2}running {2}download {2}docs:big\.bin \d+%\n$/)
    const stop = await runCli(['churten', 'stop', '--data', b.dataDir])
    assert.equal(stop.stdout, 'churten stopped, 0 jobs\n')
    assert.equal(b.running.churten.isRunning, false)
    assert.equal((await b.waitNote(isEnded, 'the job ended', { from })).result, 'cancelled')
    // `status` reports the same runner.
    assert.deepEqual(JSON.parse((await runCli(['status', '--json', '--data', b.dataDir])).stdout).churten, { available: true, running: false, jobs: 0, active: [] })
  })
})
