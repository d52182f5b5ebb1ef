/**
 * Realize in the side-by-side suite: two real `realize-node start
 * --headless` processes on loopback, each the other's household peer with a
 * static address (127.0.0.1, its own port, no mDNS), arena `bench` marked
 * `own` on both. Data directories are made the way `init` makes them (key +
 * realize.toml, through node/config/config.ts).
 *
 * Every clock runs from the write on A (a rename into A's root, so writing
 * the data is not counted) until B's root holds the complete file with the
 * right hash: A's watcher, hashing, history entry, B's download, verify and
 * realize are all inside. Bytes on the wire are B's connection counter for A
 * (`realize-node peers --json`, bytesIn).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { baseConfig, loadConfig, writeConfig, type Config } from '../../node/config/config.js'
import { loadOrCreateIdentity } from '../../node/identity/identity.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { CLI, NodeProcess } from '../harness/node-process.js'
import { until } from '../harness/wait.js'
import {
  checkSmallTree, countFiles, exec, flush, freePort, onCleanup, patchMiddle, pollUntil, rename, sha256File,
  statKey, waitForContent, writeRandom, writeSmallTree, type Wire
} from './common.js'
import { hashWithPatch } from './delta-hash.js'

interface Node { name: string, dataDir: string, root: string, port: number, id: string, proc?: NodeProcess }

export interface RealizeOptions {
  base: string
  /** NODE_OPTIONS for the nodes, e.g. --cpu-prof --cpu-prof-dir=DIR. */
  nodeOptions?: string
  /** REALIZE_LOG for the nodes; `debug` logs each step of a job (costs a little). */
  log?: string
}

export class RealizePair {
  private constructor (readonly a: Node, readonly b: Node, private readonly options: RealizeOptions) {}

  static async create (options: RealizeOptions): Promise<RealizePair> {
    const made: Array<Node & { config: Config }> = []
    for (const name of ['a', 'b']) {
      const dataDir = join(options.base, name, 'data')
      const root = join(options.base, name, 'root')
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
      n.config.peers = made.filter((o) => o !== n).map((o) => ({ name: o.name, id: o.id, addrs: [`/ip4/127.0.0.1/tcp/${o.port}`] }))
      await writeConfig(n.dataDir, n.config)
    }
    const pair = new RealizePair(made[0]!, made[1]!, options)
    onCleanup(async () => { await pair.stop() })
    return pair
  }

  async start (): Promise<void> {
    await Promise.all([this.startNode(this.a), this.startNode(this.b)])
    await this.caughtUp()
  }

  private async startNode (n: Node): Promise<void> {
    const env: NodeJS.ProcessEnv = { REALIZE_LOG: this.options.log ?? 'info' }
    if (this.options.nodeOptions != null) env.NODE_OPTIONS = this.options.nodeOptions
    n.proc = new NodeProcess(['--data', n.dataDir], { env })
    await n.proc.waitForEvent('ready', 120_000)
  }

  private async caughtUp (): Promise<void> {
    const b = this.b.proc!
    await until(b, 'log', () => b.lines.some((l) => l.event === 'history-caught-up'), 'b caught up with a', 60_000)
  }

  private async stopNode (n: Node): Promise<void> {
    if (n.proc == null || n.proc.exitCode !== undefined) return
    n.proc.kill('SIGTERM')
    await n.proc.waitForExit(60_000).catch(() => { n.proc?.kill('SIGKILL') })
  }

  async stop (): Promise<void> {
    await Promise.all([this.stopNode(this.a), this.stopNode(this.b)])
  }

  /** Restarts B with `limits.churten_download` set (bytes per second, 0 = none). */
  async setChurtenDownload (bytesPerSecond: number): Promise<void> {
    await this.stopNode(this.b)
    const config = await loadConfig(this.b.dataDir)
    if (config == null) throw new Error(`no config in ${this.b.dataDir}`)
    config.limits.churtenDownload = bytesPerSecond
    await writeConfig(this.b.dataDir, config)
    await this.startNode(this.b)
    // A restarted node resumes its subscription (no `history-caught-up` then): wait for the connection and the subscription.
    const b = this.b.proc!
    await until(b, 'log', () => b.lines.some((l) => l.event === 'peer-connected') && b.lines.some((l) => l.event === 'history-subscribed'), 'b reconnected to a', 60_000)
  }

  /** Bytes B received from and sent to A on their connection {#conninfo}. */
  async counters (): Promise<{ in: number, out: number }> {
    const { stdout } = await exec(process.execPath, [CLI, 'peers', '--json', '--data', this.b.dataDir])
    const peer = (JSON.parse(stdout) as Array<{ name: string, bytesIn: number, bytesOut: number }>).find((p) => p.name === this.a.name)
    return { in: peer?.bytesIn ?? 0, out: peer?.bytesOut ?? 0 }
  }

  /** A random file of `size` appears in A's root; seconds until B has it verified. */
  async large (name: string, staged: string, size: number): Promise<number> {
    await writeRandom(staged, size)
    const hash = await sha256File(staged)
    await flush()
    const t0 = performance.now()
    await rename(staged, join(this.a.root, name))
    const t1 = await waitForContent(join(this.b.root, name), size, hash, 900_000)
    return (t1 - t0) / 1000
  }

  /** 1 MiB rewritten in the middle of `name` on A: seconds until B has A's content, and bytes B received. */
  async delta (name: string, size: number): Promise<Wire> {
    const { patch, hash } = await hashWithPatch(join(this.a.root, name), size)
    const before = await statKey(join(this.b.root, name))
    const c0 = await this.counters()
    await flush()
    const t0 = performance.now()
    await patchMiddle(join(this.a.root, name), size, patch)
    const t1 = await waitForContent(join(this.b.root, name), size, hash, 900_000, before)
    // The counters are read after the clock stopped: what followed the file (B's own history entry) is in them too.
    const c1 = await this.counters()
    return { seconds: (t1 - t0) / 1000, bytes: c1.in + c1.out - c0.in - c0.out, bytesIn: c1.in - c0.in }
  }

  /** A directory tree of small files appears in A's root; seconds until all are in B's root. */
  async small (name: string, staged: string, files: number, fileSize: number): Promise<number> {
    await writeSmallTree(staged, files, fileSize)
    await flush()
    const t0 = performance.now()
    await rename(staged, join(this.a.root, name))
    const t1 = await pollUntil(async () => await countFiles(join(this.b.root, name)) >= files, 250, 1_200_000, `${files} files on b`)
    await checkSmallTree(join(this.a.root, name), join(this.b.root, name), files)
    return (t1 - t0) / 1000
  }
}
