import { spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { baseConfig, writeConfig, type Config } from '../../node/config/config.js'
import { ControlClient } from '../../node/control/client.js'
import { controlSources } from '../../node/control/adapters.js'
import { LocalNodeModel } from '../../node/control/local-model.js'
import { ControlServer } from '../../node/control/server.js'
import { loadOrCreateIdentity } from '../../node/identity/identity.js'
import { silentLogger } from '../../node/log.js'
import { RealizeNode } from '../../node/node.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { CLI } from '../helpers/node-process.js'
import { tempDir } from '../helpers/tmp.js'
import type { ChurtenEvent, ChurtenJob, ChurtenStatus } from '../../node/control/model.js'
import type { ChurtenControl, ConnInfo, ControlSources, NetworkEvents, NetworkView } from '../../node/control/sources.js'
import type { Mark } from '../../datastore/types/mark.js'

export interface Run { code: number | null, stdout: string, stderr: string }

/** The real `realize-node` binary, as a user runs it. */
export async function runCli (args: string[], options: { cwd?: string, env?: NodeJS.ProcessEnv, uid?: number } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  delete env.REALIZE_DEBUG
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, uid: options.uid, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr }
}

export interface InProcessNode {
  node: RealizeNode
  dataDir: string
  /** Root of arena `photos` (own). */
  root: string
  client: ControlClient
  close: () => Promise<void>
}

/**
 * A real node in this process (stores, watcher, libp2p on loopback) serving
 * its control socket, with `sources` in place of parts not built yet
 * (a scripted churten, a network view with a stranger on the LAN).
 */
export async function inProcessNode (options: { sources?: Partial<ControlSources>, arenas?: Array<{ name: string, root: boolean, mark?: Mark }> } = {}): Promise<InProcessNode> {
  const tmp = await tempDir('rz-ctl-')
  const dataDir = join(tmp.dir, 'data')
  const config: Config = baseConfig()
  config.node = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false }
  const arenas = options.arenas ?? [{ name: 'photos', root: true, mark: 'own' }]
  for (const a of arenas) {
    const root = a.root ? join(tmp.dir, a.name) : undefined
    if (root != null) await mkdir(root, { recursive: true })
    config.arenas.push({ name: parseArenaName(a.name), ...(root == null ? {} : { root }), mark: a.mark ?? 'watch' })
  }
  await writeConfig(dataDir, config)
  const identity = await loadOrCreateIdentity(dataDir)
  const node = await RealizeNode.open({ dataDir, config, identity, log: silentLogger })
  if (options.sources != null) {
    // Installed before start(), which then keeps this control server.
    const model = new LocalNodeModel(node, { ...controlSources(node), ...options.sources })
    node.control = { server: await ControlServer.listen({ dataDir, model, log: silentLogger }), model }
  }
  await node.start()
  const client = await ControlClient.connect(dataDir)
  return {
    node,
    dataDir,
    root: join(tmp.dir, arenas[0]?.name ?? 'photos'),
    client,
    close: async () => {
      await client.close().catch(() => {})
      await node.stop().catch(() => {})
      await tmp.cleanup()
    }
  }
}

/**
 * A job runner standing in for churten (not built yet): on start it reports
 * one download job making progress, which stays running until stop.
 */
export class ScriptedChurten implements ChurtenControl {
  readonly available = true
  readonly events = new EventEmitter<{ event: [ChurtenEvent] }>()
  running = false
  starts = 0
  stops = 0
  readonly job: ChurtenJob = { id: 7, arena: 'photos', path: 'big/movie.mkv', kind: 'download', state: 'running', action: 'download', bytes: 0, total: 4 * 1024 * 1024 }

  async status (): Promise<ChurtenStatus> {
    return { available: true, running: this.running, jobs: this.running ? 1 : 0, active: this.running ? [this.job] : [] }
  }

  async start (): Promise<void> {
    this.running = true
    this.starts++
    const emit = (e: ChurtenEvent): void => { this.events.emit('event', e) }
    setImmediate(() => {
      emit({ type: 'state', running: true })
      emit({ type: 'pending', job: { ...this.job, state: 'pending' } })
      emit({ type: 'started', job: this.job })
      emit({ type: 'action', id: this.job.id, action: 'download' })
      emit({ type: 'progress', id: this.job.id, bytes: 1024 * 1024, total: this.job.total })
    })
  }

  async stop (): Promise<void> {
    this.running = false
    this.stops++
    this.events.emit('event', { type: 'ended', id: this.job.id, outcome: 'cancelled', error: null })
    this.events.emit('event', { type: 'state', running: false })
  }
}

/** A network view with one connected household peer and one stranger found by mDNS. */
export class ScriptedNetwork implements NetworkView {
  readonly available = true
  readonly events = new EventEmitter<NetworkEvents>()
  conns: ConnInfo[] = []
  found: Array<{ peerId: string, addrs: string[] }> = []
  household: string[] = []
  addrs: string[] = []

  listening (): string[] { return this.addrs }
  async connections (): Promise<ConnInfo[]> { return this.conns }
  async discovered (): Promise<Array<{ peerId: string, addrs: string[] }>> { return this.found }
  async householdChanged (peers: ReadonlyArray<{ id: string }>): Promise<void> { this.household = peers.map((p) => p.id) }
}

/** Ed25519 PeerIds of nobody (valid keys, never running). */
export const STRANGER = '12D3KooWBTsDYtN3DKixUkpX6Z2HHuFsGwJWKQAtEKgHyhEabXhY'
export const LAPTOP = '12D3KooWJTTBTxTMZEUYEwURi9Z2mJ7ToiLupwV5Cq81Joh6LLci'
