import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { createLibp2p, type Libp2p } from 'libp2p'
import { ByteCounter } from './byte-counter.js'
import { relayServer, relayTransport, RESERVE_ON_RELAYS, type CircuitRelayService } from './relay.js'
import { lanDiscovery, zonedTcp, MDNS_SERVICE_TAG, type LanDiscovery } from './mdns/index.js'
import { wrapError } from '../../datastore/types/errors.js'
import type { Identify } from '@libp2p/identify'
import type { Ping } from '@libp2p/ping'
import type { ConnectionGater } from '@libp2p/interface'
import type { Ed25519PrivateKey } from '../identity/identity.js'
import type { RelayConfig } from '../config/config.js'

/** `lan` is there when mDNS is on, `relay` when this node relays for the household. */
export type RealizeHost = Libp2p<{ identify: Identify, ping: Ping, lan?: LanDiscovery, relay?: CircuitRelayService }>

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
  /** Extra addresses to tell peers (a forwarded port, a DNS name). @default [] */
  announce?: readonly string[]
  /** `serve`: relay household peers; otherwise reserve a slot on a household relay. @default not a relay */
  relay?: RelayConfig
}

/**
 * The libp2p host (spec section 5): TCP on IPv4 and IPv6 (link-local with
 * its zone), Noise, Yamux, identify, ping, and mDNS on both families unless
 * turned off (node/net/mdns, {#ipv64}). Away from home (relay.ts): circuit
 * relay v2 (a relay for the household with `relay.serve`, else a slot on
 * one), DCUtR to upgrade a relayed connection to a direct one, AutoNAT to
 * learn which observed addresses are reachable. Byte counts per connection
 * come from `counter` {#conninfo}.
 */
export async function createHost (options: HostOptions): Promise<{ host: RealizeHost, counter: ByteCounter }> {
  const counter = new ByteCounter()
  const lan: { lan?: ReturnType<typeof lanDiscovery> } = options.mdns ? { lan: lanDiscovery({ interval: options.mdnsIntervalMs ?? 10_000, serviceTag: MDNS_SERVICE_TAG }) } : {}
  const serving = options.relay?.serve === true
  const relay: { relay?: ReturnType<typeof relayServer> } = serving && options.relay != null ? { relay: relayServer(options.relay) } : {}
  try {
    const host = await createLibp2p({
      start: false,
      privateKey: options.privateKey,
      // A relay is reachable itself; everyone else takes a slot on a household relay when connected to one.
      addresses: { listen: serving ? [...options.listen] : [...options.listen, RESERVE_ON_RELAYS], appendAnnounce: [...(options.announce ?? [])] },
      transports: [zonedTcp(), relayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux({ streamOptions: { maxReadBufferLength: STREAM_READ_BUFFER } })],
      connectionGater: options.gater,
      connectionMonitor: { pingInterval: options.pingIntervalMs ?? 10_000 },
      metrics: () => counter,
      services: { identify: identify(), ping: ping(), dcutr: dcutr(), autoNAT: autoNATv2(), ...lan, ...relay }
    })
    return { host, counter }
  } catch (err) {
    throw wrapError('creating the libp2p host', err, 'NETWORK_FAILED')
  }
}
