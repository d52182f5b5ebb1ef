import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { HarnessError, ipCommand as ip, type Network } from './netns.js'

const run = promisify(execFile)

/**
 * A LAN behind a NAT router, as at home or in a café (issue 17, "Away from
 * home"): its own bridge and /24 (`10.N.K.x`), and a router namespace with
 * `eth0` on the network's main bridge (the internet: `Network.create(...,
 * { publicMain: true })`) and `eth1` on the LAN at `.254`, forwarding with
 * nftables masquerade. Nothing from the internet reaches the LAN except
 * replies (conntrack) and the ports forwarded with `forward` (a home
 * router's port forward). Hosts added on the segment afterwards route
 * through the router.
 *
 *   internet (main bridge, 44.N.0.x) ── eth0 [router: masquerade, dnat] eth1 ── LAN (10.N.K.x)
 *
 * Needs nftables (Debian package nftables) besides iproute2.
 */
export interface NatLan {
  name: string
  /** The router's namespace. */
  ns: string
  /** The router's address on the internet: what the LAN's hosts look like from outside. */
  wan: string
}

export async function addNatLan (net: Network, name: string): Promise<NatLan> {
  const seg = await net.addSegment(name)
  const ns = `rz-${net.id}-r${seg.prefix.split('.')[2] ?? ''}`
  const wan = `${net.main.prefix}.${++net.main.count}`
  const lan = `${seg.prefix}.254`
  net.extraNamespaces.push(ns)
  const out = `rzr${net.id}${seg.prefix.split('.')[2] ?? ''}w`
  const inn = `rzr${net.id}${seg.prefix.split('.')[2] ?? ''}l`
  await ip('netns', 'add', ns)
  await ip('link', 'add', out, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
  await ip('link', 'add', inn, 'type', 'veth', 'peer', 'name', 'eth1', 'netns', ns)
  await ip('link', 'set', out, 'master', net.main.bridge, 'up')
  await ip('link', 'set', inn, 'master', seg.bridge, 'up')
  await ip('-n', ns, 'link', 'set', 'lo', 'up')
  await ip('-n', ns, 'link', 'set', 'eth0', 'up')
  await ip('-n', ns, 'link', 'set', 'eth1', 'up')
  await ip('-n', ns, 'addr', 'add', `${wan}/24`, 'dev', 'eth0')
  await ip('-n', ns, 'addr', 'add', `${lan}/24`, 'dev', 'eth1')
  await inNs(ns, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1'])
  await nft(ns, `
    table ip nat {
      chain prerouting { type nat hook prerouting priority -100; }
      chain postrouting { type nat hook postrouting priority 100; oifname "eth0" masquerade; }
    }
    table ip filter {
      chain forward {
        type filter hook forward priority 0; policy drop;
        ct state established,related accept
        iifname "eth1" oifname "eth0" accept
        ct status dnat accept
      }
    }`)
  seg.gateway = lan
  return { name, ns, wan }
}

/** A port forward on the LAN's router: `wan:port` on the internet reaches `host:port` on the LAN. */
export async function forwardPort (net: Network, lan: NatLan, port: number, host: string): Promise<void> {
  const to = net.host(host).ipv4
  if (to == null) throw new HarnessError(`${host} has no IPv4 address to forward to`)
  await nft(lan.ns, `add rule ip nat prerouting iifname "eth0" tcp dport ${port} dnat to ${to}:${port}`)
}

async function nft (ns: string, script: string): Promise<void> {
  await inNs(ns, 'nft', ['-f', '-'], script)
}

async function inNs (ns: string, cmd: string, args: string[], input?: string): Promise<void> {
  try {
    const p = run('ip', ['netns', 'exec', ns, cmd, ...args])
    if (input != null) p.child.stdin?.end(input)
    await p
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string }
    if (/exec of "nft" failed|No such file/.test(e.stderr ?? '')) throw new HarnessError('NAT routers need the `nft` command (Debian package nftables)', { cause: err })
    throw new HarnessError(`${cmd} ${args.join(' ')} in ${ns}: ${e.stderr?.trim() ?? e.message}`, { cause: err })
  }
}
