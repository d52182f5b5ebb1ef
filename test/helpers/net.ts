import { EventEmitter } from 'node:events'
import { mkdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pino } from 'pino'
import { baseConfig, type Config, type PeerConfig } from '../../node/config/config.js'
import { RealizeNode, type RunNodeOptions } from '../../node/node.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { tempDir } from './tmp.js'
import { until } from './wait.js'
import type { Identity } from '../../node/identity/identity.js'
import type { Logger } from '../../node/log.js'
import type { Mark } from '../../datastore/types/mark.js'

export interface LogLine { level: number, msg: string, event?: string, [key: string]: unknown }

/** A pino logger whose lines tests can wait on (`until(log.events, 'line', ...)`). */
export function captureLogger (): { log: Logger, lines: LogLine[], events: EventEmitter<{ line: [LogLine] }> } {
  const lines: LogLine[] = []
  const events = new EventEmitter<{ line: [LogLine] }>()
  const log = pino({ level: process.env.REALIZE_TEST_LOG ?? 'debug' }, {
    write (s: string) {
      const line = JSON.parse(s) as LogLine
      lines.push(line)
      if (process.env.REALIZE_TEST_LOG != null) process.stderr.write(s)
      events.emit('line', line)
    }
  })
  return { log, lines, events }
}

export async function newIdentity (): Promise<Identity> {
  const privateKey = await generateKeyPair('Ed25519')
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey) }
}

/** A TCP port that was free a moment ago on both loopbacks (restarted nodes keep their port). */
export async function freePort (): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer()
      s.once('error', reject)
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => { resolve(p) })
      })
    })
    const v6Free = await new Promise<boolean>((resolve) => {
      const s = createServer()
      s.once('error', () => { resolve(false) })
      s.listen(port, '::1', () => { s.close(() => { resolve(true) }) })
    })
    if (v6Free) return port
  }
}

export interface ArenaPlan { name: string, root?: boolean, mark?: Mark }

export interface TestNodePlan {
  name: string
  arenas?: ArenaPlan[]
  /** Listen addresses; default IPv4 and IPv6 loopback on a fixed free port. */
  listen?: (port: number) => string[]
}

/** One in-process node with real stores, watchers and libp2p on loopback. */
export class TestNode {
  node: RealizeNode | undefined
  readonly capture = captureLogger()
  peers: PeerConfig[] = []

  constructor (
    readonly name: string,
    readonly identity: Identity,
    readonly dataDir: string,
    readonly roots: Record<string, string>,
    readonly port: number,
    readonly config: Config,
    private readonly tuning: RunNodeOptions['network']
  ) {}

  get peerId (): string {
    return this.identity.peerId.toString()
  }

  root (arena = 'docs'): string {
    const r = this.roots[arena]
    if (r == null) throw new Error(`${this.name} has no root for ${arena}`)
    return r
  }

  /** This node as a household peer entry for another node's config. */
  asPeer (options: { addrs?: string[], arenas?: string[] } = {}): PeerConfig {
    const p: PeerConfig = { name: this.name, id: this.peerId, addrs: options.addrs ?? [`127.0.0.1:${this.port}`] }
    if (options.arenas != null) p.arenas = options.arenas.map(parseArenaName)
    return p
  }

  async start (): Promise<RealizeNode> {
    if (this.node != null) throw new Error(`${this.name} is running`)
    const config = { ...this.config, peers: this.peers }
    this.node = await RealizeNode.open({ dataDir: this.dataDir, config, identity: this.identity, log: this.capture.log.child({ node: this.name }), network: this.tuning })
    await this.node.start()
    return this.node
  }

  async stop (): Promise<void> {
    const n = this.node
    this.node = undefined
    await n?.stop()
  }

  get running (): RealizeNode {
    if (this.node == null) throw new Error(`${this.name} is not running`)
    return this.node
  }

  /** Waits for a log line with `event` (and `match` on its fields), seen since `from` (an index into lines). */
  async waitForEvent (event: string, match: (l: LogLine) => boolean = () => true, ms = 20_000, from = 0): Promise<LogLine> {
    return await until(this.capture.events, 'line', () => this.capture.lines.slice(from).find((l) => l.event === event && match(l)), `${this.name}: log event ${event}`, ms)
  }

  /** Removes the arena's store directory (a reset: new store id, empty history). */
  async deleteArenaStore (arena = 'docs'): Promise<void> {
    await rm(join(this.dataDir, 'stores', `arena-${encodeURIComponent(arena)}`), { recursive: true, force: true })
  }
}

/** Quick reconnects and pings so tests see changes in well under a second. */
export const FAST: NonNullable<RunNodeOptions['network']> = { minBackoffMs: 100, maxBackoffMs: 1_000, mdnsIntervalMs: 1_000, pingIntervalMs: 2_000, trimDelayMs: 50 }

export async function testNode (plan: TestNodePlan, base: string, tuning = FAST): Promise<TestNode> {
  const dir = join(base, plan.name)
  const dataDir = join(dir, 'data')
  const roots: Record<string, string> = {}
  const config = baseConfig()
  const port = await freePort()
  config.node.listen = plan.listen?.(port) ?? [`/ip4/127.0.0.1/tcp/${port}`, `/ip6/::1/tcp/${port}`]
  config.node.mdns = false
  for (const a of plan.arenas ?? [{ name: 'docs', root: true, mark: 'own' }]) {
    const name = parseArenaName(a.name)
    if (a.root === false) {
      config.arenas.push({ name, mark: a.mark ?? 'watch' })
    } else {
      roots[a.name] = join(dir, 'arenas', a.name)
      await mkdir(roots[a.name] as string, { recursive: true })
      config.arenas.push({ name, root: roots[a.name], mark: a.mark ?? 'own' })
    }
  }
  return new TestNode(plan.name, await newIdentity(), dataDir, roots, port, config, tuning)
}

/** A temp base directory and the nodes made in it, all stopped and removed by `cleanup`. */
export async function testNet (): Promise<{ base: string, nodes: TestNode[], make: (plan: TestNodePlan, tuning?: RunNodeOptions['network']) => Promise<TestNode>, cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('realize-net-')
  const nodes: TestNode[] = []
  return {
    base: dir,
    nodes,
    make: async (plan, tuning) => {
      const n = await testNode(plan, dir, tuning)
      nodes.push(n)
      return n
    },
    cleanup: async () => {
      for (const n of nodes) await n.stop().catch(() => {})
      await cleanup()
    }
  }
}

/** Makes every node a household peer of every other (static loopback addresses). */
export function household (...nodes: TestNode[]): void {
  for (const n of nodes) n.peers = nodes.filter((o) => o !== n).map((o) => o.asPeer())
}

/** `until` for EventTarget emitters (libp2p's host). */
export async function untilTarget<T> (target: EventTarget, event: string, check: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const emitter = new EventEmitter()
  const relay = (): void => { emitter.emit('x') }
  target.addEventListener(event, relay)
  try {
    return await until(emitter, 'x', check, what, ms)
  } finally {
    target.removeEventListener(event, relay)
  }
}
