import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { loadConfig, writeConfig } from '../../node/config/config.js'
import { Network, type HostSpec } from './netns.js'
import { CLI, NodeProcess } from './node-process.js'
import type { Mark } from '../../node/types/mark.js'

const run = promisify(execFile)

/**
 * A household of real `realize-node` processes, one per network namespace
 * (see netns.ts), for end-to-end scenarios and for trying things by hand.
 *
 *   Household.create ─> Network (bridge + namespaces) ─> init each node ─> peers of each other
 *   start/stop/kill9/restart, cli(host, ...args), cut/restore, waitFor, destroy
 *
 * Peers know each other by PeerId only (discovery by mDNS) unless
 * `staticAddrs` is set, in which case each peer entry also lists the other
 * host's addresses.
 */
export interface HostPlan extends HostSpec {
  /** Arenas on this host: a root directory is made for each unless `root: false` (cache-only). */
  arenas?: Array<{ name: string, mark?: Mark, root?: boolean }>
}

export interface HouseholdOptions {
  hosts: HostPlan[]
  staticAddrs?: boolean
  mdns?: boolean
  /** Extra environment for every node (e.g. REALIZE_LOG=debug). */
  env?: NodeJS.ProcessEnv
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
    const net = await Network.create(options.hosts)
    const base = await mkdtemp(join(tmpdir(), 'realize-household-'))
    const h = new Household(net, base, [], options)
    try {
      for (const plan of options.hosts) {
        const dataDir = join(base, plan.name, 'data')
        const roots: Record<string, string> = {}
        const args = ['init', '--data', dataDir, '--port', String(PORT)]
        if (options.mdns === false) args.push('--no-mdns')
        for (const a of plan.arenas ?? [{ name: 'shared', mark: 'own' }]) {
          if (a.root === false) {
            args.push('--arena', a.name)
          } else {
            roots[a.name] = join(base, plan.name, 'arenas', a.name)
            await mkdir(roots[a.name] as string, { recursive: true })
            args.push('--arena', `${a.name}=${roots[a.name]}`)
          }
          if (a.mark != null) args.push('--mark', `${a.name}=${a.mark}`)
        }
        const { stdout } = await run(process.execPath, [CLI, ...args])
        h.nodes.push({ name: plan.name, dataDir, roots, peerId: stdout.trim().split('\n')[0] ?? '', process: undefined })
      }
      for (const n of h.nodes) await h.writePeers(n)
    } catch (err) {
      await h.destroy()
      throw err
    }
    return h
  }

  /** Makes every other host a household peer of `n`. */
  private async writePeers (n: HouseholdNode): Promise<void> {
    const config = await loadConfig(n.dataDir)
    if (config == null) throw new Error(`no config for ${n.name}`)
    config.peers = this.nodes.filter((o) => o !== n).map((o) => {
      const host = this.net.host(o.name)
      const addrs = this.options.staticAddrs === true
        ? [host.ipv6 == null ? undefined : `/ip6/${host.ipv6}/tcp/${PORT}`, host.ipv4 == null ? undefined : `/ip4/${host.ipv4}/tcp/${PORT}`].filter((a): a is string => a != null)
        : []
      return { name: o.name, id: o.peerId, addrs }
    })
    await writeConfig(n.dataDir, config)
  }

  node (name: string): HouseholdNode {
    const n = this.nodes.find((x) => x.name === name)
    if (n == null) throw new Error(`no node ${name}`)
    return n
  }

  root (name: string, arena = 'shared'): string {
    const r = this.node(name).roots[arena]
    if (r == null) throw new Error(`${name} has no root for arena ${arena}`)
    return r
  }

  /** Starts the node(s) and waits until each is ready. */
  async start (...names: string[]): Promise<void> {
    const list = names.length === 0 ? this.nodes.map((n) => n.name) : names
    await Promise.all(list.map(async (name) => {
      const n = this.node(name)
      if (n.process != null && n.process.exitCode === undefined) throw new Error(`${name} is already running`)
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

