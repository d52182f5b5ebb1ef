import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { MAX_TXT_BYTES, RECORD_TTL_S } from './constants.js'
import type { Answer } from 'dns-packet'
import type { ResponsePacket } from 'multicast-dns'

/**
 * The records @libp2p/mdns exchanges, so its nodes and ours see each other
 * (libp2p/specs discovery/mdns.md): a PTR query for the service name; an
 * answer with a PTR to `<peerName>.<service>` and one TXT record
 * `dnsaddr=<multiaddr>/p2p/<PeerId>` per address. dns-packet (under
 * multicast-dns) does the encoding.
 */

export function ptrQuestion (serviceTag: string): Array<{ name: string, type: 'PTR' }> {
  return [{ name: serviceTag, type: 'PTR' }]
}

/** Our answer: `addrs` each end in /p2p/<our PeerId>; a TXT string over 255 bytes is left out. */
export function answerRecords (serviceTag: string, peerName: string, addrs: readonly Multiaddr[]): Answer[] {
  const host = `${peerName}.${serviceTag}`
  const answers: Answer[] = [{ name: serviceTag, type: 'PTR', class: 'IN', ttl: RECORD_TTL_S, data: host }]
  for (const a of addrs) {
    const data = `dnsaddr=${a.toString()}`
    if (Buffer.byteLength(data) > MAX_TXT_BYTES) continue
    answers.push({ name: host, type: 'TXT', class: 'IN', ttl: RECORD_TTL_S, data })
  }
  return answers
}

export interface Announcement {
  peerId: string
  /** Without /p2p/. */
  addrs: Multiaddr[]
}

/**
 * A response for `serviceTag`, read as @libp2p/mdns reads it: TXT records
 * from the answers and the additionals; the PeerId from the first address.
 * Undefined for other services or malformed records.
 */
export function parseAnnouncement (packet: ResponsePacket, serviceTag: string): Announcement | undefined {
  const all = [...(packet.answers ?? []), ...(packet.additionals ?? [])]
  if (!all.some((a) => a.type === 'PTR' && a.name === serviceTag)) return undefined
  const addrs: Multiaddr[] = []
  for (const a of all) {
    if (a.type !== 'TXT') continue
    const data = Array.isArray(a.data) ? a.data : [a.data]
    for (const d of data) {
      const s = d.toString()
      if (!s.startsWith('dnsaddr=')) continue
      try {
        addrs.push(multiaddr(s.slice('dnsaddr='.length)))
      } catch {
        // One bad address (a newer protocol, a typo) does not hide the others.
      }
    }
  }
  const peerId = addrs[0]?.getComponents().findLast((c) => c.code === CODE_P2P)?.value
  if (peerId == null) return undefined
  const own = addrs.filter((a) => a.getComponents().findLast((c) => c.code === CODE_P2P)?.value === peerId)
  return { peerId, addrs: own.map((a) => a.decapsulateCode(CODE_P2P)) }
}
