import { isIP } from 'node:net'
import { InvalidInputError } from '../../datastore/types/errors.js'

/**
 * Addresses as users write them in realize.toml: listen addresses are
 * multiaddrs; a peer's static addresses may also be `host:port`
 * (`laptop.local:9771`, `192.168.1.5:9771`, `[fe80::1]:9771`).
 * Only the shape is checked here; libp2p reports unreachable or unsupported
 * addresses when it dials or listens.
 */

const MULTIADDR_RE = /^(\/[^/\s]+)+$/
const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/

export function checkMultiaddr (raw: string): string {
  if (!MULTIADDR_RE.test(raw)) {
    throw new InvalidInputError('INVALID_ADDR', `invalid address ${JSON.stringify(raw)}: expected a multiaddr like "/ip4/0.0.0.0/tcp/9771"`)
  }
  return raw
}

interface HostPort { host: string, port: number }

function parseHostPort (raw: string): HostPort | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(raw) ?? /^([^:[\]]+):(\d{1,5})$/.exec(raw)
  if (m == null) return undefined
  const host = m[1] as string
  const port = Number(m[2])
  if (port < 1 || port > 65535) return undefined
  if (raw.startsWith('[') ? isIP(host) !== 6 : (isIP(host) !== 4 && !HOSTNAME_RE.test(host))) return undefined
  return { host, port }
}

/** A peer address: a multiaddr, or `host:port` with a hostname, IPv4 or bracketed IPv6 host. */
export function checkPeerAddr (raw: string): string {
  if (raw.startsWith('/')) return checkMultiaddr(raw)
  if (parseHostPort(raw) == null) {
    throw new InvalidInputError('INVALID_ADDR', `invalid address ${JSON.stringify(raw)}: expected host:port (like "laptop.local:9771" or "[fe80::1]:9771") or a multiaddr`)
  }
  return raw
}

/** `laptop.local:9771` -> `/dns/laptop.local/tcp/9771`; multiaddrs are returned unchanged. */
export function peerAddrToMultiaddr (raw: string): string {
  if (raw.startsWith('/')) return checkMultiaddr(raw)
  const hp = parseHostPort(raw)
  if (hp == null) return checkPeerAddr(raw)
  const proto = isIP(hp.host) === 4 ? 'ip4' : isIP(hp.host) === 6 ? 'ip6' : 'dns'
  return `/${proto}/${hp.host.replace(/\.$/, '')}/tcp/${hp.port}`
}

/**
 * Where the metrics endpoint listens (`[metrics] listen`, `start --metrics`):
 * `host:port` with an IPv4, bracketed IPv6 or host name, or `:port` for
 * every interface; port 0 picks a free one (the node logs the bound address).
 */
export function parseListenHostPort (raw: string): { host: string, port: number } {
  const bad = (): never => {
    throw new InvalidInputError('INVALID_ADDR', `invalid listen address ${JSON.stringify(raw)}: expected host:port like "127.0.0.1:9772", "[::1]:9772" or ":9772" (every interface)`)
  }
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(raw) ?? /^([^:[\]]*):(\d{1,5})$/.exec(raw)
  if (m == null) return bad()
  const host = m[1] as string
  const port = Number(m[2])
  if (port > 65535) return bad()
  if (host !== '' && (raw.startsWith('[') ? isIP(host) !== 6 : (isIP(host) !== 4 && !HOSTNAME_RE.test(host)))) return bad()
  return { host, port }
}

/** The two default listen addresses on one TCP port, IPv4 and IPv6. */
export function listenAddrsForPort (port: number): string[] {
  return [`/ip4/0.0.0.0/tcp/${port}`, `/ip6/::/tcp/${port}`]
}
