import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerAddrToMultiaddr } from '../config/addrs.js'
import { RealizeError } from '../../datastore/types/errors.js'
import type { Connection } from '@libp2p/interface'
import type { RealizeHost } from './host.js'

export interface ResolvedAddress { address: string, family: 4 | 6 }
export type Resolver = (host: string) => Promise<ResolvedAddress[]>

/** The system resolver (getaddrinfo: /etc/hosts, DNS, mDNS names where nss does that). */
export const systemResolver: Resolver = async (host) => {
  const found = await lookup(host, { all: true, verbatim: true })
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))
}

/** Time for one address before the next is tried. */
export const DIAL_ATTEMPT_TIMEOUT_MS = 5_000

const NAME_PROTOS = new Set(['dns', 'dns4', 'dns6', 'dnsaddr'])

/**
 * A peer's static addresses as concrete multiaddrs to dial in order
 * {#ipv64}: `host:port` and `/dns/...` names are resolved here, IPv6
 * addresses first, then IPv4, like any dual-stack client; literal addresses
 * keep their place. Each ends in `/p2p/<peerId>`, so libp2p checks it is
 * really that peer.
 */
export async function dialTargets (addrs: readonly string[], peerId: string, resolve: Resolver = systemResolver): Promise<Multiaddr[]> {
  const out: string[] = []
  for (const raw of addrs) {
    let ma: Multiaddr
    try {
      ma = multiaddr(peerAddrToMultiaddr(raw))
    } catch {
      continue
    }
    const [first, ...rest] = ma.getComponents()
    if (first == null) continue
    const tail = rest.filter((c) => c.name !== 'p2p').map((c) => `/${c.name}${c.value == null ? '' : `/${c.value}`}`).join('')
    if (NAME_PROTOS.has(first.name) && first.value != null) {
      let found: ResolvedAddress[]
      try {
        found = await resolve(first.value)
      } catch {
        continue
      }
      const want = first.name === 'dns4' ? [4] : first.name === 'dns6' ? [6] : [6, 4]
      for (const family of want) {
        for (const a of found) if (a.family === family && isIP(a.address) === family) out.push(`/ip${family}/${a.address}${tail}`)
      }
    } else {
      out.push(`/${first.name}/${first.value ?? ''}${tail}`)
    }
  }
  return [...new Set(out)].map((s) => multiaddr(`${s}/p2p/${peerId}`))
}

export class DialFailedError extends RealizeError {
  constructor (peer: string, tried: string[], options: { cause?: unknown }) {
    super('DIAL_FAILED', tried.length === 0 ? `no usable address for ${peer}` : `could not connect to ${peer} (tried ${tried.join(', ')})`, options)
  }
}

/** Dials the targets one after the other (IPv6 before IPv4); the first that answers wins. */
export async function dialInOrder (host: Pick<RealizeHost, 'dial'>, peer: string, targets: readonly Multiaddr[], options: { signal?: AbortSignal, onFailure?: (addr: Multiaddr, err: unknown) => void } = {}): Promise<Connection> {
  let last: unknown
  for (const ma of targets) {
    options.signal?.throwIfAborted()
    const timeout = AbortSignal.timeout(DIAL_ATTEMPT_TIMEOUT_MS)
    try {
      return await host.dial(ma, { signal: options.signal == null ? timeout : AbortSignal.any([options.signal, timeout]) })
    } catch (err) {
      last = err
      options.onFailure?.(ma, err)
    }
  }
  throw new DialFailedError(peer, targets.map(String), { cause: last })
}
