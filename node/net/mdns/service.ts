import { randomBytes } from 'node:crypto'
import { peerDiscoverySymbol, serviceCapabilities, TypedEventEmitter, type ComponentLogger, type Logger, type PeerDiscovery, type PeerDiscoveryEvents, type PeerId, type Startable } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import multicastDNS, { type MulticastDNS, type QueryPacket, type ResponsePacket } from 'multicast-dns'
import { DEFAULT_QUERY_INTERVAL_MS, MDNS_GROUP_V4, MDNS_GROUP_V6, MDNS_PORT, MDNS_SERVICE_TAG } from './constants.js'
import { ipv6Interfaces, localAddrs, onLinkIface, splitZone } from './interfaces.js'
import { announced, dialable, type Arrival } from './reach.js'
import { answerRecords, parseAnnouncement, ptrQuestion } from './records.js'
import type { RemoteInfo } from 'node:dgram'

export interface LanDiscoveryInit {
  /** @default MDNS_SERVICE_TAG */
  serviceTag?: string
  /** Query interval. @default 10_000 */
  interval?: number
  /** UDP port (tests only). @default 5353 */
  port?: number
}

export interface LanDiscoveryComponents {
  peerId: PeerId
  /** The part of libp2p's address manager used (its type lives in @libp2p/interface-internal). */
  addressManager: { getAddresses: () => Multiaddr[], getListenAddrs: () => Multiaddr[] }
  logger: ComponentLogger
}

/** A peer heard on the LAN: over which family, from which address, and what we can dial. */
export interface Heard {
  peerId: string
  family: 4 | 6
  /** The answer's sender; link-local ones with our interface (`fe80::1%eth0`). */
  from: string
  /** The addresses we can reach, link-local ones zoned. */
  addrs: Multiaddr[]
}

export interface LanDiscoveryEvents extends PeerDiscoveryEvents {
  heard: CustomEvent<Heard>
}

/**
 * mDNS peer discovery on IPv4 and IPv6 {#ipv64}, on the wire the same as
 * @libp2p/mdns (records.ts):
 *
 *   udp4 socket, 224.0.0.251 ──┐ query every `interval`; answer queries
 *   udp6 socket, ff02::fb on   ├─> answers ─> dialable (reach.ts) ─> 'peer' (libp2p's peer store)
 *     every IPv6 interface ────┘                                  └─> 'heard' (peers --discovered)
 *
 * The IPv6 socket joins the group on each interface and sends to
 * `ff02::fb%<iface>` one interface at a time, so an answer carries the
 * link-local address of the link it goes out on; it is rebuilt when the
 * set of IPv6 interfaces changes (a cable plugged in, a VPN up).
 */
export class LanDiscovery extends TypedEventEmitter<LanDiscoveryEvents> implements PeerDiscovery, Startable {
  readonly [peerDiscoverySymbol] = this
  readonly [Symbol.toStringTag] = 'realize:lan-discovery'
  readonly [serviceCapabilities] = ['@libp2p/peer-discovery']

  private readonly serviceTag: string
  private readonly interval: number
  private readonly port: number
  /** Random, like @libp2p/mdns's: names our records without giving out anything. */
  private readonly peerName = randomBytes(24).toString('hex')
  private readonly log: Logger
  private v4: MulticastDNS | undefined
  private v6: { mdns: MulticastDNS, ifaces: string[] } | undefined
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly components: LanDiscoveryComponents, init: LanDiscoveryInit = {}) {
    super()
    this.serviceTag = init.serviceTag ?? MDNS_SERVICE_TAG
    this.interval = init.interval ?? DEFAULT_QUERY_INTERVAL_MS
    this.port = init.port ?? MDNS_PORT
    this.log = components.logger.forComponent('realize:lan-discovery')
  }

  isStarted (): boolean {
    return this.timer != null
  }

  async start (): Promise<void> {
    if (this.timer != null) return
    this.v4 = this.open(multicastDNS({ port: this.port, ip: MDNS_GROUP_V4 }), 4)
    this.tick()
    this.timer = setInterval(() => { this.tick() }, this.interval)
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await Promise.all([close(this.v4), close(this.v6?.mdns)])
    this.v4 = undefined
    this.v6 = undefined
  }

  /** Follows the IPv6 interfaces, then asks every link who is there. */
  private tick (): void {
    const ifaces = ipv6Interfaces(localAddrs())
    if (this.v6?.ifaces.join() !== ifaces.join()) {
      void close(this.v6?.mdns)
      this.v6 = ifaces.length === 0
        ? undefined
        : { ifaces, mdns: this.open(multicastDNS({ type: 'udp6', port: this.port, ip: MDNS_GROUP_V6, interface: ifaces.map((i) => `::%${i}`) as unknown as string, bind: '::' }), 6) }
    }
    const questions = ptrQuestion(this.serviceTag)
    this.v4?.query({ questions })
    for (const iface of this.v6?.ifaces ?? []) this.v6?.mdns.query({ questions }, { port: this.port, address: `${MDNS_GROUP_V6}%${iface}` })
  }

  private open (mdns: MulticastDNS, family: 4 | 6): MulticastDNS {
    mdns.on('query', (q: QueryPacket, rinfo: RemoteInfo) => { this.onQuery(mdns, family, q, rinfo) })
    mdns.on('response', (r: ResponsePacket, rinfo: RemoteInfo) => { this.onResponse(family, r, rinfo) })
    // A missing route or a vanished interface: the other family or the next tick may still work.
    mdns.on('warning', (err: Error) => { this.log('mDNS IPv%d warning - %e', family, err) })
    mdns.on('error', (err: Error) => { this.log.error('mDNS IPv%d socket failed - %e', family, err) })
    return mdns
  }

  private onQuery (mdns: MulticastDNS, family: 4 | 6, q: QueryPacket, rinfo: RemoteInfo): void {
    if (q.questions?.[0]?.name !== this.serviceTag) return
    const locals = localAddrs()
    const own = this.components.addressManager.getAddresses()
    const peerId = this.components.peerId.toString()
    if (family === 4) {
      const answers = answerRecords(this.serviceTag, this.peerName, announced(own, peerId, locals, undefined))
      if (answers.length > 1) mdns.respond(answers)
      return
    }
    const sender = splitZone(rinfo.address)
    const iface = sender.zone ?? onLinkIface(locals, sender.ip)
    if (iface == null) return
    const answers = answerRecords(this.serviceTag, this.peerName, announced(own, peerId, locals, { iface, tcpPort: this.ipv6WildcardPort(own) }))
    if (answers.length > 1) mdns.respond(answers, { port: this.port, address: `${MDNS_GROUP_V6}%${iface}` })
  }

  /** The TCP port on `::` (which accepts link-local connections too); undefined when TCP does not listen there. */
  private ipv6WildcardPort (own: readonly Multiaddr[]): number | undefined {
    for (const l of this.components.addressManager.getListenAddrs()) {
      const [ip, tcp] = l.getComponents()
      if (ip?.name !== 'ip6' || ip.value !== '::' || tcp?.name !== 'tcp') continue
      if (tcp.value !== '0') return Number(tcp.value)
      // Port 0 in the config: the one bound, from any IPv6 address (they share it).
      const bound = own.map((a) => a.getComponents()).find((c) => c[0]?.name === 'ip6' && c[1]?.name === 'tcp')
      return bound?.[1]?.value == null ? undefined : Number(bound[1].value)
    }
    return undefined
  }

  private onResponse (family: 4 | 6, r: ResponsePacket, rinfo: RemoteInfo): void {
    const found = parseAnnouncement(r, this.serviceTag)
    if (found == null || found.peerId === this.components.peerId.toString()) return
    const arrival: Arrival = { family, from: rinfo.address }
    const addrs = dialable(found.addrs, arrival, localAddrs())
    if (addrs.length === 0) {
      this.log('%s answered over IPv%d from %s with no address we can reach: %s', found.peerId, family, rinfo.address, found.addrs.map(String).join(' '))
      return
    }
    let id: PeerId
    try {
      id = peerIdFromString(found.peerId)
    } catch (err) {
      this.log('bad PeerId %s in an mDNS answer from %s - %e', found.peerId, rinfo.address, err)
      return
    }
    this.safeDispatchEvent('heard', { detail: { peerId: found.peerId, family, from: rinfo.address, addrs } })
    this.safeDispatchEvent('peer', { detail: { id, multiaddrs: addrs.map((a) => multiaddr(a.toString())) } })
  }
}

async function close (mdns: MulticastDNS | undefined): Promise<void> {
  if (mdns == null) return
  await new Promise<void>((resolve) => { mdns.destroy(() => { resolve() }) })
}
