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
  /**
   * The segment (bridge) the host is on: absent = the main one; else a LAN
   * made by `addSegment` (behind a NAT router, nat.ts), IPv4 only.
   */
  segment?: string
}

/** One bridge and its IPv4 /24; hosts on a segment with a gateway route everything else through it. */
export interface Segment {
  name: string
  bridge: string
  /** The first three octets of its /24. */
  prefix: string
  gateway?: string
  /** Hosts numbered so far (addresses .1, .2, ...). */
  count: number
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

export interface NetworkOptions {
  /**
   * Give the main bridge addresses outside every private range (`44.N.0.x`,
   * never routed off this machine), so libp2p and Realize treat it as the
   * internet: the WAN between NAT routers (nat.ts). @default false (10.N.0.x)
   */
  publicMain?: boolean
  /** Runs after the main bridge exists and before the hosts are added (segments, routers). */
  layout?: (net: Network) => Promise<void>
}

export class Network {
  /** Namespaces and bridges made by `addSegment` / nat.ts, removed by destroy. */
  readonly extraNamespaces: string[] = []
  readonly segments = new Map<string, Segment>()

  private constructor (readonly id: string, readonly bridge: string, readonly subnet: number, readonly hosts: NetHost[], readonly main: Segment) {
    this.segments.set(main.name, main)
  }

  /** Creates the bridge and one namespace per host. */
  static async create (specs: HostSpec[], options: NetworkOptions = {}): Promise<Network> {
    await checkCanCreateNamespaces()
    // Short and unique per process: interface names are limited to 15 bytes.
    const id = `${(process.pid % 10000).toString(36)}${(counter++).toString(36)}`
    const subnet = (process.pid + counter) % 200 + 20
    const bridge = `rzb${id}`
    const net = new Network(id, bridge, subnet, [], { name: '', bridge, prefix: `${options.publicMain === true ? 44 : 10}.${subnet}.0`, count: 0 })
    try {
      await makeBridge(bridge)
      await options.layout?.(net)
      for (const spec of specs) await net.addHost(spec)
    } catch (err) {
      await net.destroy()
      throw err
    }
    return net
  }

  /** A further bridge with its own /24 (`10.N.K.x`), for a LAN behind a router (nat.ts). */
  async addSegment (name: string): Promise<Segment> {
    if (this.segments.has(name)) throw new HarnessError(`segment ${name} exists already`)
    const seg: Segment = { name, bridge: `rzb${this.id}s${this.segments.size}`, prefix: `10.${this.subnet}.${this.segments.size}`, count: 0 }
    this.segments.set(name, seg)
    await makeBridge(seg.bridge)
    return seg
  }

  segment (name = ''): Segment {
    const seg = this.segments.get(name)
    if (seg == null) throw new HarnessError(`no segment ${name}`)
    return seg
  }

  /** Adds one namespace on its bridge (also after the others are running: a host joining later). */
  async addHost (spec: HostSpec): Promise<NetHost> {
    if (this.hosts.some((h) => h.name === spec.name)) throw new HarnessError(`host ${spec.name} exists already`)
    const i = this.hosts.length
    const seg = this.segment(spec.segment)
    const onMain = seg === this.main
    const host: NetHost = {
      name: spec.name,
      ns: `rz-${this.id}-${spec.name}`,
      ipv4: spec.ipv4 === false ? undefined : `${seg.prefix}.${++seg.count}`,
      ipv6: !onMain || spec.ipv6 === false || spec.ipv6 === 'link-local' ? undefined : `fd00:${this.subnet}::${i + 1}`,
      linkLocal: spec.ipv6 === false ? undefined : `fe80::${i + 1}`,
      veth: `rzv${this.id}-${i}`
    }
    this.hosts.push(host)
    await ip('netns', 'add', host.ns)
    await ip('link', 'add', host.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns)
    await ip('link', 'set', host.veth, 'master', seg.bridge, 'up')
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
    if (host.ipv4 != null && seg.gateway != null) await ip('-n', host.ns, 'route', 'add', 'default', 'via', seg.gateway)
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
    for (const ns of this.extraNamespaces) await ip('netns', 'del', ns).catch(() => {})
    for (const seg of this.segments.values()) await ip('link', 'del', seg.bridge).catch(() => {})
  }
}

/** A bridge with multicast snooping off (mDNS floods every port, as on a home switch). */
async function makeBridge (bridge: string): Promise<void> {
  await ip('link', 'add', bridge, 'type', 'bridge')
  await ip('link', 'set', bridge, 'type', 'bridge', 'mcast_snooping', '0')
  await ip('link', 'set', bridge, 'up')
}

/** `ip ARGS` for the harness's own modules (nat.ts). */
export async function ipCommand (...args: string[]): Promise<string> {
  return await ip(...args)
}
