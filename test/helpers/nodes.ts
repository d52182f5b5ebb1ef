import { EventEmitter } from 'node:events'
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { baseConfig, writeConfig, type Config, type PeerConfig } from '../../node/config/config.js'
import { loadOrCreateIdentity } from '../../node/identity/identity.js'
import { RealizeNode, type RunNodeOptions } from '../../node/node.js'
import { hashBytes } from '../../node/real/hasher.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { hashEquals, type Hash } from '../../datastore/types/hash.js'
import { parsePath, type RelPath } from '../../datastore/types/path.js'
import { captureLogger, FAST, freePort, newIdentity, type LogLine } from './node-basics.js'
import { tempDir } from './tmp.js'
import { until } from './wait.js'
import type { Arena } from '../../node/arena.js'
import type { BlobInfo, BlobStore } from '../../node/blobs/blob-store.js'
import type { ChurtenNotification } from '../../node/churten/types.js'
import type { Identity } from '../../node/identity/identity.js'
import type { Mark } from '../../datastore/types/mark.js'
import type { UnrealTree } from '../../node/unreal/unreal-tree.js'
import type { HistoryEntry } from '../../datastore/types/history.js'

/**
 * Two or three RealizeNodes in this process on loopback, for churten's
 * integration tests: real stores, watchers, libp2p over TCP, churten. Each
 * node listens on 127.0.0.1 on a port picked free beforehand (so a restart
 * keeps it), mDNS off, every other node a static household peer.
 *
 *   const c = await cluster([{ name: 'a' }, { name: 'b', arenas: [{ name: 'docs', mark: 'keep' }] }])
 *   await c.a.write('x.txt', 'hello')
 *   await c.b.waitForReal('x.txt', 'hello')
 *   await c.cleanup()
 */

export interface ArenaSpec {
  name: string
  /** Cache-only here when false. @default true */
  root?: boolean
  /** @default 'own' */
  mark?: Mark
}

export interface NodeSpec {
  name: string
  /** @default one arena `docs`, rooted, marked own */
  arenas?: ArenaSpec[]
  limits?: Partial<Config['limits']>
  churten?: Partial<Config['churten']>
  cache?: Config['cache']
  /** Test hooks of RealizeNode (fault plans {#testretries}, churten backoff). */
  testing?: RunNodeOptions['testing']
  /** Started by `cluster`. @default true */
  start?: boolean
}

/** A timestamped churten notification. */
export interface Seen { at: number, n: ChurtenNotification }

/** One in-process node; survives restarts (same data dir, identity, port). */
export class TestPeer {
  node: RealizeNode | undefined
  readonly capture = captureLogger()
  /** History entries this node published, by arena, since the peer was made (history is trimmed once peers have it). */
  readonly published = new Map<string, HistoryEntry[]>()
  /** Every churten notification since the peer was made, across restarts. */
  readonly notes: Seen[] = []
  /** 'note': a churten notification; 'tick': anything changed (a note, the index, the unreal tree). */
  readonly events = new EventEmitter<{ note: [Seen], tick: [] }>()
  peers: Config['peers'] = []

  constructor (
    readonly name: string,
    readonly identity: Identity,
    readonly dataDir: string,
    readonly roots: Record<string, string>,
    readonly port: number,
    readonly config: Config,
    readonly testing: RunNodeOptions['testing'],
    /** Reconnect, ping and trim timings. @default FAST */
    readonly network: RunNodeOptions['network'] = FAST
  ) {}

  get peerId (): string { return this.identity.peerId.toString() }
  get addr (): string { return `127.0.0.1:${this.port}` }

  /** This node as a household peer entry for another node's config. */
  asPeer (options: { addrs?: string[], arenas?: string[] } = {}): PeerConfig {
    const p: PeerConfig = { name: this.name, id: this.peerId, addrs: options.addrs ?? [this.addr] }
    if (options.arenas != null) p.arenas = options.arenas.map(parseArenaName)
    return p
  }

  /** Removes the arena's store directory (a reset: new store id, empty history). */
  async deleteArenaStore (arena = 'docs'): Promise<void> {
    await rm(join(this.dataDir, 'stores', `arena-${encodeURIComponent(arena)}`), { recursive: true, force: true })
  }

  get running (): RealizeNode {
    if (this.node == null) throw new Error(`${this.name} is not running`)
    return this.node
  }

  root (arena = 'docs'): string {
    const r = this.roots[arena]
    if (r == null) throw new Error(`${this.name} has no root for ${arena}`)
    return r
  }

  abs (path: string, arena = 'docs'): string {
    return join(this.root(arena), ...path.split('/'))
  }

  arena (name = 'docs'): Arena {
    const a = this.running.arenas.find((x) => x.name === name)
    if (a == null) throw new Error(`${this.name} has no arena ${name}`)
    return a
  }

  tree (arena = 'docs'): UnrealTree { return this.running.unreal.get(arena) as UnrealTree }
  blobs (arena = 'docs'): BlobStore { return this.running.blobs.get(arena) as BlobStore }

  async start (): Promise<RealizeNode> {
    if (this.node != null) throw new Error(`${this.name} is running`)
    const config = { ...this.config, peers: this.peers }
    const node = await RealizeNode.open({
      dataDir: this.dataDir, config, identity: this.identity,
      log: this.capture.log.child({ node: this.name }), network: this.network, testing: this.testing
    })
    node.churten.on('notification', (n) => {
      const s = { at: Date.now(), n }
      this.notes.push(s)
      this.events.emit('note', s)
      this.events.emit('tick')
    })
    for (const t of node.unreal.values()) t.on('changed', () => { this.events.emit('tick') })
    for (const a of node.arenas) {
      const list = this.published.get(a.name) ?? []
      this.published.set(a.name, list)
      a.index.on('history', (entries) => {
        list.push(...entries)
        this.events.emit('tick')
      })
    }
    this.node = node
    await node.start()
    return node
  }

  async stop (): Promise<void> {
    const n = this.node
    this.node = undefined
    await n?.stop()
  }

  /** Writes a file into the arena root (parents made), optionally with an mtime in ms. */
  async write (path: string, content: string | Uint8Array, options: { arena?: string, mtime?: number } = {}): Promise<string> {
    const abs = this.abs(path, options.arena)
    await mkdir(dirname(abs), { recursive: true })
    await writeFile(abs, content)
    if (options.mtime != null) await utimes(abs, options.mtime / 1000, options.mtime / 1000)
    return abs
  }

  /** Waits until the index has `path` at the content's hash (the watcher saw it, or churten realized it). */
  async waitIndexed (path: string, content: string | Uint8Array | Hash, options: { arena?: string, ms?: number } = {}): Promise<void> {
    const want = typeof content === 'string' ? hashBytes(Buffer.from(content)) : content.byteLength === 32 && !(content instanceof Buffer) ? content : hashBytes(content)
    const a = this.arena(options.arena)
    const p = parsePath(path)
    await until(a.index, 'history', async () => hashEquals((await a.index.get(p))?.hash, want), `${this.name}: ${path} indexed`, options.ms ?? 30_000)
  }

  /** Waits until the real file at `path` has `content` and is indexed so (realized here). */
  async waitForReal (path: string, content: string | Uint8Array, options: { arena?: string, ms?: number } = {}): Promise<void> {
    const want = hashBytes(typeof content === 'string' ? Buffer.from(content) : content)
    await this.waitIndexed(path, want, options)
    const disk = await readFile(this.abs(path, options.arena))
    if (!hashEquals(hashBytes(disk), want)) throw new Error(`${this.name}: ${path} indexed but the file differs`)
  }

  /** Waits until nothing is in the index at `path`. */
  async waitUnindexed (path: string, options: { arena?: string, ms?: number } = {}): Promise<void> {
    const a = this.arena(options.arena)
    const p = parsePath(path)
    await until(a.index, 'history', async () => (await a.index.get(p)) == null, `${this.name}: ${path} gone from the index`, options.ms ?? 30_000)
  }

  /** Waits until the unreal tree knows `path` at the content's hash from some peer. */
  async waitRemote (path: string, content: string | Uint8Array, options: { arena?: string, ms?: number } = {}): Promise<void> {
    const want = hashBytes(typeof content === 'string' ? Buffer.from(content) : content)
    const tree = this.tree(options.arena)
    await until(tree, 'changed', async () => {
      const st = await tree.statPath(path)
      return st?.kind === 'file' && hashEquals(st.chosen.hash, want)
    }, `${this.name}: ${path} known from a peer`, options.ms ?? 30_000)
  }

  /** Waits for a churten notification matching `check`, seen since index `from` of `notes`. */
  async waitNote<T extends ChurtenNotification> (check: (n: ChurtenNotification) => n is T, what: string, options: { from?: number, ms?: number } = {}): Promise<T> {
    const from = options.from ?? 0
    const found = await until(this.events, 'note', () => this.notes.slice(from).find((s) => check(s.n)), `${this.name}: ${what}`, options.ms ?? 30_000)
    return found.n as T
  }

  /** Waits for the job on `path` to end with `result` (default done). */
  async waitJob (path: string, result: 'done' | 'failed' | 'abandoned' | 'cancelled' = 'done', options: { from?: number, ms?: number, job?: string } = {}): Promise<Extract<ChurtenNotification, { type: 'ended' }>> {
    return await this.waitNote((n): n is Extract<ChurtenNotification, { type: 'ended' }> => n.type === 'ended' && n.path === path && n.result === result && (options.job == null || n.job === options.job), `job on ${path} ${result}`, options)
  }

  /**
   * Resolves once the node's watcher has looked at `path` (since this call)
   * and found `kind`; a file that left is also seen by a look at a directory
   * above it.
   */
  async reconciled (path: string, kind: 'file' | 'gone', ms = 30_000, arena?: string): Promise<void> {
    const watcher = this.arena(arena).watcher
    if (watcher == null) throw new Error(`${this.name} has no watcher`)
    const w = watcher
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { w.off('reconciled', on); reject(new Error(`${this.name}: watcher never saw ${path} as ${kind}`)) }, ms)
      function on (p: string, r: { kind: string }): void {
        const covers = p === path ? r.kind === kind : kind === 'gone' && r.kind === 'dir' && (p === '' || path.startsWith(`${p}/`))
        if (!covers) return
        clearTimeout(timer)
        w.off('reconciled', on)
        resolve()
      }
      w.on('reconciled', on)
    })
  }

  /**
   * Waits until `check` holds, looking again whenever anything changes on
   * this node, and every 100 ms for state that raises no event (the
   * conflicts table, blob queues).
   */
  async waitFor<T> (check: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 30_000): Promise<T> {
    const poll = setInterval(() => { this.events.emit('tick') }, 100)
    try {
      return await until(this.events, 'tick', check, `${this.name}: ${what}`, ms)
    } finally {
      clearInterval(poll)
    }
  }

  /** The blob caching the chosen version of `path`, once it holds `content` complete and verified. */
  async waitCached (path: string, content: string | Uint8Array, options: { arena?: string, ms?: number } = {}): Promise<BlobInfo> {
    const want = hashBytes(typeof content === 'string' ? Buffer.from(content) : content)
    return await this.waitFor(async () => {
      const st = await this.tree(options.arena).statPath(path)
      if (st?.kind !== 'file' || st.blobId == null || !hashEquals(st.chosen.hash, want)) return undefined
      const info = await this.blobs(options.arena).get(st.blobId)
      return info?.verified === true && info.written.contains(0, info.size) ? info : undefined
    }, `${path} cached, complete and verified`, options.ms)
  }

  /** What this node published about `path` (add, replace, remove, drop), in order. */
  kinds (path: string, arena = 'docs'): string[] {
    return (this.published.get(arena) ?? []).filter((e) => e.notification.path === path).map((e) => e.notification.kind)
  }

  /** Waits for a log line with `event`, seen since index `from` of the captured lines. */
  async waitForEvent (event: string, match: (l: LogLine) => boolean = () => true, ms = 30_000, from = 0): Promise<LogLine> {
    return await until(this.capture.events, 'line', () => this.capture.lines.slice(from).find((l) => l.event === event && match(l)), `${this.name}: log event ${event}`, ms)
  }

  /** Bytes received from `peer` over the current connection {#conninfo}. */
  bytesInFrom (peer: TestPeer): number {
    return this.running.network.peers().find((p) => p.peerId === peer.peerId)?.bytesIn ?? 0
  }

  /** Resolves once `peer` is connected. */
  async connectedTo (peer: TestPeer, ms = 20_000): Promise<void> {
    const keeper = this.running.network.keeper
    await until(keeper, 'connected', () => this.running.network.peers().some((p) => p.peerId === peer.peerId && p.connected), `${this.name} connected to ${peer.name}`, ms)
  }
}

export async function makePeer (spec: NodeSpec, base: string): Promise<TestPeer> {
  const dir = join(base, spec.name)
  const config = baseConfig()
  const port = await freePort()
  config.node.listen = [`/ip4/127.0.0.1/tcp/${port}`]
  config.node.mdns = false
  config.limits = { ...config.limits, ...spec.limits }
  config.churten = { ...config.churten, ...spec.churten }
  if (spec.cache != null) config.cache = spec.cache
  const roots: Record<string, string> = {}
  for (const a of spec.arenas ?? [{ name: 'docs' }]) {
    const name = parseArenaName(a.name)
    if (a.root === false) {
      config.arenas.push({ name, mark: a.mark ?? 'own' })
      continue
    }
    const root = join(dir, 'arenas', a.name)
    await mkdir(root, { recursive: true })
    roots[a.name] = root
    config.arenas.push({ name, root, mark: a.mark ?? 'own' })
  }
  return new TestPeer(spec.name, await newIdentity(), join(dir, 'data'), roots, port, config, spec.testing)
}

/** Makes every node a household peer of every other (static loopback addresses). */
export function household (...nodes: TestPeer[]): void {
  for (const n of nodes) n.peers = nodes.filter((o) => o !== n).map((o) => o.asPeer())
}

export interface Cluster {
  base: string
  peers: TestPeer[]
  /** The peer named `name`. */
  get: (name: string) => TestPeer
  cleanup: () => Promise<void>
}

/**
 * Makes the nodes, makes each a static household peer of every other, and
 * starts those not marked `start: false`. `cleanup` stops them and removes
 * every file.
 */
export async function cluster (specs: NodeSpec[]): Promise<Cluster> {
  const { dir, cleanup } = await tempDir('realize-churten-')
  const peers: TestPeer[] = []
  const done = async (): Promise<void> => {
    for (const p of peers) await p.stop().catch(() => {})
    await cleanup()
  }
  try {
    for (const s of specs) peers.push(await makePeer(s, dir))
    household(...peers)
    await Promise.all(peers.filter((_, i) => specs[i]?.start !== false).map(async (p) => await p.start()))
  } catch (err) {
    await done()
    throw err
  }
  return {
    base: dir,
    peers,
    get: (name) => {
      const p = peers.find((x) => x.name === name)
      if (p == null) throw new Error(`no node ${name}`)
      return p
    },
    cleanup: done
  }
}

/** Size and mtime of a file on disk. */
export async function fileInfo (abs: string): Promise<{ size: number, mtimeMs: number } | undefined> {
  const st = await stat(abs).catch(() => undefined)
  return st == null ? undefined : { size: st.size, mtimeMs: st.mtimeMs }
}

export { parsePath, type RelPath }

/** A data directory for a real `realize-node` process: key, config, arena roots. */
export interface ProcessPlan {
  name: string
  dataDir: string
  peerId: string
  port: number
  roots: Record<string, string>
  config: Config
}

/**
 * Prepares `realize-node start --headless --data DIR` for each spec (same
 * key and config code as `init`), each a static household peer of the
 * others on 127.0.0.1. Start them with NodeProcess(['--data', plan.dataDir]).
 */
export async function processPlans (base: string, specs: Array<Pick<NodeSpec, 'name' | 'arenas' | 'limits' | 'churten'>>): Promise<ProcessPlan[]> {
  const plans: ProcessPlan[] = []
  for (const s of specs) {
    const dir = join(base, s.name)
    const dataDir = join(dir, 'data')
    const config = baseConfig()
    const port = await freePort()
    config.node.listen = [`/ip4/127.0.0.1/tcp/${port}`]
    config.node.mdns = false
    config.limits = { ...config.limits, ...s.limits }
    config.churten = { ...config.churten, ...s.churten }
    const roots: Record<string, string> = {}
    for (const a of s.arenas ?? [{ name: 'docs' }]) {
      const name = parseArenaName(a.name)
      if (a.root === false) {
        config.arenas.push({ name, mark: a.mark ?? 'own' })
        continue
      }
      roots[a.name] = join(dir, 'arenas', a.name)
      await mkdir(roots[a.name] as string, { recursive: true })
      config.arenas.push({ name, root: roots[a.name], mark: a.mark ?? 'own' })
    }
    const identity = await loadOrCreateIdentity(dataDir)
    plans.push({ name: s.name, dataDir, peerId: identity.peerId.toString(), port, roots, config })
  }
  for (const p of plans) {
    p.config.peers = plans.filter((o) => o !== p).map((o) => ({ name: o.name, id: o.peerId, addrs: [`127.0.0.1:${o.port}`] }))
    await writeConfig(p.dataDir, p.config)
  }
  return plans
}
