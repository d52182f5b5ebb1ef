import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EventEmitter } from 'node:events'
import { getAttribute } from 'fs-xattr'
import { ControlClient } from '../../node/control/client.js'
import { until } from '../helpers/wait.js'
import type { Topic } from '../../node/control/model.js'
import { freePort } from '../helpers/net.js'
import { NodeProcess } from '../helpers/node-process.js'
import { tempDir } from '../helpers/tmp.js'
import { runCli, type Run } from '../control/fixtures.js'

/**
 * Two real nodes on loopback: `a` has arena `shared` cache-only, `b` has
 * it rooted with a file. Through `a`'s CLI: connection info {#conninfo} of
 * `b`, and `b`'s file listed, marked and (not yet) read.
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
    const [portA, portB] = [await freePort(), await freePort()]
    for (const [data, port, arena] of [[a, portA, 'shared'], [b, portB, `shared=${rootB}`]] as const) {
      const r = await runCli(['init', '--data', data, '--arena', arena, '--port', String(port), '--no-mdns'])
      assert.equal(r.code, 0, r.stderr)
    }
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
    const peer = json((await cli(['peers', '--json'])))[0]
    assert.equal(peer.name, 'b')
    assert.equal(peer.connected, true)
    assert.equal(peer.peerId, bId)
    assert.match(peer.remoteAddr, /^\/ip[46]\/.*\/tcp\/\d+/)
    assert.ok(peer.direction === 'inbound' || peer.direction === 'outbound')
    assert.equal(peer.encryption, '/noise')
    assert.equal(peer.muxer, '/yamux/1.0.0')
    assert.ok(peer.since <= Date.now())
    assert.ok(peer.bytesIn > 0 && peer.bytesOut > 0)
    const text = await cli(['peers'])
    assert.match(text.stdout, /^b\s+connected\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\/ip/m)
    const status = json((await cli(['status', '--json'])))
    assert.deepEqual(status.peers, [{ name: 'b', peerId: bId, connected: true }])
  })

  it('ls lists a file known only from the peer; mark sets it in the table; cat says it cannot read it yet', async () => {
    await eventually(['index'], async (c) => (await c.call('ls', { arena: 'shared', path: '' })).total > 0 || undefined, "b's files")
    const entry = json((await cli(['ls', '--json', 'shared:docs'])))[0]
    assert.deepEqual({ ...entry, mtime: typeof entry.mtime }, {
      name: 'note.txt', path: 'docs/note.txt', type: 'file', size: 7, mtime: 'number',
      hash: createHash('sha256').update('from b\n').digest('hex'), mark: 'watch', location: 'remote', cached: 0, peers: ['b'], files: null
    })
    const top = json((await cli(['ls', '--json', 'shared:'])))
    assert.deepEqual(top.map((e: any) => [e.name, e.type, e.location]), [['docs', 'dir', 'remote']])
    const mark = await cli(['mark', 'keep', 'shared:docs/note.txt'])
    assert.equal(mark.stdout, 'shared:docs/note.txt keep (recorded for a file known only from peers)\n')
    assert.deepEqual(json((await cli(['mark', 'get', '--json', 'shared:docs/note.txt']))), { arena: 'shared', path: 'docs/note.txt', mark: 'keep', inheritedFrom: null, source: 'path' })
    // The peer's copy keeps no xattr from us: the mark lives on this node only.
    await assert.rejects(getAttribute(join(tmp.dir, 'rootb', 'docs', 'note.txt'), 'user.realize.mark'), { code: 'ENODATA' })
    const cat = await cli(['cat', 'shared:docs/note.txt'])
    assert.equal(cat.code, 1)
    assert.equal(cat.stderr, 'error: shared:docs/note.txt is only on peers (b); reading remote content is not available on this node yet\n')
  })
})
