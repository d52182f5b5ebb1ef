import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { MDNS_SERVICE_TAG } from '../../node/net/mdns/index.js'

/**
 * A stock libp2p node with @libp2p/mdns (IPv4 only) and Realize's service
 * name, to check that Realize's discovery is the same on the wire
 * {#ipv64}. Prints `id <PeerId>` once listening, then `found <PeerId>
 * <addr>...` per peer discovered; runs until killed.
 */
const host = await createLibp2p({
  addresses: { listen: ['/ip4/0.0.0.0/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  peerDiscovery: [mdns({ interval: 1_000, serviceTag: MDNS_SERVICE_TAG })]
})
host.addEventListener('peer:discovery', (evt) => {
  process.stdout.write(`found ${evt.detail.id.toString()} ${evt.detail.multiaddrs.map(String).join(' ')}\n`)
})
await host.start()
process.stdout.write(`id ${host.peerId.toString()} ${host.getMultiaddrs().map(String).join(' ')}\n`)
process.on('SIGTERM', () => { process.exit(0) })
