import { BlockList, isIPv4 } from 'node:net'
import { networkInterfaces } from 'node:os'

/** One address of a local interface, as the OS lists it now. */
export interface LocalAddr {
  iface: string
  family: 4 | 6
  address: string
  /** Prefix length: the on-link range of the address. */
  prefix: number
  internal: boolean
}

/** The machine's interface addresses right now (they change: DHCP, SLAAC, cables). */
export function localAddrs (): LocalAddr[] {
  const out: LocalAddr[] = []
  for (const [iface, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      const prefix = Number(a.cidr?.split('/')[1] ?? (a.family === 'IPv4' ? 32 : 128))
      out.push({ iface, family: a.family === 'IPv4' ? 4 : 6, address: a.address, prefix, internal: a.internal })
    }
  }
  return out
}

export function isLinkLocal6 (ip: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(ip)
}

export function isLoopback (ip: string): boolean {
  return ip === '::1' || /^127\./.test(ip)
}

/** `fe80::1%eth0` → `{ ip: 'fe80::1', zone: 'eth0' }`. */
export function splitZone (address: string): { ip: string, zone: string | undefined } {
  const i = address.indexOf('%')
  return i < 0 ? { ip: address, zone: undefined } : { ip: address.slice(0, i), zone: address.slice(i + 1) }
}

/**
 * The non-loopback interface whose subnet holds `ip` (same family): an
 * address a host on that link can reach without a router. Link-local IPv6
 * is in every interface's fe80::/64, so it needs its zone instead.
 */
export function onLinkIface (locals: readonly LocalAddr[], ip: string): string | undefined {
  const family = isIPv4(ip) ? 4 : 6
  const type = family === 4 ? 'ipv4' : 'ipv6'
  for (const l of locals) {
    if (l.internal || l.family !== family || (family === 6 && isLinkLocal6(l.address))) continue
    const range = new BlockList()
    range.addSubnet(l.address, l.prefix, type)
    if (range.check(ip, type)) return l.iface
  }
  return undefined
}

/** Interfaces that can carry IPv6 multicast: up, not loopback, with an IPv6 address (a link-local one at least). */
export function ipv6Interfaces (locals: readonly LocalAddr[]): string[] {
  return [...new Set(locals.filter((l) => !l.internal && l.family === 6).map((l) => l.iface))].sort()
}
