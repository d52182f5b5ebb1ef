import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { loadConfig, writeConfig, type Config } from '../../node/config/config.js'
import { HarnessError, Network, type HostSpec, type NetworkOptions } from './netns.js'
import { CLI, NodeProcess, type LogLine } from './node-process.js'
import type { Mark } from '../../datastore/types/mark.js'

const run = promisify(execFile)

/**
 * A household of real `realize-node` processes, one per network namespace
 * (see netns.ts), for end-to-end scenarios and for trying things by hand.
 *
 *   Household.create ─> Network (bridge + namespaces) ─> init each node ─> peers of each other
 *   addHost (a host joining later: `peer add` on every running node)
 *   start/stop/kill9/restart, cli(host, ...args), cut/restore, waitFor, destroy
 *
 * Peers know each other by PeerId only (discovery by mDNS) unless
 * `staticAddrs` is set, in which case each peer entry also lists the other
 * host's addresses. A host with `node: false` is only a namespace on the
 * bridge (for a stranger's process), in nobody's household.
 */
export interface HostPlan extends HostSpec {
  /** Arenas on this host: a root directory is made for each unless `root: false` (cache-only). */
  arenas?: Array<{ name: string, mark?: Mark, root?: boolean }>
  /** false: a namespace without a Realize node. @default true */
  node?: boolean
  /** Edits this host's realize.toml after init and peering (history, churten, peer addresses...). */
  config?: (config: Config) => void
}

export interface HouseholdOptions {
  hosts: HostPlan[]
  staticAddrs?: boolean
  mdns?: boolean
  /** Extra environment for every node (e.g. REALIZE_LOG=debug). */
  env?: NodeJS.ProcessEnv
  /** The network's shape beyond one LAN (NAT routers, the internet: nat.ts); see netns.ts NetworkOptions. */
  network?: NetworkOptions
  /** Where waits are reported; console.log by default. */
  report?: (line: string) => void
}

export interface HouseholdNode {
  name: string
  dataDir: string
  /** Arena name -> root directory on this host. */
  roots: Record<string, string>
  peerId: string
  process: NodeProcess | undefined
  plan: HostPlan
}

export const PORT = 9771

export class Household {
  private constructor (
    readonly net: Network,
    readonly base: string,
    readonly nodes: HouseholdNode[],
    private readonly options: HouseholdOptions
  ) {}

  static async create (options: HouseholdOptions): Promise<Household> {
    const net = await Network.create(options.hosts, options.network)
    const base = await mkdtemp(join(tmpdir(), 'realize-household-'))
    const h = new Household(net, base, [], options)
    try {
      for (const plan of options.hosts) if (plan.node !== false) h.nodes.push(await h.init(plan))
      for (const n of h.nodes) await h.writePeers(n)
    } catch (err) {
      await h.destroy()
      throw err
    }
    return h
  }

  /** `realize-node init` for a planned host: data dir, key, config with its arenas. */
  private async init (plan: HostPlan): Promise<HouseholdNode> {
    const dataDir = join(this.base, plan.name, 'data')
    const roots: Record<string, string> = {}
    const args = ['init', '--data', dataDir, '--port', String(PORT)]
    if (this.options.mdns === false) args.push('--no-mdns')
    for (const a of plan.arenas ?? [{ name: 'shared', mark: 'own' }]) {
      if (a.root === false) {
        args.push('--arena', a.name)
      } else {
        roots[a.name] = join(this.base, plan.name, 'arenas', a.name)
        await mkdir(roots[a.name] as string, { recursive: true })
        args.push('--arena', `${a.name}=${roots[a.name]}`)
      }
      if (a.mark != null) args.push('--mark', `${a.name}=${a.mark}`)
    }
    const { stdout } = await run(process.execPath, [CLI, ...args])
    return { name: plan.name, dataDir, roots, peerId: stdout.trim().split('\n')[0] ?? '', process: undefined, plan }
  }

  /** The static addresses others list for `name` (none: found by mDNS). */
  private addrsOf (name: string): string[] {
    if (this.options.staticAddrs !== true) return []
    const host = this.net.host(name)
    return [host.ipv6 == null ? undefined : `/ip6/${host.ipv6}/tcp/${PORT}`, host.ipv4 == null ? undefined : `/ip4/${host.ipv4}/tcp/${PORT}`].filter((a): a is string => a != null)
  }

  /** Makes every other node a household peer of `n`, then applies the plan's config edit. */
  private async writePeers (n: HouseholdNode): Promise<void> {
    await this.editConfig(n.name, (config) => {
      config.peers = this.nodes.filter((o) => o !== n).map((o) => ({ name: o.name, id: o.peerId, addrs: this.addrsOf(o.name) }))
      n.plan.config?.(config)
    })
  }

  /** Edits a node's realize.toml (a running node reads it at its next start). */
  async editConfig (name: string, edit: (config: Config) => void): Promise<void> {
    const { dataDir } = this.node(name)
    const config = await loadConfig(dataDir)
    if (config == null) throw new HarnessError(`no config for ${name}`)
    edit(config)
    await writeConfig(dataDir, config)
  }

  /**
   * A host joining the household later: its namespace on the same bridge,
   * `init`, every current node as its peers, and `realize-node peer add`
   * for it on every other node (through the control API when that node
   * runs, so it applies at once; in the config file otherwise). Not started.
   */
  async addHost (plan: HostPlan): Promise<HouseholdNode> {
    if (plan.node === false) throw new HarnessError('addHost is for household nodes; plan a bare namespace in create')
    await this.net.addHost(plan)
    const n = await this.init(plan)
    this.nodes.push(n)
    await this.writePeers(n)
    for (const o of this.nodes) {
      if (o === n) continue
      const r = await this.cli(o.name, 'peer', 'add', n.name, n.peerId, ...this.addrsOf(n.name))
      if (r.code !== 0) throw new HarnessError(`peer add ${n.name} on ${o.name} failed (exit ${r.code}): ${r.stderr.trim()}`)
    }
    return n
  }

  node (name: string): HouseholdNode {
    const n = this.nodes.find((x) => x.name === name)
    if (n == null) throw new HarnessError(`no node ${name}`)
    return n
  }

  root (name: string, arena = 'shared'): string {
    const r = this.node(name).roots[arena]
    if (r == null) throw new HarnessError(`${name} has no root for arena ${arena}`)
    return r
  }

  /** Starts the node(s) and waits until each is ready. */
  async start (...names: string[]): Promise<void> {
    const list = names.length === 0 ? this.nodes.map((n) => n.name) : names
    await Promise.all(list.map(async (name) => {
      const n = this.node(name)
      if (n.process != null && n.process.exitCode === undefined) throw new HarnessError(`${name} is already running`)
      n.process = new NodeProcess(['--data', n.dataDir], { netns: this.net.host(name).ns, env: this.options.env })
      await n.process.waitForEvent('ready', 60_000)
    }))
  }

  /** SIGTERM and wait for a clean exit. */
  async stop (name: string): Promise<number | null> {
    const p = this.node(name).process
    if (p == null || p.exitCode !== undefined) return p?.exitCode ?? null
    p.kill('SIGTERM')
    return (await p.waitForExit()).code
  }

  async kill9 (name: string): Promise<void> {
    const p = this.node(name).process
    if (p == null || p.exitCode !== undefined) return
    p.kill('SIGKILL')
    await p.waitForExit()
  }

  async restart (name: string): Promise<void> {
    await this.kill9(name)
    await this.start(name)
  }

  /** Runs `realize-node ARGS --data <host's data dir>` inside the host's namespace. */
  async cli (name: string, ...args: string[]): Promise<{ stdout: string, stderr: string, code: number }> {
    return await this.net.exec(name, process.execPath, [CLI, ...args, '--data', this.node(name).dataDir], { env: this.options.env })
  }

  /** `realize-node ARGS --json` on a host, parsed; a non-zero exit is an error naming the command. */
  async cliJson<T = unknown> (name: string, ...args: string[]): Promise<T> {
    const r = await this.cli(name, ...args, '--json')
    if (r.code !== 0) throw new HarnessError(`realize-node ${args.join(' ')} on ${name} exited ${r.code}: ${r.stderr.trim()}`)
    return JSON.parse(r.stdout) as T
  }

  /** The node's log lines so far (current process). */
  lines (name: string): LogLine[] {
    return this.node(name).process?.lines ?? []
  }

  async cut (name: string): Promise<void> { await this.net.cut(name) }
  async restore (name: string): Promise<void> { await this.net.restore(name) }

  /**
   * Re-checks `check` until it returns something truthy or `ms` pass, then
   * reports what was waited for and how long it took. Checks run after any
   * node logs a line, and at least every `pollMs` (conditions often live in
   * files or CLI output that no event announces).
   */
  async waitFor<T> (what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 60_000, pollMs = 250): Promise<T> {
    const started = Date.now()
    const report = this.options.report ?? ((l: string) => { console.log(l) })
    for (;;) {
      const v = await check()
      if (v !== undefined && v !== false) {
        report(`  waited ${((Date.now() - started) / 1000).toFixed(2)} s for ${what}`)
        return v
      }
      if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs)
        const procs = this.nodes.map((n) => n.process).filter((p): p is NodeProcess => p != null)
        function done (): void {
          clearTimeout(timer)
          for (const p of procs) p.off('log', done)
          resolve()
        }
        for (const p of procs) p.on('log', done)
      })
    }
  }

  /** Kills every node, removes the namespaces and the temp dir; safe after a failed test. */
  async destroy (): Promise<void> {
    for (const n of this.nodes) {
      if (n.process != null && n.process.exitCode === undefined) {
        n.process.kill('SIGKILL')
        await n.process.waitForExit().catch(() => {})
      }
    }
    await this.net.destroy()
    await rm(this.base, { recursive: true, force: true })
  }
}

