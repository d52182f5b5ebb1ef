import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { isLinkLocal6, isLoopback, onLinkIface, splitZone, type LocalAddr } from './interfaces.js'

/**
 * Which addresses to announce and which to dial {#ipv64}. mDNS answers are
 * multicast on one link, so:
 *
 * - we announce our addresses of both families (as @libp2p/mdns does) and,
 *   on the IPv6 socket only, the link-local address of the interface the
 *   answer goes out on, without a zone: a zone names a local interface and
 *   means nothing on the other host (go-libp2p#2659 says the same);
 * - a listener keeps only what it can reach from where it heard the
 *   answer: an address in the subnet of one of its own interfaces (so never
 *   an address of a family it has no network for), a link-local IPv6
 *   address with the zone of the interface the answer arrived on
 *   (`/ip6zone/eth0/ip6/fe80::…`), a loopback address only from its own
 *   host.
 */

/** Where an answer was heard: the socket's family and the sender (`fe80::1%eth0` for link-local). */
export interface Arrival {
  family: 4 | 6
  from: string
}

/** The announced addresses this host can dial, link-local ones zoned; TCP over IP only. */
export function dialable (addrs: readonly Multiaddr[], arrival: Arrival, locals: readonly LocalAddr[]): Multiaddr[] {
  const sender = splitZone(arrival.from)
  const fromSelf = locals.some((l) => l.address === sender.ip)
  // The link the answer came over: the socket's zone, else the sender's subnet.
  const link = sender.zone ?? onLinkIface(locals, sender.ip)
  const out: Multiaddr[] = []
  for (const a of addrs) {
    const parts = a.getComponents().filter((c) => c.name !== 'ip6zone')
    const [ip, tcp] = parts
    if (ip == null || tcp?.name !== 'tcp' || ip.value == null || (ip.name !== 'ip4' && ip.name !== 'ip6')) continue
    const rest = parts.slice(1).map((c) => `/${c.name}${c.value == null ? '' : `/${c.value}`}`).join('')
    if (isLoopback(ip.value)) {
      if (fromSelf) out.push(a)
    } else if (ip.name === 'ip6' && isLinkLocal6(ip.value)) {
      // Heard over IPv6 on a link we have IPv6 on: dial it through that interface.
      if (arrival.family === 6 && link != null && locals.some((l) => l.iface === link && l.family === 6)) out.push(multiaddr(`/ip6zone/${link}/ip6/${ip.value}${rest}`))
    } else if (onLinkIface(locals, ip.value) != null) {
      out.push(multiaddr(`/${ip.name}/${ip.value}${rest}`))
    }
  }
  return dedupe(out)
}

/**
 * What we announce on a socket: libp2p's addresses (IPv4 and IPv6, never
 * link-local or zoned: libp2p lists no link-local ones) and, for an answer
 * on the IPv6 socket out of interface `iface`, that interface's link-local
 * address when TCP listens on the IPv6 wildcard. Each ends in /p2p/<us>.
 */
export function announced (own: readonly Multiaddr[], peerId: string, locals: readonly LocalAddr[], v6: { iface: string, tcpPort: number | undefined } | undefined): Multiaddr[] {
  const out = own.filter((a) => {
    const [ip, tcp] = a.getComponents()
    return (ip?.name === 'ip4' || ip?.name === 'ip6') && tcp?.name === 'tcp' && !(ip.name === 'ip6' && isLinkLocal6(ip.value ?? ''))
  })
  if (v6?.tcpPort != null) {
    for (const l of locals) {
      if (l.iface === v6.iface && l.family === 6 && isLinkLocal6(l.address)) out.push(multiaddr(`/ip6/${splitZone(l.address).ip}/tcp/${v6.tcpPort}/p2p/${peerId}`))
    }
  }
  return dedupe(out)
}

function dedupe (addrs: Multiaddr[]): Multiaddr[] {
  const seen = new Set<string>()
  return addrs.filter((a) => {
    const s = a.toString()
    if (seen.has(s)) return false
    seen.add(s)
    return true
  })
}
