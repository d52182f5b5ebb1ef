import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import { createConnection } from 'node:net'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getAttribute, setAttribute } from 'fs-xattr'
import { ControlClient } from '../../node/control/api/client.js'
import type { NodeEvent } from '../../node/control/api/model.js'
import { loadConfig } from '../../node/config/config.js'
import { NodeProcess } from '../helpers/node-process.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'
import { LAPTOP, runCli, STRANGER, type Run } from '../control/fixtures.js'

const json = (r: Run): any => {
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}

/** Every command that needs a running node (spec section 7). */
const CONTROL_COMMANDS = [
  ['status'], ['peers'], ['peers', '--discovered'], ['mark', 'get', 'photos:'], ['mark', 'own', 'photos:'], ['mark', 'rm', 'photos:x'],
  ['ls', 'photos:'], ['cat', 'photos:a'], ['conflicts'], ['churten', 'status'], ['churten', 'start'], ['churten', 'stop'], ['churten', 'run']
]

describe('realize-node commands against a running node', function () {
  let tmp: { dir: string, cleanup: () => Promise<void> }
  let data: string
  let root: string
  let node: NodeProcess
  const cli = async (args: string[], options: { cwd?: string, uid?: number } = {}): Promise<Run> => await runCli([...args, '--data', data], { cwd: options.cwd ?? tmp.dir, uid: options.uid, env: { HOME: tmp.dir } })

  before(async function () {
    tmp = await tempDir('rz-cmd-')
    data = join(tmp.dir, 'data')
    root = join(tmp.dir, 'photos')
    await mkdir(join(root, 'trip', 'day1'), { recursive: true })
    await writeFile(join(root, 'readme.txt'), 'hello\n')
    await writeFile(join(root, 'trip', 'day1', 'a.jpg'), 'jpeg-a')
    await writeFile(join(root, 'trip', 'b.jpg'), 'jpeg-bb')
    await writeFile(join(root, 'binary.bin'), randomBytes(700_000))
    const init = await runCli(['init', '--data', data, '--arena', `photos=${root}`, '--arena', 'music', '--port', '0', '--no-mdns'])
    assert.equal(init.code, 0, init.stderr)
    node = new NodeProcess(['--data', data], { env: { HOME: tmp.dir } })
    await node.waitForEvent('ready')
  })

  after(async function () {
    if (node.exitCode === undefined) {
      node.kill('SIGTERM')
      await node.waitForExit()
    }
    await tmp.cleanup()
  })

  it('id --json on a running node prints the addresses it really listens on (port 0 resolved)', async () => {
    const id = json(await cli(['id', '--json']))
    assert.ok(id.addrs.length > 0)
    for (const a of id.addrs) assert.match(a, new RegExp(`^/ip[46]/[^/]+/tcp/[1-9][0-9]*/p2p/${id.peerId as string}$`))
    // The node answers connections on the first of them.
    const [, , host, , port] = (id.addrs[0] as string).split('/')
    const sock = createConnection({ host, port: Number(port) })
    await once(sock, 'connect')
    sock.destroy()
  })

  it('status --json: peerId, churten, arenas with real/cached counts, cache', async () => {
    const s = json(await cli(['status', '--json']))
    assert.match(s.peerId, /^12D3KooW/)
    // churten starts with the node (churten.autostart) and has nothing to do here.
    assert.deepEqual(s.churten, { available: true, running: true, jobs: 0, active: [] })
    assert.deepEqual(s.arenas, [
      { name: 'photos', root, mark: 'own', realFiles: 4, realBytes: 6 + 6 + 7 + 700_000, cachedFiles: 0, cachedBytes: 0, state: 'active', error: null },
      { name: 'music', root: null, mark: 'watch', realFiles: 0, realBytes: 0, cachedFiles: 0, cachedBytes: 0, state: 'active', error: null }
    ])
    assert.equal(s.cache.used, 0)
    assert.ok(s.cache.capacity > 0)
    const text = await cli(['status'])
    assert.equal(text.code, 0)
    assert.match(text.stdout, /photos\s+own\s+active\s+4 files, 684 KiB\s+0 files, 0 B\s+\S*photos/)
    assert.match(text.stdout, /churten\s+running, 0 jobs/)
  })

  it('mark by file system path sets the xattr; mark get shows inherited marks {#setmark}', async () => {
    const set = await cli(['mark', 'keep', 'trip'], { cwd: root })
    assert.equal(set.code, 0, set.stderr)
    assert.equal(set.stdout, 'photos:trip keep (set as the user.realize.mark xattr)\n')
    assert.equal((await getAttribute(join(root, 'trip'), 'user.realize.mark')).toString(), 'keep')
    assert.deepEqual(json(await cli(['mark', 'get', '--json', join(root, 'trip', 'day1', 'a.jpg')])), { arena: 'photos', path: 'trip/day1/a.jpg', mark: 'keep', inheritedFrom: 'photos:trip', source: 'ancestor' })
    const text = await cli(['mark', 'get', 'day1/a.jpg'], { cwd: join(root, 'trip') })
    assert.equal(text.stdout, 'photos:trip/day1/a.jpg keep (inherited from photos:trip)\n')
  })

  it('mark by ARENA:path sets the xattr of the local file; ARENA: sets the arena mark in the config', async () => {
    const set = await cli(['mark', 'watch', 'photos:trip/b.jpg'])
    assert.equal(set.code, 0, set.stderr)
    assert.equal((await getAttribute(join(root, 'trip', 'b.jpg'), 'user.realize.mark')).toString(), 'watch')
    assert.deepEqual(json(await cli(['mark', 'get', '--json', 'photos:trip/b.jpg'])), { arena: 'photos', path: 'trip/b.jpg', mark: 'watch', inheritedFrom: null, source: 'path' })
    const arena = await cli(['mark', 'keep', 'music:'])
    assert.equal(arena.stdout, 'music: keep (written to the config)\n')
    assert.equal((await loadConfig(data))?.arenas.find((a) => a.name === 'music')?.mark, 'keep')
    assert.deepEqual(json(await cli(['mark', 'get', '--json', 'photos:readme.txt'])), { arena: 'photos', path: 'readme.txt', mark: 'own', inheritedFrom: 'photos:', source: 'arena' })
    const rm = await cli(['mark', 'rm', 'photos:trip/b.jpg'])
    assert.equal(rm.stdout, 'photos:trip/b.jpg: mark removed; now keep (inherited from photos:trip)\n')
    await assert.rejects(getAttribute(join(root, 'trip', 'b.jpg'), 'user.realize.mark'), { code: 'ENODATA' })
  })

  it('mark through a symlinked directory is refused: no xattr lands outside the root (spec section 8)', async () => {
    const outside = join(tmp.dir, 'outside')
    await mkdir(outside)
    await writeFile(join(outside, 'secret.txt'), 'not in the arena')
    await symlink(outside, join(root, 'link'))
    for (const target of ['photos:link/secret.txt', join(root, 'link', 'secret.txt')]) {
      const r = await cli(['mark', 'keep', target])
      assert.equal(r.code, 1, r.stdout)
      assert.match(r.stderr, /^error: .*link\/secret\.txt: .*\/photos\/link is a symbolic link; nothing is written through it\n$/)
      await assert.rejects(getAttribute(join(outside, 'secret.txt'), 'user.realize.mark'), { code: 'ENODATA' })
    }
  })

  it('ls --json lists name, path, type, size, mtime, hash, mark, location, peers', async () => {
    const list = json(await cli(['ls', '--json', 'photos:']))
    assert.deepEqual(list.map((e: any) => e.name), ['binary.bin', 'readme.txt', 'trip'])
    const readme = list[1]
    assert.deepEqual(Object.keys(readme).sort(), ['cached', 'files', 'hash', 'location', 'mark', 'mtime', 'name', 'path', 'peers', 'size', 'type'])
    assert.deepEqual({ ...readme, mtime: typeof readme.mtime }, {
      name: 'readme.txt', path: 'readme.txt', type: 'file', size: 6, mtime: 'number',
      hash: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03', mark: 'own', location: 'real', cached: 1, peers: [], files: null
    })
    assert.deepEqual({ ...list[2], mtime: 0 }, { name: 'trip', path: 'trip', type: 'dir', size: 13, mtime: 0, hash: null, mark: 'keep', location: 'real', cached: 1, peers: [], files: 2 })
    const inside = await cli(['ls', 'photos:trip'])
    assert.match(inside.stdout, /^watch real {8}7 B {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}b\.jpg\nkeep {2}real {8}13 B|keep {2}real/m)
    assert.match(inside.stdout, /day1\/$/m)
    assert.deepEqual(json(await cli(['ls', '--json', 'music:'])), [])
  })

  it('cat streams the exact bytes of a file in the real', async () => {
    const child = await runCli(['cat', 'photos:readme.txt', '--data', data])
    assert.equal(child.code, 0, child.stderr)
    assert.equal(child.stdout, 'hello\n')
    // Binary content through a pipe, larger than one chunk.
    const { spawnSync } = await import('node:child_process')
    const { CLI } = await import('../helpers/node-process.js')
    const r = spawnSync(process.execPath, [CLI, 'cat', 'photos:binary.bin', '--data', data], { maxBuffer: 1 << 24 })
    assert.equal(r.status, 0, String(r.stderr))
    const { readFile } = await import('node:fs/promises')
    assert.ok(Buffer.compare(r.stdout, await readFile(join(root, 'binary.bin'))) === 0)
    const missing = await cli(['cat', 'photos:nope.txt'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /^error: photos:nope\.txt: no such file/)
    const dir = await cli(['cat', 'photos:trip'])
    assert.equal(dir.code, 2)
    assert.match(dir.stderr, /photos:trip is a directory/)
  })

  it('peers and peers --discovered list the household and mDNS finds as JSON', async () => {
    const added = await cli(['peer', 'add', 'laptop', LAPTOP, 'localhost:1'])
    assert.equal(added.code, 0, added.stderr)
    assert.equal(added.stdout, `added peer laptop ${LAPTOP} at localhost:1\n`)
    assert.deepEqual((await loadConfig(data))?.peers.map((p) => p.name), ['laptop'])
    const peers = json(await cli(['peers', '--json']))
    assert.deepEqual(peers, [{ name: 'laptop', peerId: LAPTOP, addrs: ['localhost:1'], arenas: null, connected: false, since: null, remoteAddr: null, direction: null, encryption: null, muxer: null, rttMs: null, bytesIn: null, bytesOut: null, reach: null, relay: null, upgraded: null }])
    // mDNS is off here: nothing but household peers the network learnt of by dialing them.
    for (const d of json(await cli(['peers', '--discovered', '--json']))) {
      assert.deepEqual(Object.keys(d).sort(), ['addrs', 'inHousehold', 'name', 'peerId'])
      assert.equal(d.inHousehold, true)
    }
    const rm = await cli(['peer', 'rm', 'laptop'])
    assert.equal(rm.code, 0, rm.stderr)
    assert.deepEqual((await loadConfig(data))?.peers, [])
    assert.deepEqual(json(await cli(['peers', '--json'])), [])
    const dup = await cli(['peer', 'add', 'x', 'not-a-peer-id'])
    assert.equal(dup.code, 2)
    // The argument is named, the file is not blamed, and no library jargon ("multibase decoder").
    assert.equal(dup.stderr, 'error: PEERID: invalid PeerId "not-a-peer-id": not a PeerId (expected the 12D3KooW... line that `realize-node id` prints on that machine)\n')
    // --arena shares only the arenas named; one the node does not have is refused.
    const some = await cli(['peer', 'add', 'laptop', LAPTOP, '--arena', 'photos'])
    assert.equal(some.code, 0, some.stderr)
    // mDNS is off on this node (init --no-mdns): the message says how the peer will be reached instead.
    assert.equal(some.stdout, `added peer laptop ${LAPTOP} (no address and mDNS is off: reached only when it dials this node; add an address), sharing photos\n`)
    assert.deepEqual((await loadConfig(data))?.peers.map((p) => [p.name, p.arenas]), [['laptop', ['photos']]])
    assert.deepEqual(json(await cli(['peers', '--json']))[0].arenas, ['photos'])
    assert.equal((await cli(['peer', 'rm', 'laptop'])).code, 0)
    const typo = await cli(['peer', 'add', 'laptop', LAPTOP, '--arena', 'fotos'])
    assert.equal(typo.code, 2, typo.stderr)
    assert.match(typo.stderr, /no arena "fotos" in the config \(arenas: photos, music\)/)
    assert.deepEqual((await loadConfig(data))?.peers, [])
  })

  it('conflicts --json is a list (empty here)', async () => {
    assert.deepEqual(json(await cli(['conflicts', '--json'])), [])
    assert.equal((await cli(['conflicts'])).stdout, 'no conflicts\n')
  })

  it('churten stop, start and status drive the job runner; churten run stops it on Ctrl-C {#churten-run}', async () => {
    assert.deepEqual(json(await cli(['churten', 'status', '--json'])), { available: true, running: true, jobs: 0, active: [] })
    assert.equal((await cli(['churten', 'stop'])).stdout, 'churten stopped, 0 jobs\n')
    assert.equal((await cli(['churten', 'status'])).stdout, 'churten stopped, 0 jobs\n')
    assert.equal((await cli(['churten', 'start'])).stdout, 'churten running, 0 jobs\n')
    assert.equal(json(await cli(['status', '--json'])).churten.running, true)
    const { spawn } = await import('node:child_process')
    const { CLI } = await import('../helpers/node-process.js')
    const run = spawn(process.execPath, [CLI, 'churten', 'run', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    run.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
    run.stderr.setEncoding('utf8').on('data', (c: string) => { err += c })
    await until(run.stderr, 'data', () => err.includes('Ctrl-C stops it'), 'churten run to start')
    assert.equal(err, 'churten running, 0 jobs; Ctrl-C stops it\n')
    run.kill('SIGINT')
    const [code] = await once(run, 'exit')
    assert.equal(code, 0, err)
    assert.equal(out, 'churten stopped\n')
    assert.match(err, /churten stopped, 0 jobs\n$/)
    assert.equal(json(await cli(['churten', 'status', '--json'])).running, false)
    assert.equal((await cli(['churten', 'start'])).code, 0)
  })

  it('bad input exits 2 with the reason: unknown command or flag, bad mark, path outside any arena, unknown arena', async () => {
    const unknown = await cli(['frobnicate'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /unknown command 'frobnicate'[\s\S]*Usage: realize-node/)
    const flag = await cli(['status', '--frob'])
    assert.equal(flag.code, 2)
    assert.match(flag.stderr, /unknown option '--frob'[\s\S]*Usage: realize-node status/)
    const mark = await cli(['mark', 'mine', 'photos:readme.txt'])
    assert.equal(mark.code, 2)
    assert.match(mark.stderr, /invalid mark "mine": expected own, keep, watch, get or rm/)
    const outside = await cli(['mark', 'own', '/etc/hosts'])
    assert.equal(outside.code, 2)
    assert.match(outside.stderr, /^error: \/etc\/hosts is not inside any arena root \(photos at .*\); name a remote path as ARENA:path\n$/)
    const arena = await cli(['ls', 'videos:'])
    assert.equal(arena.code, 2)
    assert.equal(arena.stderr, 'error: no arena "videos" on this node (arenas: photos, music)\n')
    const badPath = await cli(['mark', 'get', 'photos:a/../b'])
    assert.equal(badPath.code, 2)
    assert.match(badPath.stderr, /invalid path "a\/\.\.\/b": component "\.\."/)
    const noTty = await cli(['tui'])
    assert.equal(noTty.code, 2)
    assert.match(noTty.stderr, /the TUI needs a terminal/)
  })

  it('warnings the node logs reach control clients as notices (the TUI\'s log pane)', async () => {
    const client = await ControlClient.connect(data)
    try {
      const notices: NodeEvent[] = []
      const bus = new EventEmitter()
      await client.subscribe(['notice'], (e) => { notices.push(e); bus.emit('event') })
      const file = join(root, 'odd-mark.txt')
      await writeFile(file, 'x')
      await setAttribute(file, 'user.realize.mark', 'sometimes')
      const n = await until(bus, 'event', () => notices.find((e) => e.type === 'notice' && e.message.includes('invalid mark xattr')), 'the notice', 20_000)
      assert.deepEqual(n, { type: 'notice', level: 'warn', message: 'ignoring invalid mark xattr (arena photos, path odd-mark.txt)' })
      // The JSON log itself says it for people too: no spec tag in any message.
      assert.ok(node.lines.some((l) => l.msg === 'ignoring invalid mark xattr' && l.path === 'odd-mark.txt'))
      assert.deepEqual(node.lines.filter((l) => String(l.msg).includes('{#')).map((l) => l.msg), [])
    } finally {
      await client.close()
    }
  })

  it('another user cannot drive the node', async () => {
    const r = await runCli(['status', '--data', data], { cwd: '/', uid: 65534, env: { HOME: '/' } })
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /cannot open the control socket .*control\.sock: it belongs to another user/)
  })

  it('marking a path that exists nowhere yet is accepted; the mark applies when the path appears', async () => {
    const early = await cli(['mark', 'keep', 'photos:later/notes'])
    assert.equal(early.code, 0, early.stderr)
    assert.equal(early.stdout, 'photos:later/notes keep (recorded; nothing is at this path yet: the mark applies when it appears)\n')
    assert.deepEqual(json(await cli(['mark', 'get', '--json', 'photos:later/notes'])), { arena: 'photos', path: 'later/notes', mark: 'keep', inheritedFrom: null, source: 'path' })
    // By file system path too, inside an arena root.
    const byPath = await cli(['mark', 'watch', join(root, 'later', 'other.txt')])
    assert.equal(byPath.code, 0, byPath.stderr)
    assert.match(byPath.stdout, /^photos:later\/other\.txt watch \(recorded; nothing is at this path yet/)
    // The directory appears: the watcher moves the mark into its xattr, and what is inside inherits it.
    const client = await ControlClient.connect(data)
    try {
      const bus = new EventEmitter()
      await client.subscribe(['index', 'marks'], () => { bus.emit('event') })
      await mkdir(join(root, 'later', 'notes'), { recursive: true })
      await writeFile(join(root, 'later', 'notes', 'n.txt'), 'n')
      await until(bus, 'event', async () => (await getAttribute(join(root, 'later', 'notes'), 'user.realize.mark').catch(() => undefined))?.toString() === 'keep', 'the mark in the xattr')
    } finally {
      await client.close()
    }
    assert.deepEqual(json(await cli(['mark', 'get', '--json', 'photos:later/notes/n.txt'])), { arena: 'photos', path: 'later/notes/n.txt', mark: 'keep', inheritedFrom: 'photos:later/notes', source: 'ancestor' })
  })

  it('with the node stopped: exit 3 and a clear message; peer add/rm edit the config file', async () => {
    node.kill('SIGINT')
    assert.deepEqual(await node.waitForExit(), { code: 0, signal: null })
    for (const args of CONTROL_COMMANDS) {
      const r = await cli(args)
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`)
      assert.equal(r.stderr, `error: no node is running with data directory ${data} (nothing answers on ${join(data, 'control.sock')}); start it with: realize-node start --data ${data}\n`)
      assert.equal(r.stdout, '')
    }
    const add = await cli(['peer', 'add', 'desk', STRANGER, '--arena', 'music'])
    assert.equal(add.code, 0, add.stderr)
    assert.match(add.stderr, /the node is not running; it applies the change when it starts/)
    assert.deepEqual((await loadConfig(data))?.peers.map((p) => [p.name, p.id, p.addrs, p.arenas]), [['desk', STRANGER, [], ['music']]])
    const bad = await cli(['peer', 'add', 'desk', 'notapeerid'])
    assert.equal(bad.code, 2)
    assert.equal(bad.stderr, 'error: PEERID: invalid PeerId "notapeerid": not a PeerId (expected the 12D3KooW... line that `realize-node id` prints on that machine)\n')
    const badAddr = await cli(['peer', 'add', 'desk', STRANGER, 'nowhere'])
    assert.equal(badAddr.code, 2)
    assert.match(badAddr.stderr, /^error: ADDR: invalid address "nowhere"/)
    const rm = await cli(['peer', 'rm', 'desk'])
    assert.equal(rm.code, 0, rm.stderr)
    assert.deepEqual((await loadConfig(data))?.peers, [])
    const gone = await cli(['peer', 'rm', 'desk'])
    assert.equal(gone.code, 2)
    assert.equal(gone.stderr, 'error: no peer "desk" in the household (peers: none)\n')
  })
})
