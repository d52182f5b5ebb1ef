import { isPrivate } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/**
 * How a household peer is reached (`peers`, the TUI; issue 17): `lan` a
 * direct connection to a private, link-local or loopback address; `wan` a
 * direct connection to a public one; `relayed` through a household relay.
 */
export type Reach = 'lan' | 'wan' | 'relayed'

/** The relay's PeerId in `.../p2p/RELAY/p2p-circuit/p2p/PEER`, else undefined (a direct connection). */
export function relayOf (addr: Multiaddr): string | undefined {
  const parts = addr.getComponents()
  const circuit = parts.findIndex((c) => c.name === 'p2p-circuit')
  if (circuit < 0) return undefined
  return parts.slice(0, circuit).findLast((c) => c.name === 'p2p')?.value ?? ''
}

export function reachOf (addr: Multiaddr): Reach {
  if (relayOf(addr) != null) return 'relayed'
  // isPrivate covers RFC 1918, CGNAT, ULA, link-local and loopback; a name (dns) counts as public.
  return isPrivate(addr) ? 'lan' : 'wan'
}

/**
 * A relayed connection's address toward `target` through `relay`, built on
 * the address of our connection to the relay (libp2p reuses that connection).
 */
export function circuitAddr (relayConnAddr: Multiaddr, relay: string, target: string): Multiaddr {
  const base = relayConnAddr.getComponents().filter((c) => c.name !== 'p2p')
  return multiaddr(`${multiaddr(base).toString()}/p2p/${relay}/p2p-circuit/p2p/${target}`)
}

/** Addresses worth dialling to replace a relayed connection: public, direct, not ours to guess. */
export function directPublic (addrs: readonly Multiaddr[]): Multiaddr[] {
  return addrs.filter((a) => relayOf(a) == null && !isPrivate(a))
}
