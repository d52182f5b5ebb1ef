import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises'
import { createConnection, type Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { ControlClient } from '../../node/control/api/client.js'
import { LocalNodeModel } from '../../node/control/server/local-model.js'
import { ControlServer, socketPath } from '../../node/control/server/server.js'
import { LineSplitter } from '../../node/control/api/jsonrpc.js'
import { MAX_BATCH, MAX_BATCH_REPLY, MAX_IN_FLIGHT, REPLY_HIGH_WATER } from '../../node/control/server/connection.js'
import { silentLogger } from '../../node/log.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'
import { inProcessNode, writeIndexed, type InProcessNode } from './fixtures.js'
import type { NodeEvent } from '../../node/control/api/model.js'
import type { RealIndex } from '../../node/real/real-index.js'
import type { RelPath } from '../../datastore/types/path.js'

/** A raw line-oriented client, to speak JSON-RPC without our client's help. */
class Raw {
  readonly lines: any[] = []
  private constructor (readonly socket: Socket, readonly events = socket) {
    // Split as the server does: a long answer (a batch of listings) arrives in many chunks.
    const splitter = new LineSplitter()
    socket.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) this.lines.push(JSON.parse(line))
    })
  }

  static async open (dataDir: string): Promise<Raw> {
    const s = createConnection(socketPath(dataDir))
    await once(s, 'connect')
    return new Raw(s)
  }

  async next (n = 1): Promise<any[]> {
    await until(this.socket, 'data', () => this.lines.length >= n, `${n} answers`)
    return this.lines.splice(0, n)
  }

  send (text: string): void {
    this.socket.write(text.endsWith('\n') ? text : `${text}\n`)
  }
}

/** Tries to open the socket as another user (uid/gid 65534, "nobody") and reports the error code. */
async function connectAs (uid: number, path: string): Promise<string> {
  const script = `const s = require('net').createConnection(${JSON.stringify(path)}); s.on('connect', () => { console.log('CONNECTED'); process.exit(0) }); s.on('error', (e) => { console.log(e.code); process.exit(0) })`
  const child = spawn(process.execPath, ['-e', script], { uid, gid: uid, cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  await once(child, 'close')
  return out.trim()
}

describe('control server (JSON-RPC on <data>/control.sock)', function () {
  let n: InProcessNode
  beforeEach(async () => { n = await inProcessNode() })
  afterEach(async () => { await n.close() })

  it('listens on a socket only this user can open (0600 in a 0700 data directory)', async () => {
    assert.equal((await stat(socketPath(n.dataDir))).mode & 0o777, 0o600)
    assert.equal((await stat(n.dataDir)).mode & 0o777, 0o700)
  })

  it('another user cannot connect, even when every directory above is searchable', async () => {
    assert.equal(process.getuid?.(), 0, 'this test runs as root to switch to another uid')
    const path = socketPath(n.dataDir)
    assert.equal(await connectAs(65534, path), 'EACCES')
    // With the data directory and its parents opened up, the socket's own mode still refuses.
    for (let d = n.dataDir; d !== '/' && d !== '/tmp'; d = dirname(d)) await chmod(d, 0o711)
    assert.equal(await connectAs(65534, path), 'EACCES')
    // The same user gets in.
    assert.equal(await connectAs(process.getuid?.() as number, path), 'CONNECTED')
  })

  it('answers each request on its own line, in JSON-RPC 2.0 form', async () => {
    const raw = await Raw.open(n.dataDir)
    raw.send('{"jsonrpc":"2.0","id":1,"method":"status"}')
    const [status] = await raw.next()
    assert.equal(status.jsonrpc, '2.0')
    assert.equal(status.id, 1)
    assert.equal(status.result.peerId, n.node.options.identity.peerId.toString())
    assert.deepEqual(status.result.arenas.map((a: any) => a.name), ['photos'])
    raw.socket.destroy()
  })

  it('reports parse errors, invalid requests, unknown methods and bad params with the standard codes', async () => {
    const raw = await Raw.open(n.dataDir)
    raw.send('{not json')
    raw.send('{"jsonrpc":"1.0","id":2,"method":"status"}')
    raw.send('{"jsonrpc":"2.0","id":3,"method":"frobnicate"}')
    raw.send('{"jsonrpc":"2.0","id":4,"method":"mark.get","params":{"arena":5}}')
    const answers = await raw.next(4)
    const byId = new Map(answers.map((a) => [a.id, a]))
    assert.equal(answers.find((a) => a.id === null && a.error.code === -32700)?.error.message, 'parse error: not JSON')
    assert.equal(byId.get(2)?.error.code, -32600)
    assert.equal(byId.get(3)?.error.code, -32601)
    assert.equal(byId.get(4)?.error.code, -32602)
    assert.match(byId.get(4)?.error.message, /invalid params for mark\.get: arena: /)
    raw.socket.destroy()
  })

  it("carries the node's error code and cause chain, and flags the caller's mistakes", async () => {
    const raw = await Raw.open(n.dataDir)
    raw.send('{"jsonrpc":"2.0","id":1,"method":"mark.set","params":{"arena":"photos","path":"x","mark":"mine"}}')
    raw.send('{"jsonrpc":"2.0","id":2,"method":"mark.get","params":{"arena":"music","path":""}}')
    raw.send('{"jsonrpc":"2.0","id":3,"method":"cat","params":{"arena":"photos","path":"missing.txt"}}')
    const byId = new Map((await raw.next(3)).map((a) => [a.id, a.error]))
    assert.deepEqual(byId.get(1), { code: -32602, message: 'invalid mark "mine": expected own, keep or watch', data: { code: 'INVALID_MARK', causes: [], usage: true } })
    assert.equal(byId.get(2)?.data.code, 'UNKNOWN_ARENA')
    assert.equal(byId.get(2)?.message, 'no arena "music" on this node (arenas: photos)')
    assert.equal(byId.get(3)?.code, -32000)
    assert.equal(byId.get(3)?.data.code, 'NOT_FOUND')
    assert.equal(byId.get(3)?.data.usage, false)
    raw.socket.destroy()
  })

  it('runs batches, and never answers notifications', async () => {
    const raw = await Raw.open(n.dataDir)
    raw.send('{"jsonrpc":"2.0","method":"status"}')
    raw.send('[{"jsonrpc":"2.0","id":"a","method":"churten.status"},{"jsonrpc":"2.0","method":"arenas"},{"jsonrpc":"2.0","id":"b","method":"nope"}]')
    const [batch] = await raw.next()
    assert.ok(Array.isArray(batch))
    assert.deepEqual(batch.map((r: any) => r.id).sort(), ['a', 'b'])
    assert.equal(batch.find((r: any) => r.id === 'a').result.available, true)
    assert.equal(batch.find((r: any) => r.id === 'b').error.code, -32601)
    raw.send('{"jsonrpc":"2.0","id":9,"method":"conflicts"}')
    const [next] = await raw.next()
    assert.equal(next.id, 9, 'the notification got no answer')
    raw.socket.destroy()
  })

  it('drops a client that sends an oversized line, and keeps serving others', async () => {
    const raw = await Raw.open(n.dataDir)
    raw.socket.write(Buffer.alloc(2 * 1024 * 1024, 'x'))
    const [err] = await raw.next()
    assert.equal(err.error.code, -32600)
    await once(raw.socket, 'close')
    assert.equal((await n.client.call('churten.status')).available, true)
  })

  it('sends subscribed events to each subscriber, and stops after unsubscribe', async () => {
    const other = await ControlClient.connect(n.dataDir)
    try {
      const seen = new EventEmitter<{ event: [] }>()
      const events: NodeEvent[] = []
      const sub = await other.subscribe(['marks'], (e) => { events.push(e); seen.emit('event') })
      const index = n.node.arenas[0]?.index as RealIndex
      await writeFile(join(n.root, 'a.jpg'), 'a')
      await until(index, 'history', async () => (await index.get('a.jpg' as RelPath)) != null, 'a.jpg indexed')
      await n.client.call('mark.set', { arena: 'photos', path: 'a.jpg', mark: 'keep' })
      const e = await until(seen, 'event', () => events.find((x) => x.type === 'marks'), 'a marks event')
      assert.deepEqual(e, { type: 'marks', arena: 'photos', changes: [{ path: 'a.jpg', mark: 'keep' }] })
      assert.ok(events.every((x) => x.type === 'marks'), 'only the topic subscribed to')
      await sub.close()
      const before = events.length
      await n.client.call('mark.rm', { arena: 'photos', path: 'a.jpg' })
      // A round trip on the same connection after the change: an event would have arrived first.
      await other.call('status')
      assert.equal(events.length, before)
    } finally {
      await other.close()
    }
  })

  it('streams cat content byte for byte, with backpressure, for a file larger than a chunk', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17)
    await mkdir(join(n.root, 'big'))
    await writeFile(join(n.root, 'big', 'blob.bin'), data)
    const index = n.node.arenas[0]?.index as RealIndex
    await until(index, 'history', async () => (await index.get('big/blob.bin' as RelPath))?.size === data.length, 'blob indexed')
    const chunks: Buffer[] = []
    const r = await n.client.cat('photos', 'big/blob.bin', async (c) => {
      chunks.push(c)
      // A slow reader: the node waits for it instead of buffering the file.
      await new Promise((resolve) => setImmediate(resolve))
    })
    assert.deepEqual(r, { source: 'real', size: data.length, bytes: data.length })
    assert.ok(chunks.length > 1)
    assert.ok(Buffer.concat(chunks).equals(data))
  })

  it('pages a listing from one snapshot and finds a name in it', async () => {
    await writeIndexed(n, 'many', Array.from({ length: 1200 }, (_, i) => `many/f${String(i).padStart(4, '0')}`))
    const first = await n.client.call('ls', { arena: 'photos', path: 'many', offset: 0, limit: 500 })
    assert.equal(first.total, 1200)
    assert.equal(first.entries[0]?.name, 'f0000')
    const third = await n.client.call('ls', { arena: 'photos', path: 'many', offset: 1000, limit: 500, snapshot: first.snapshot })
    assert.equal(third.snapshot, first.snapshot)
    assert.deepEqual(third.entries.map((e) => e.name).slice(0, 2), ['f1000', 'f1001'])
    assert.equal(third.entries.length, 200)
    const found = await n.client.call('ls', { arena: 'photos', path: 'many', offset: 0, limit: 500, find: 'f0777' })
    assert.equal(found.found, 777)
    assert.equal(found.offset, 500)
    assert.equal(found.entries[277]?.name, 'f0777')
    let all = 0
    assert.equal(await n.client.lsAll('photos', 'many', (entries) => { all += entries.length }), 1200)
    assert.equal(all, 1200)
  })

  it('stops reading a client that does not read its replies: the node holds a bounded backlog and serves others (spec section 8)', async () => {
    await writeIndexed(n, 'many', Array.from({ length: 2000 }, (_, i) => `many/file-with-a-longish-name-${String(i).padStart(4, '0')}.txt`))
    const server = n.node.control?.server as ControlServer
    // Never reads: only what fits in its socket's buffers is taken from the node.
    const hostile = createConnection(socketPath(n.dataDir))
    await once(hostile, 'connect')
    const pad = 'x'.repeat(8 * 1024)
    const requests = 300
    for (let i = 0; i < requests; i++) hostile.write(`${JSON.stringify({ jsonrpc: '2.0', id: i, method: 'ls', params: { arena: 'photos', path: 'many', find: pad } })}\n`)
    const one = Buffer.byteLength(JSON.stringify(await n.client.call('ls', { arena: 'photos', path: 'many', offset: 0 })))
    assert.ok(one * requests > 100 * 1024 * 1024, `${one} bytes per listing`)
    let most = 0
    let slowest = 0
    for (let round = 0; round < 30; round++) {
      const t0 = performance.now()
      assert.equal((await n.client.call('churten.status')).available, true)
      slowest = Math.max(slowest, performance.now() - t0)
      most = Math.max(most, server.buffered)
    }
    // The bound: REPLY_HIGH_WATER plus the replies of the requests already running.
    assert.ok(most <= REPLY_HIGH_WATER + MAX_IN_FLIGHT * one, `the node held ${most} bytes for the client (${one * requests} asked for)`)
    assert.ok(hostile.writableLength > 0, 'the node stopped reading the requests of a client that does not read')
    assert.ok(slowest < 2000, `another client waited ${slowest} ms`)
    hostile.destroy()
    // One batch is one line held whole: its answer is bounded too, and so is its length.
    const raw = await Raw.open(n.dataDir)
    const ls = (id: number): object => ({ jsonrpc: '2.0', id, method: 'ls', params: { arena: 'photos', path: 'many' } })
    raw.send(JSON.stringify(Array.from({ length: 60 }, (_, i) => ls(i))))
    const [batch] = await raw.next()
    const ok = batch.filter((r: any) => r.result != null).length
    assert.ok(ok >= 1 && ok * one <= MAX_BATCH_REPLY, `${ok} listings answered`)
    assert.deepEqual(new Set(batch.slice(ok).map((r: any) => r.error.data.code)), new Set(['REPLY_TOO_LARGE']))
    raw.send(JSON.stringify(Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'status' }))))
    const [tooMany] = await raw.next()
    assert.equal(tooMany.error.code, -32600)
    assert.match(tooMany.error.message, /a batch of 101 requests; at most 100/)
    raw.socket.destroy()
  })
})

describe('control socket lifecycle', function () {
  it('replaces the socket a killed node left behind, and refuses to start next to a live one', async () => {
    const tmp = await tempDir('rz-sock-')
    try {
      const dataDir = join(tmp.dir, 'data')
      await mkdir(dataDir, { mode: 0o700 })
      // A process that listens and is killed -9 leaves its socket file.
      const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath(dataDir))}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] })
      await once(child.stdout, 'data')
      child.kill('SIGKILL')
      await once(child, 'close')
      assert.ok((await stat(socketPath(dataDir))).isSocket())
      await assert.rejects(ControlClient.connect(dataDir), (err: Error & { code?: string }) => err.code === 'NODE_NOT_RUNNING')

      const model = { events: new EventEmitter() } as unknown as LocalNodeModel
      const server = await ControlServer.listen({ dataDir, model, log: silentLogger })
      try {
        await assert.rejects(ControlServer.listen({ dataDir, model, log: silentLogger }), (err: Error & { code?: string }) => err.code === 'NODE_ALREADY_RUNNING')
      } finally {
        await server.close()
      }
      await assert.rejects(stat(socketPath(dataDir)), { code: 'ENOENT' })
    } finally {
      await tmp.cleanup()
    }
  })

  it('tells a client there is no node when nothing listens', async () => {
    const tmp = await tempDir('rz-sock-')
    try {
      await assert.rejects(ControlClient.connect(tmp.dir), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'NODE_NOT_RUNNING')
        assert.match(err.message, /no node is running with data directory .* start it with: realize-node start --data /)
        return true
      })
    } finally {
      await tmp.cleanup()
    }
  })

  it('fails calls once the node has gone away', async () => {
    const n = await inProcessNode()
    try {
      await n.node.stop()
      await until(n.client, 'close', () => n.client.closed, 'the connection to close')
      await assert.rejects(n.client.call('status'), (err: Error & { code?: string }) => err.code === 'CONTROL_CLOSED')
    } finally {
      await n.close()
    }
  })
})
