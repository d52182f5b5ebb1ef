import { execFile } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { RealizeError } from '../../datastore/types/errors.js'

const run = promisify(execFile)

/**
 * Real network namespaces on one Linux machine: a bridge in the root
 * namespace and one namespace per host, joined by a veth pair, each host with
 * an IPv4 and/or an IPv6 address. mDNS works across the bridge (multicast
 * snooping off, a multicast route in each namespace); a host's link can be
 * taken down and up again to partition it, two hosts can be kept apart while
 * both reach the others (port isolation), a link can be slowed (tc), and a
 * namespace can have its own /etc/hosts.
 *
 * Needs root and iproute2. Missing either is an error, never a silent skip.
 */
export interface HostSpec {
  name: string
  ipv4?: boolean
  /**
   * true: a ULA (`fd00:<subnet>::N`) and a link-local address
   * (`fe80::N`); 'link-local': only the link-local one; false: no IPv6
   * address at all, not even link-local (an IPv4-only LAN). @default true
   */
  ipv6?: boolean | 'link-local'
}

export interface NetHost {
  name: string
  /** Namespace name, for `ip netns exec`. */
  ns: string
  ipv4: string | undefined
  /** The ULA address, if any. */
  ipv6: string | undefined
  /** `fe80::N` on eth0, if the host has IPv6. */
  linkLocal: string | undefined
  /** Root-side end of the veth pair; down = partitioned. */
  veth: string
}

/** The machine cannot run the harness (no root, no iproute2) or a harness step failed. */
export class HarnessError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('HARNESS_SETUP', message, options)
  }
}

/** The environment the harness checks; overridable so the checks themselves can be tested. */
export interface HarnessEnv {
  uid: number | undefined
  ipCommand: string
}

const defaultEnv = (): HarnessEnv => ({ uid: process.getuid?.(), ipCommand: 'ip' })

async function ip (...args: string[]): Promise<string> {
  return await ipWith('ip', args)
}

async function tc (...args: string[]): Promise<string> {
  try {
    return (await run('tc', args)).stdout
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string }
    if (e.code === 'ENOENT') throw new HarnessError('shaping a link needs the `tc` command (Debian package iproute2)', { cause: err })
    throw new HarnessError(`tc ${args.join(' ')}: ${e.stderr?.trim() ?? e.message}`, { cause: err })
  }
}

async function ipWith (cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args)).stdout
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string }
    if (e.code === 'ENOENT') throw new HarnessError('the multi-peer harness needs the `ip` command (Debian package iproute2)', { cause: err })
    throw new HarnessError(`ip ${args.join(' ')}: ${e.stderr?.trim() ?? e.message}`, { cause: err })
  }
}

/** Throws unless this process can create namespaces. */
export async function checkCanCreateNamespaces (env: HarnessEnv = defaultEnv()): Promise<void> {
  if (env.uid !== 0) throw new HarnessError('the multi-peer harness must run as root (it creates network namespaces)')
  await ipWith(env.ipCommand, ['-V'])
}

let counter = 0

/** Where `ip netns exec` finds a namespace's own /etc files (hosts, resolv.conf). */
const NETNS_ETC = '/etc/netns'

export class Network {
  private constructor (readonly id: string, readonly bridge: string, readonly subnet: number, readonly hosts: NetHost[]) {}

  /** Creates the bridge and one namespace per host. */
  static async create (specs: HostSpec[]): Promise<Network> {
    await checkCanCreateNamespaces()
    // Short and unique per process: interface names are limited to 15 bytes.
    const id = `${(process.pid % 10000).toString(36)}${(counter++).toString(36)}`
    const subnet = (process.pid + counter) % 200 + 20
    const bridge = `rzb${id}`
    const net = new Network(id, bridge, subnet, [])
    try {
      await ip('link', 'add', bridge, 'type', 'bridge')
      await ip('link', 'set', bridge, 'type', 'bridge', 'mcast_snooping', '0')
      await ip('link', 'set', bridge, 'up')
      for (const spec of specs) await net.addHost(spec)
    } catch (err) {
      await net.destroy()
      throw err
    }
    return net
  }

  /** Adds one namespace on the bridge (also after the others are running: a host joining later). */
  async addHost (spec: HostSpec): Promise<NetHost> {
    if (this.hosts.some((h) => h.name === spec.name)) throw new HarnessError(`host ${spec.name} exists already`)
    const i = this.hosts.length
    const host: NetHost = {
      name: spec.name,
      ns: `rz-${this.id}-${spec.name}`,
      ipv4: spec.ipv4 === false ? undefined : `10.${this.subnet}.0.${i + 1}`,
      ipv6: spec.ipv6 === false || spec.ipv6 === 'link-local' ? undefined : `fd00:${this.subnet}::${i + 1}`,
      linkLocal: spec.ipv6 === false ? undefined : `fe80::${i + 1}`,
      veth: `rzv${this.id}-${i}`
    }
    this.hosts.push(host)
    await ip('netns', 'add', host.ns)
    await ip('link', 'add', host.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns)
    await ip('link', 'set', host.veth, 'master', this.bridge, 'up')
    await ip('-n', host.ns, 'link', 'set', 'lo', 'up')
    // No kernel-made link-local address: each host gets a known one (or none), usable at once (nodad).
    await ip('-n', host.ns, 'link', 'set', 'eth0', 'addrgenmode', 'none')
    await ip('-n', host.ns, 'link', 'set', 'eth0', 'up')
    if (host.linkLocal != null) await ip('-n', host.ns, 'addr', 'add', `${host.linkLocal}/64`, 'dev', 'eth0', 'nodad')
    if (host.ipv4 != null) await ip('-n', host.ns, 'addr', 'add', `${host.ipv4}/24`, 'dev', 'eth0')
    // nodad: usable at once instead of after duplicate address detection.
    if (host.ipv6 != null) await ip('-n', host.ns, 'addr', 'add', `${host.ipv6}/64`, 'dev', 'eth0', 'nodad')
    // Without a route, sending to the mDNS group fails with ENETUNREACH.
    if (host.ipv4 != null) await ip('-n', host.ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
    return host
  }

  host (name: string): NetHost {
    const h = this.hosts.find((x) => x.name === name)
    if (h == null) throw new HarnessError(`no host ${name}`)
    return h
  }

  /** Takes the host's link down: it can reach nobody and nobody reaches it. */
  async cut (name: string): Promise<void> {
    await ip('link', 'set', this.host(name).veth, 'down')
  }

  async restore (name: string): Promise<void> {
    await ip('link', 'set', this.host(name).veth, 'up')
  }

  /**
   * Bridge port isolation: isolated hosts cannot reach one another (unicast,
   * multicast, link-local, both families), only the hosts that are not
   * isolated. `isolate('a', 'c')` cuts a↔c while both still talk to b, like
   * two LAN segments joined only through b.
   */
  async isolate (...names: string[]): Promise<void> {
    for (const n of names) await ip('link', 'set', 'dev', this.host(n).veth, 'type', 'bridge_slave', 'isolated', 'on')
  }

  async unisolate (...names: string[]): Promise<void> {
    for (const n of names) await ip('link', 'set', 'dev', this.host(n).veth, 'type', 'bridge_slave', 'isolated', 'off')
  }

  /**
   * Limits the host's link to `rate` (tc syntax: `40mbit`) in both
   * directions, so a transfer takes long enough to be interrupted.
   */
  async shape (name: string, rate: string): Promise<void> {
    const h = this.host(name)
    const tbf = ['qdisc', 'replace', 'dev', '', 'root', 'tbf', 'rate', rate, 'burst', '64kb', 'latency', '100ms']
    await tc(...tbf.map((x) => x === '' ? h.veth : x))
    await tc('-n', h.ns, ...tbf.map((x) => x === '' ? 'eth0' : x))
  }

  async unshape (name: string): Promise<void> {
    const h = this.host(name)
    await tc('qdisc', 'del', 'dev', h.veth, 'root')
    await tc('-n', h.ns, 'qdisc', 'del', 'dev', 'eth0', 'root')
  }

  /**
   * The host's own /etc/hosts (`ip netns exec` shows /etc/netns/<ns>/hosts
   * there): `localhost` for both families plus `names`, each name with every
   * address listed, so static `host:port` peer addresses resolve as on a LAN
   * with local DNS {#ipv64}. Write it before starting the host's node.
   */
  async writeHosts (name: string, names: Record<string, string[]>): Promise<void> {
    const dir = join(NETNS_ETC, this.host(name).ns)
    await mkdir(dir, { recursive: true })
    const lines = ['127.0.0.1 localhost', '::1 localhost']
    for (const [n, addrs] of Object.entries(names)) for (const a of addrs) lines.push(`${a} ${n}`)
    await writeFile(join(dir, 'hosts'), `${lines.join('\n')}\n`)
  }

  /** Runs a command inside a host's namespace. */
  async exec (name: string, cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string, stderr: string, code: number }> {
    try {
      const r = await run('ip', ['netns', 'exec', this.host(name).ns, cmd, ...args], { env: { ...process.env, ...options.env }, maxBuffer: 64 << 20 })
      return { stdout: r.stdout, stderr: r.stderr, code: 0 }
    } catch (err) {
      const e = err as { stdout?: string, stderr?: string, code?: number | string }
      if (typeof e.code !== 'number') throw err
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code }
    }
  }

  /** Removes every namespace (and its /etc/netns files), veth and the bridge; safe to call twice. */
  async destroy (): Promise<void> {
    for (const h of this.hosts) {
      await ip('netns', 'del', h.ns).catch(() => {})
      await rm(join(NETNS_ETC, h.ns), { recursive: true, force: true })
    }
    await ip('link', 'del', this.bridge).catch(() => {})
  }
}
