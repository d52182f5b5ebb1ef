import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { createLibp2p, type Libp2p } from 'libp2p'
import { ByteCounter } from './byte-counter.js'
import { lanDiscovery, zonedTcp, MDNS_SERVICE_TAG, type LanDiscovery } from './mdns/index.js'
import { wrapError } from '../../datastore/types/errors.js'
import type { Identify } from '@libp2p/identify'
import type { Ping } from '@libp2p/ping'
import type { ConnectionGater } from '@libp2p/interface'
import type { Ed25519PrivateKey } from '../identity/identity.js'

/** `lan` is there when mDNS is on. */
export type RealizeHost = Libp2p<{ identify: Identify, ping: Ping, lan?: LanDiscovery }>

export { MDNS_SERVICE_TAG }

/** Yamux's largest stream window (16 MiB) plus a frame: a paused stream never overflows its buffer. */
const STREAM_READ_BUFFER = 17 * 1024 * 1024

export interface HostOptions {
  privateKey: Ed25519PrivateKey
  listen: readonly string[]
  gater: ConnectionGater
  mdns: boolean
  /** mDNS query interval. @default 10_000 */
  mdnsIntervalMs?: number
  /** Connection ping interval (RTT, dead-connection detection). @default 10_000 */
  pingIntervalMs?: number
}

/**
 * The libp2p host (spec section 5): TCP on IPv4 and IPv6 (link-local with
 * its zone), Noise, Yamux, identify, ping, and mDNS on both families unless
 * turned off (node/net/mdns, {#ipv64}). Byte counts per connection come
 * from `counter` {#conninfo}.
 */
export async function createHost (options: HostOptions): Promise<{ host: RealizeHost, counter: ByteCounter }> {
  const counter = new ByteCounter()
  const lan: { lan?: ReturnType<typeof lanDiscovery> } = options.mdns ? { lan: lanDiscovery({ interval: options.mdnsIntervalMs ?? 10_000, serviceTag: MDNS_SERVICE_TAG }) } : {}
  try {
    const host = await createLibp2p({
      start: false,
      privateKey: options.privateKey,
      addresses: { listen: [...options.listen] },
      transports: [zonedTcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux({ streamOptions: { maxReadBufferLength: STREAM_READ_BUFFER } })],
      connectionGater: options.gater,
      connectionMonitor: { pingInterval: options.pingIntervalMs ?? 10_000 },
      metrics: () => counter,
      services: { identify: identify(), ping: ping(), ...lan }
    })
    return { host, counter }
  } catch (err) {
    throw wrapError('creating the libp2p host', err, 'NETWORK_FAILED')
  }
}
