import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getAttribute } from 'fs-xattr'
import { loadConfig, writeConfig } from '../../node/config/config.js'
import { ControlClient } from '../../node/control/api/client.js'
import { freePort } from '../helpers/net.js'
import { CLI, NodeProcess } from '../helpers/node-process.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'
import { runCli, type Run } from '../control/fixtures.js'
import type { Topic } from '../../node/control/api/model.js'

const sha = (s: string): string => createHash('sha256').update(s).digest('hex')

/**
 * Two real nodes on loopback: `a` has arena `shared` cache-only (churten
 * not autostarted), `b` has it rooted with files. Everything through `a`'s
 * CLI: connection info {#conninfo}, files known only from `b` listed and
 * marked, `churten run` downloading one {#churten-run}, `cat` from the
 * cache and from the peer.
 */
describe('realize-node with a connected peer', function () {
  let tmp: { dir: string, cleanup: () => Promise<void> }
  const nodes: NodeProcess[] = []
  let a: string
  let b: string
  let bId: string
  const cli = async (args: string[]): Promise<Run> => await runCli([...args, '--data', a], { env: { HOME: tmp.dir } })
  const json = (r: Run): any => {
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout)
  }

  before(async function () {
    tmp = await tempDir('rz-two-')
    a = join(tmp.dir, 'a')
    b = join(tmp.dir, 'b')
    const rootB = join(tmp.dir, 'rootb')
    await mkdir(join(rootB, 'docs'), { recursive: true })
    await writeFile(join(rootB, 'docs', 'note.txt'), 'from b\n')
    await writeFile(join(rootB, 'docs', 'other.txt'), 'other\n')
    await writeFile(join(rootB, 'docs', 'third.txt'), 'third\n')
    await mkdir(join(rootB, 'album', 'day1'), { recursive: true })
    await writeFile(join(rootB, 'album', 'day1', 'x.jpg'), 'xx')
    await writeFile(join(rootB, 'album', 'y.jpg'), 'yyy')
    await mkdir(join(rootB, 'album', 'day2'))
    for (let i = 0; i < 20; i++) await writeFile(join(rootB, 'album', 'day2', `f${String(i).padStart(2, '0')}.jpg`), 'z')
    const [portA, portB] = [await freePort(), await freePort()]
    for (const [data, port, arena] of [[a, portA, 'shared'], [b, portB, `shared=${rootB}`]] as const) {
      const r = await runCli(['init', '--data', data, '--arena', arena, '--port', String(port), '--no-mdns'])
      assert.equal(r.code, 0, r.stderr)
    }
    // `a` runs churten only when told, so `churten run` shows the job.
    const config = await loadConfig(a)
    assert.ok(config != null)
    config.churten.autostart = false
    await writeConfig(a, config)
    const id = async (data: string): Promise<string> => JSON.parse((await runCli(['id', '--json', '--data', data])).stdout).peerId
    const aId = await id(a)
    bId = await id(b)
    // Household edits on stopped nodes go to the config file.
    assert.equal((await runCli(['peer', 'add', 'b', bId, `localhost:${portB}`, '--data', a])).code, 0)
    assert.equal((await runCli(['peer', 'add', 'a', aId, `localhost:${portA}`, '--data', b])).code, 0)
    for (const data of [a, b]) nodes.push(new NodeProcess(['--data', data], { env: { HOME: tmp.dir } }))
    await Promise.all(nodes.map(async (n) => await n.waitForEvent('ready')))
  })

  after(async function () {
    for (const n of nodes) if (n.exitCode === undefined) n.kill('SIGKILL')
    await tmp.cleanup()
  })

  /** Waits, on `a`'s own event stream, until the node reports what `check` wants. */
  async function eventually<T> (topics: Topic[], check: (c: ControlClient) => Promise<T | undefined>, what: string): Promise<T> {
    const client = await ControlClient.connect(a)
    try {
      const bus = new EventEmitter<{ event: [] }>()
      await client.subscribe(topics, () => { bus.emit('event') })
      return await until(bus, 'event', async () => await check(client), what, 30_000)
    } finally {
      await client.close()
    }
  }

  it('peers --json shows connection info of the connected peer {#conninfo}', async () => {
    await eventually(['peers'], async (c) => (await c.call('peers')).find((p) => p.connected), 'b connected')
    const peer = json(await cli(['peers', '--json']))[0]
    assert.equal(peer.name, 'b')
    assert.equal(peer.connected, true)
    assert.equal(peer.peerId, bId)
    assert.match(peer.remoteAddr, /^\/ip[46]\/.*\/tcp\/\d+/)
    assert.ok(peer.direction === 'inbound' || peer.direction === 'outbound')
    assert.equal(peer.encryption, '/noise')
    assert.equal(peer.muxer, '/yamux/1.0.0')
    assert.ok(peer.since <= Date.now())
    assert.ok(peer.bytesIn > 0 && peer.bytesOut > 0)
    // On one machine: a direct connection to a loopback address (issue 17).
    assert.deepEqual([peer.reach, peer.relay, peer.upgraded], ['lan', null, false])
    const text = await cli(['peers'])
    assert.match(text.stdout, /^b\s+connected\s+direct LAN\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\/ip/m)
    assert.deepEqual(json(await cli(['status', '--json'])).peers, [{ name: 'b', peerId: bId, connected: true }])
  })

  it('ls lists files known only from the peer; mark keep records it in the table', async () => {
    await eventually(['index'], async (c) => (await c.call('ls', { arena: 'shared', path: 'docs' }).catch(() => ({ total: 0 }))).total === 3 || undefined, "b's files")
    const list = json(await cli(['ls', '--json', 'shared:docs']))
    assert.deepEqual(list.map((e: any) => e.name), ['note.txt', 'other.txt', 'third.txt'])
    assert.deepEqual({ ...list[0], mtime: typeof list[0].mtime }, {
      name: 'note.txt', path: 'docs/note.txt', type: 'file', size: 7, mtime: 'number',
      hash: sha('from b\n'), mark: 'watch', location: 'remote', cached: 0, peers: ['b'], files: null
    })
    assert.match((await cli(['ls', 'shared:docs'])).stdout, /^watch remote {12}7 B {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}note\.txt {2}\(b\)$/m)
    assert.deepEqual(json(await cli(['ls', '--json', 'shared:'])).map((e: any) => [e.name, e.type, e.location, e.size, e.files]), [['album', 'dir', 'remote', 25, 22], ['docs', 'dir', 'remote', 19, 3]])
    const mark = await cli(['mark', 'keep', 'shared:docs/note.txt'])
    assert.equal(mark.stdout, 'shared:docs/note.txt keep (recorded for a path known only from peers)\n')
    // A directory known only from peers is not called a file.
    const dir = await cli(['mark', 'watch', 'shared:docs'])
    assert.equal(dir.stdout, 'shared:docs watch (recorded for a path known only from peers)\n')
    assert.equal((await cli(['mark', 'rm', 'shared:docs'])).code, 0)
    assert.deepEqual(json(await cli(['mark', 'get', '--json', 'shared:docs/note.txt'])), { arena: 'shared', path: 'docs/note.txt', mark: 'keep', inheritedFrom: null, source: 'path' })
    // The peer's copy gets no xattr from us: the mark lives on this node.
    await assert.rejects(getAttribute(join(tmp.dir, 'rootb', 'docs', 'note.txt'), 'user.realize.mark'), { code: 'ENODATA' })
  })

  it('churten run downloads the kept file, printing its progress, and stops churten on SIGINT {#churten-run}', async () => {
    assert.equal(json(await cli(['churten', 'status', '--json'])).running, false)
    const run = spawn(process.execPath, [CLI, 'churten', 'run', '--data', a], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const seen = new EventEmitter<{ data: [] }>()
    run.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; seen.emit('data') })
    run.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; seen.emit('data') })
    await until(seen, 'data', () => /^done +shared:docs\/note\.txt$/m.test(out), `the download to finish (stdout: ${out} stderr: ${err})`, 30_000)
    assert.match(out, /^pending +download shared:docs\/note\.txt \(7 B\)$/m)
    assert.match(out, /^started +download shared:docs\/note\.txt$/m)
    assert.match(out, /^ +download shared:docs\/note\.txt$/m)
    assert.match(out, /^ +shared:docs\/note\.txt 7 B of 7 B \(100%\) \d+(\.\d)? (B|KiB|MiB)\/s$/m)
    assert.match(out, /^ +verify shared:docs\/note\.txt$/m)
    run.kill('SIGINT')
    assert.equal((await once(run, 'exit'))[0], 0, err)
    assert.match(out, /churten stopped\n$/)
    assert.equal(json(await cli(['churten', 'status', '--json'])).running, false)
    const [note] = json(await cli(['ls', '--json', 'shared:docs/note.txt']))
    assert.deepEqual([note.location, note.cached, note.mark], ['cached', 1, 'keep'])
    const arena = json(await cli(['status', '--json'])).arenas[0]
    assert.deepEqual([arena.cachedFiles, arena.cachedBytes], [1, 7])
  })

  it('cat streams from the cache, or from the peer (filling the cache)', async () => {
    const cached = await cli(['cat', 'shared:docs/note.txt'])
    assert.equal(cached.code, 0, cached.stderr)
    assert.equal(cached.stdout, 'from b\n')
    const remote = await cli(['cat', 'shared:docs/other.txt'])
    assert.equal(remote.code, 0, remote.stderr)
    assert.equal(remote.stdout, 'other\n')
    const [other] = json(await cli(['ls', '--json', 'shared:docs/other.txt']))
    assert.deepEqual([other.location, other.mark], ['cached', 'watch'])
  })

  it('ls shows a remote directory summed: partly cached, and a kept one fully cached once churten ran', async () => {
    // docs: note.txt (7 B) and other.txt (6 B) of 19 B are cached by now.
    const docs = json(await cli(['ls', '--json', 'shared:'])).find((e: any) => e.name === 'docs')
    assert.deepEqual([docs.location, docs.size, docs.files, Math.round(docs.cached * 100)], ['partial', 19, 3, 68])
    assert.equal((await cli(['mark', 'keep', 'shared:album'])).code, 0)
    const node = nodes[0] as NodeProcess
    const logFrom = node.lines.length
    const client = await ControlClient.connect(a)
    try {
      const bus = new EventEmitter<{ event: [] }>()
      await client.subscribe(['churten', 'index'], () => { bus.emit('event') })
      await client.call('churten.start')
      await until(bus, 'event', async () => (await client.call('ls', { arena: 'shared', path: '' })).entries.find((e) => e.name === 'album')?.location === 'cached', 'album cached', 30_000)
      await client.call('churten.stop')
    } finally {
      await client.close()
    }
    const [album] = json(await cli(['ls', '--json', 'shared:']))
    assert.deepEqual([album.name, album.location, album.cached, album.size, album.files, album.mark], ['album', 'cached', 1, 25, 22, 'keep'])
    assert.ok(album.mtime > 0)
    // The text form: where and how much, not "remote -".
    assert.match((await cli(['ls', 'shared:'])).stdout, /^keep {2}cached +25 B {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}album\/$/m)
    assert.equal(json(await cli(['status', '--json'])).arenas[0].realFiles, 0, 'remote directories are not counted as real')
    // The log at info sums the 22 downloads up (churten stop writes the sum at the latest), no line per file.
    const log = node.lines.slice(logFrom)
    const sums = log.filter((l) => l.event === 'jobs-ended')
    assert.equal(sums.reduce((n, l) => n + (l.done as number ?? 0), 0), 22, JSON.stringify(sums))
    assert.ok(sums.length <= 3, `${sums.length} summary lines`)
    assert.match(String(sums[0]?.msg), /^\d+ jobs? ended \(\d+ done\)$/)
    assert.deepEqual(log.filter((l) => l.event === 'job-ended'), [], 'no line per job at info')
  })

  it('cat of a file not cached while its only peer is away fails with the reason', async () => {
    const client = await ControlClient.connect(a)
    try {
      const bus = new EventEmitter<{ event: [] }>()
      await client.subscribe(['peers'], () => { bus.emit('event') })
      nodes[1]?.kill('SIGTERM')
      await until(bus, 'event', async () => (await client.call('peers'))[0]?.connected === false, 'b disconnected', 30_000)
    } finally {
      await client.close()
    }
    const r = await cli(['cat', 'shared:docs/third.txt'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'error: shared:docs/third.txt is not cached here and no connected peer has it (peers with it: b)\n')
    // What is cached stays readable.
    assert.equal((await cli(['cat', 'shared:docs/note.txt'])).stdout, 'from b\n')
  })
})
