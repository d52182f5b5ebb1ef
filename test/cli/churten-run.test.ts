import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter, once } from 'node:events'
import { CLI } from '../helpers/node-process.js'
import { until } from '../helpers/wait.js'
import { inProcessNode, runCli, ScriptedChurten, type InProcessNode } from '../control/fixtures.js'

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

/**
 * `churten run` {#churten-run} against a real node whose churten is a
 * scripted runner (the job runner is not wired into the node yet): it
 * starts churten, prints the job's progress live, and stops churten on
 * Ctrl-C, or when the command dies without a word.
 */
describe('realize-node churten run', function () {
  let n: InProcessNode
  let churten: ScriptedChurten
  beforeEach(async () => {
    churten = new ScriptedChurten()
    n = await inProcessNode({ sources: { churten } })
  })
  afterEach(async () => { await n.close() })

  it('prints live notifications with per-file progress and stops churten on SIGINT', async () => {
    const run = spawnCli(['churten', 'run', '--data', n.dataDir])
    await until(run.events, 'out', () => /1\.0 MiB of 4\.0 MiB \(25%\)/.test(run.out()) && run.err().includes('Ctrl-C'), `a progress line (stdout: ${run.out()} stderr: ${run.err()})`)
    assert.equal(churten.starts, 1)
    assert.equal(churten.running, true)
    const lines = run.out().split('\n')
    assert.equal(lines[0], 'churten running')
    assert.equal(lines[1], 'pending   download photos:big/movie.mkv (4.0 MiB)')
    assert.equal(lines[2], 'started   download photos:big/movie.mkv')
    assert.equal(lines[3], '          download photos:big/movie.mkv')
    assert.match(lines[4] ?? '', /^ {10}photos:big\/movie\.mkv 1\.0 MiB of 4\.0 MiB \(25%\) \d+(\.\d)? (B|KiB|MiB|GiB)\/s$/)
    assert.match(run.err(), /^churten running, 1 job; Ctrl-C stops it\n/)
    run.child.kill('SIGINT')
    const [code] = await once(run.child, 'exit')
    assert.equal(code, 0, run.err())
    assert.equal(churten.stops, 1)
    assert.equal(churten.running, false)
    assert.match(run.out(), /^cancelled photos:big\/movie\.mkv$/m)
    assert.match(run.err(), /churten stopped, 0 jobs\n$/)
  })

  it('--json prints each notification as a JSON line', async () => {
    const run = spawnCli(['churten', 'run', '--json', '--data', n.dataDir])
    await until(run.events, 'out', () => run.out().includes('"progress"'), 'the progress notification')
    const events = run.out().trim().split('\n').map((l) => JSON.parse(l))
    assert.deepEqual(events.map((e) => e.type), ['state', 'pending', 'started', 'action', 'progress'])
    assert.deepEqual(events[4], { type: 'progress', id: 7, bytes: 1024 * 1024, total: 4 * 1024 * 1024 })
    assert.equal(run.err(), '', 'JSON only, no chatter')
    run.child.kill('SIGTERM')
    assert.equal((await once(run.child, 'exit'))[0], 0)
    assert.equal(churten.stops, 1)
  })

  it('the node stops churten when `churten run` is killed without a word', async () => {
    const run = spawnCli(['churten', 'run', '--data', n.dataDir])
    await until(run.events, 'out', () => run.out().includes('(25%)'), 'a progress line')
    run.child.kill('SIGKILL')
    await once(run.child, 'exit')
    await until(churten.events, 'event', () => churten.stops === 1, 'churten stopped by the node')
    assert.equal(churten.running, false)
  })

  it('churten start/stop/status drive the runner; status --json lists the running job', async () => {
    const start = await runCli(['churten', 'start', '--data', n.dataDir])
    assert.equal(start.code, 0, start.stderr)
    assert.equal(start.stdout, 'churten running, 1 job\n')
    const status = JSON.parse((await runCli(['churten', 'status', '--json', '--data', n.dataDir])).stdout)
    assert.deepEqual(status, { available: true, running: true, jobs: 1, active: [churten.job] })
    const text = await runCli(['churten', 'status', '--data', n.dataDir])
    assert.equal(text.stdout, 'churten running, 1 job\n  running  download  photos:big/movie.mkv 0%\n')
    const stop = await runCli(['churten', 'stop', '--data', n.dataDir])
    assert.equal(stop.stdout, 'churten stopped, 0 jobs\n')
    assert.equal(churten.stops, 1)
    // `status` reports the same runner.
    assert.deepEqual(JSON.parse((await runCli(['status', '--json', '--data', n.dataDir])).stdout).churten, { available: true, running: false, jobs: 0, active: [] })
  })
})
