/**
 * Benchmark: churten end to end between two `realize-node start --headless`
 * processes on loopback (static addresses, 127.0.0.1), both arenas `own`
 * (spec section 9):
 *
 *   large   one file (1 GiB random) appears in A's root (renamed in from a
 *           staging directory on the same file system): time until B has the
 *           verified file in its root. Includes A's hashing, the history
 *           entry, B's download, verify and realize.
 *   delta   1 MiB of random bytes rewritten in the middle of that file on A:
 *           time until B's copy has A's hash, and bytes B received from A
 *           (`peers --json`, the connection's byte counters) {#delta}.
 *   small   10,000 files of 4 KiB (100 directories) appear in A's root at
 *           once (a directory renamed in): time until all are in B's root.
 *   raw     the reference, in the same run: a raw libp2p stream (TCP +
 *           Noise + Yamux, node/net/host.ts) between this process and a
 *           child, sending `size` bytes from memory. Measured before and
 *           after the sync rounds; the median is the reference. Also
 *           reported: the same stream written into a new file, because on
 *           some machines writing new file pages is slower than the stream.
 *
 *   npm run build && npx node dist/scripts/bench-sync.js [--size 1G] [--files 10000] [--file-size 4K] [--runs 1] [--dir /tmp]
 *
 * Goal (issue 5): large >= 70% of the raw stream's throughput. Every file
 * B ends with is hashed and compared after the clock stops. It never fails.
 */
import { execFile, fork } from 'node:child_process'
import { promisify } from 'node:util'
import { randomBytes, randomFillSync } from 'node:crypto'
import { mkdir, mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost, type RealizeHost } from '../node/net/host.js'
import { Household } from '../node/net/household.js'
import { baseConfig, writeConfig, type Config } from '../node/config/config.js'
import { loadOrCreateIdentity } from '../node/identity/identity.js'
import { hashFile } from '../node/real/hasher.js'
import { parseArenaName } from '../datastore/types/arena.js'
import { hashEquals } from '../datastore/types/hash.js'
import { guardFlowControl } from '../protocols/common/flow-control.js'
import { CLI, NodeProcess, type LogLine } from './harness/node-process.js'
import { freePort } from './harness/free-port.js'
import { until } from './harness/wait.js'
import type { Ed25519PrivateKey } from '../node/identity/identity.js'
import type { Stream } from '@libp2p/interface'

const MiB = 1024 * 1024
const run = promisify(execFile)
const RAW_PROTOCOL = '/realize-bench/raw/1.0.0'

function parseSize (text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim())
  if (m == null) throw new Error(`invalid size ${JSON.stringify(text)}: expected e.g. 1G, 512M, 4096`)
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G']
  return Math.round(Number(m[1]) * unit)
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

// ── the raw reference ───────────────────────────────────────────────────────

async function rawHost (key: Ed25519PrivateKey, peer: string): Promise<RealizeHost> {
  const household = new Household([{ name: 'other', id: peer, addrs: [] }], [{ name: parseArenaName('bench'), mark: 'watch' }])
  const { host } = await createHost({ privateKey: key, listen: ['/ip4/127.0.0.1/tcp/0'], gater: household.gater(), mdns: false })
  await host.start()
  return host
}

async function serveRaw (stream: Stream): Promise<void> {
  guardFlowControl(stream)
  const request = await new Promise<Uint8Array>((resolve) => {
    stream.addEventListener('message', (evt) => { resolve(evt.data.subarray()) }, { once: true })
  })
  const length = Number(new DataView(request.buffer, request.byteOffset).getBigUint64(0))
  const memory = Buffer.alloc(64 * MiB, 0x5a)
  for (let sent = 0; sent < length;) {
    const n = Math.min(256 * 1024, length - sent)
    const at = sent % memory.byteLength
    if (!stream.send(memory.subarray(at, at + n))) await stream.onDrain()
    sent += n
  }
  await stream.close()
}

async function rawChild (): Promise<void> {
  const args = JSON.parse(process.argv[3]!) as { key: string, parent: string }
  const h = await rawHost(privateKeyFromProtobuf(Buffer.from(args.key, 'hex')) as Ed25519PrivateKey, args.parent)
  await h.handle(RAW_PROTOCOL, (stream) => { void serveRaw(stream).catch((err) => { stream.abort(err as Error) }) })
  process.send!({ addrs: h.getMultiaddrs().map(String) })
  process.on('disconnect', () => { void Promise.resolve(h.stop()).then(() => process.exit(0)) })
}

interface Raw {
  /** Seconds to receive `size` bytes, written into a new file `into` if given. */
  read: (size: number, into?: string) => Promise<number>
  close: () => Promise<void>
}

/** A child process serving the raw protocol; `read` returns seconds for `size` bytes. */
async function startRaw (): Promise<Raw> {
  const myKey = await generateKeyPair('Ed25519')
  const childKey = await generateKeyPair('Ed25519')
  const childId = peerIdFromPrivateKey(childKey).toString()
  const me = await rawHost(myKey, childId)
  const proc = fork(process.argv[1]!, ['--raw-child', JSON.stringify({ key: Buffer.from(privateKeyToProtobuf(childKey)).toString('hex'), parent: peerIdFromPrivateKey(myKey).toString() })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const { addrs } = await new Promise<{ addrs: string[] }>((resolve, reject) => {
    proc.once('message', (m) => { resolve(m as { addrs: string[] }) })
    proc.once('exit', (code) => { reject(new Error(`raw server exited with ${code}`)) })
  })
  await me.peerStore.merge(peerIdFromString(childId), { multiaddrs: addrs.map((a) => multiaddr(a)) })
  return {
    read: async (size, into) => {
      const t0 = performance.now()
      const stream = await me.dialProtocol(peerIdFromString(childId), RAW_PROTOCOL)
      guardFlowControl(stream)
      const req = new Uint8Array(8)
      new DataView(req.buffer).setBigUint64(0, BigInt(size))
      stream.send(req)
      let got = 0
      const fh = into == null ? undefined : await open(into, 'w')
      try {
        for await (const chunk of stream) {
          if (fh != null) await fh.write(chunk.subarray(), 0, chunk.byteLength, got)
          got += chunk.byteLength
        }
      } finally {
        await fh?.close()
      }
      if (got !== size) throw new Error(`raw read got ${got} of ${size} bytes`)
      if (into != null) await rm(into)
      return (performance.now() - t0) / 1000
    },
    close: async () => {
      proc.disconnect()
      await me.stop()
    }
  }
}

// ── two real nodes ──────────────────────────────────────────────────────────

interface Node { name: string, dataDir: string, root: string, proc?: NodeProcess }


/** Data directories for A and B (key + config, as `init` makes them), each the other's static peer. */
async function setupNodes (base: string): Promise<[Node, Node]> {
  const made: Array<Node & { config: Config, id: string, port: number }> = []
  for (const name of ['a', 'b']) {
    const dataDir = join(base, name, 'data')
    const root = join(base, name, 'root')
    await mkdir(root, { recursive: true })
    const config = baseConfig()
    const port = await freePort()
    config.node.listen = [`/ip4/127.0.0.1/tcp/${port}`]
    config.node.mdns = false
    config.arenas = [{ name: parseArenaName('bench'), root, mark: 'own' }]
    const id = (await loadOrCreateIdentity(dataDir)).peerId.toString()
    made.push({ name, dataDir, root, config, id, port })
  }
  for (const n of made) {
    n.config.peers = made.filter((o) => o !== n).map((o) => ({ name: o.name, id: o.id, addrs: [`127.0.0.1:${o.port}`] }))
    await writeConfig(n.dataDir, n.config)
  }
  return [made[0]!, made[1]!]
}

async function startNode (n: Node, log: string): Promise<void> {
  n.proc = new NodeProcess(['--data', n.dataDir], { env: { REALIZE_LOG: log } })
  await n.proc.waitForEvent('ready', 120_000)
}

/** Bytes `n` received from `from` over their connection {#conninfo}, from `realize-node peers --json`. */
async function bytesIn (n: Node, from: Node): Promise<number> {
  const { stdout } = await run(process.execPath, [CLI, 'peers', '--json', '--data', n.dataDir])
  const peer = (JSON.parse(stdout) as Array<{ name: string, bytesIn: number }>).find((p) => p.name === from.name)
  return peer?.bytesIn ?? 0
}

/** Polls until `check` is true; returns the time it first was (ms, performance.now). */
async function pollUntil (check: () => Promise<boolean>, everyMs: number, timeoutMs: number, what: string): Promise<number> {
  const end = performance.now() + timeoutMs
  for (;;) {
    if (await check()) return performance.now()
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

async function writeRandom (path: string, size: number): Promise<void> {
  const fh = await open(path, 'w')
  const block = Buffer.allocUnsafe(Math.min(size, 64 * MiB))
  try {
    for (let off = 0; off < size; off += block.byteLength) {
      randomFillSync(block)
      await fh.write(block, 0, Math.min(block.byteLength, size - off), off)
    }
  } finally {
    await fh.close()
  }
}

/** Seconds to write `size` bytes of memory into a new file, 4 MiB at a time: the disk's share. */
async function diskWrite (path: string, size: number): Promise<number> {
  const block = Buffer.alloc(4 * MiB, 0x5a)
  const t0 = performance.now()
  const fh = await open(path, 'w')
  try {
    for (let off = 0; off < size; off += block.byteLength) await fh.write(block, 0, Math.min(block.byteLength, size - off), off)
  } finally {
    await fh.close()
  }
  const s = (performance.now() - t0) / 1000
  await rm(path)
  return s
}

async function countFiles (dir: string): Promise<number> {
  let n = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile() && !e.name.startsWith('.realize-')) n++
  }
  return n
}

/** When A indexed the file and when each step of B's job began, in ms after the rename. */
function printPhases (a: Node, b: Node, name: string, t0: number): void {
  const at = (l: LogLine): string => `${(Number(l.time) - t0).toFixed(0)} ms`
  const indexed = a.proc!.lines.find((l) => l.msg === 'changes indexed' && l.path === name)
  if (indexed != null) console.log(`  a indexed it: ${at(indexed)}`)
  for (const l of b.proc!.lines) {
    if (l.path !== name) continue
    if (l.event === 'job-started') console.log(`  b job started: ${at(l)}`)
    if (l.event === 'job-action') console.log(`  b ${String(l.action)}: ${at(l)}`)
    if (l.event === 'job-ended') console.log(`  b job ${String(l.result)}: ${at(l)}`)
  }
}

async function parent (): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1G' },
      files: { type: 'string', default: '10000' },
      'file-size': { type: 'string', default: '4K' },
      runs: { type: 'string', default: '1' },
      dir: { type: 'string', default: tmpdir() },
      phases: { type: 'boolean', default: false }
    }
  })
  const size = parseSize(values.size)
  const files = Number(values.files)
  const fileSize = parseSize(values['file-size'])
  const runs = Number(values.runs)
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} (${availableParallelism()} cores), Node ${process.version}`)
  console.log(`large: ${size / MiB} MiB random; small: ${files} x ${fileSize / 1024} KiB; ${runs} round(s); MB = 10^6 bytes`)
  const base = await mkdtemp(join(values.dir, 'realize-bench-sync-'))
  const raw = await startRaw()
  const [a, b] = await setupNodes(base)
  try {
    await raw.read(Math.min(size, 64 * MiB)) // warm-up
    const rawSeconds = [await raw.read(size)]
    const rawFile = join(base, 'raw.bin')
    const rawFileSeconds = [await raw.read(size, rawFile)]
    const diskSeconds = [await diskWrite(rawFile, size)]
    // --phases: debug logs say when each step of the large file's job began (costs a little).
    await Promise.all([startNode(a, values.phases ? 'debug' : 'info'), startNode(b, values.phases ? 'debug' : 'info')])
    await until(b.proc!, 'log', () => b.proc!.lines.some((l) => l.event === 'history-caught-up'), 'b caught up with a', 60_000)

    const large: number[] = []
    const deltas: Array<{ seconds: number, bytes: number }> = []
    const small: number[] = []
    for (let round = 0; round < runs; round++) {
      // Large: staged outside the arena, renamed in.
      const staged = join(base, `large-${round}.bin`)
      await writeRandom(staged, size)
      const { hash } = await hashFile(staged)
      const name = `large-${round}.bin`
      const target = join(b.root, name)
      const t0 = performance.now()
      await rename(staged, join(a.root, name))
      const t1 = await pollUntil(async () => (await stat(target).catch(() => undefined))?.size === size, 20, 600_000, `${name} on b`)
      large.push((t1 - t0) / 1000)
      if (values.phases) printPhases(a, b, name, Date.now() - (performance.now() - t0))
      if (!hashEquals((await hashFile(target)).hash, hash)) throw new Error(`${name} on b does not match`)
      rawSeconds.push(await raw.read(size))
      rawFileSeconds.push(await raw.read(size, rawFile))

      // Delta {#delta}: 1 MiB rewritten in the middle of the file B has.
      const patch = randomBytes(MiB)
      const before = await bytesIn(b, a)
      const d0 = performance.now()
      const fh = await open(join(a.root, name), 'r+')
      await fh.write(patch, 0, MiB, Math.floor(size / 2))
      await fh.close()
      const want = (await hashFile(join(a.root, name))).hash
      const d1 = await pollUntil(async () => {
        const st = await stat(target).catch(() => undefined)
        return st != null && st.mtimeMs > t1 + performance.timeOrigin && hashEquals((await hashFile(target)).hash, want)
      }, 100, 600_000, `${name} patched on b`)
      deltas.push({ seconds: (d1 - d0) / 1000, bytes: await bytesIn(b, a) - before })
      diskSeconds.push(await diskWrite(rawFile, size))

      // Small: a directory of directories renamed in.
      if (files > 0) {
        const dir = join(base, `small-${round}`)
        for (let d = 0; d < Math.ceil(files / 100); d++) {
          await mkdir(join(dir, `d${d}`), { recursive: true })
          for (let f = d * 100; f < Math.min(files, (d + 1) * 100); f++) {
            const fh = await open(join(dir, `d${d}`, `f${f}.bin`), 'w')
            await fh.write(randomBytes(fileSize))
            await fh.close()
          }
        }
        const s0 = performance.now()
        await rename(dir, join(a.root, `small-${round}`))
        const s1 = await pollUntil(async () => await countFiles(join(b.root, `small-${round}`)) >= files, 250, 1_800_000, `${files} files on b`)
        small.push((s1 - s0) / 1000)
        for (let d = 0; d < Math.ceil(files / 100); d++) {
          const one = join(`small-${round}`, `d${d}`, `f${d * 100}.bin`)
          if (!hashEquals((await hashFile(join(a.root, one))).hash, (await hashFile(join(b.root, one))).hash)) throw new Error(`${one} differs on b`)
        }
      }
    }

    const rawRate = size / median(rawSeconds) / 1e6
    const largeRate = size / median(large) / 1e6
    console.log('')
    console.log(`raw libp2p stream ${(size / MiB).toFixed(0)} MiB: ${rawSeconds.map((s) => s.toFixed(2)).join(' ')} s -> ${rawRate.toFixed(0)} MB/s (median)`)
    const rawFileRate = size / median(rawFileSeconds) / 1e6
    console.log(`writing a new file from memory (no network): ${diskSeconds.map((s) => s.toFixed(2)).join(' ')} s -> ${(size / median(diskSeconds) / 1e6).toFixed(0)} MB/s (median)`)
    console.log(`raw libp2p stream into a new file: ${rawFileSeconds.map((s) => s.toFixed(2)).join(' ')} s -> ${rawFileRate.toFixed(0)} MB/s (median)`)
    console.log(`sync ${(size / MiB).toFixed(0)} MiB A -> B, write to verified file: ${large.map((s) => s.toFixed(2)).join(' ')} s -> ${largeRate.toFixed(0)} MB/s, ${(100 * largeRate / rawRate).toFixed(1)}% of raw (goal >= 70%: ${largeRate / rawRate >= 0.7 ? 'met' : 'NOT met'})`)
    console.log(`  vs the raw stream into a new file: ${(100 * largeRate / rawFileRate).toFixed(1)}%`)
    for (const d of deltas) console.log(`delta: 1 MiB rewritten in the middle of ${(size / MiB).toFixed(0)} MiB: B has it ${d.seconds.toFixed(2)} s after the write (incl. A hashing the file and B polling its hash), B received ${(d.bytes / MiB).toFixed(2)} MiB from A`)
    if (small.length > 0) console.log(`sync ${files} x ${fileSize / 1024} KiB A -> B: ${small.map((s) => s.toFixed(2)).join(' ')} s -> ${(files / median(small)).toFixed(0)} files/s`)
  } finally {
    for (const n of [a, b]) {
      if (n.proc != null && n.proc.exitCode === undefined) {
        n.proc.kill('SIGTERM')
        await n.proc.waitForExit(60_000).catch(() => { n.proc?.kill('SIGKILL') })
      }
    }
    await raw.close()
    await rm(base, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--raw-child') {
  rawChild().catch((err) => { console.error(err); process.exit(1) })
} else {
  parent().catch((err) => { console.error(err); process.exitCode = 1 })
}
