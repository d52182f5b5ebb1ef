import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { parseArgs } from 'node:util'
import { describeError } from '../../datastore/types/errors.js'
import { asError } from '../../protocols/common/errors.js'

/**
 * A stranger on the internet who knows a household relay's address (issue
 * 17): a stock libp2p node with a fresh key and the circuit relay transport
 * that (1) asks the relay for a slot the way libp2p does, by listening on
 * `<relay>/p2p-circuit`, and waits up to `--wait-ms` for a relayed address;
 * (2) dials a household peer through the relay. Prints one JSON report on
 * stdout; exit 0 whatever happened (the test judges the report).
 *
 *   node relay-stranger.js --relay MULTIADDR/p2p/RELAY --target PEERID [--wait-ms MS]
 */
export interface RelayStrangerReport {
  peerId: string
  /** 'ok <relayed addresses>' or the error chain. */
  reservation: string
  /** 'ok <remote address>' or the error chain. */
  relayedDial: string
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { relay: { type: 'string' }, target: { type: 'string' }, 'wait-ms': { type: 'string', default: '10000' } } })
  if (values.relay == null || values.target == null) throw new Error('usage: --relay MULTIADDR --target PEERID')
  const host = await createLibp2p({
    addresses: { listen: ['/ip4/0.0.0.0/tcp/0'] },
    transports: [tcp(), circuitRelayTransport({ reservationCompletionTimeout: 5_000 })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  await host.start()
  const report: RelayStrangerReport = { peerId: host.peerId.toString(), reservation: '', relayedDial: '' }
  try {
    report.reservation = await attempt(async () => await reserve(host, values.relay as string, Number(values['wait-ms'])))
    report.relayedDial = await attempt(async () => (await host.dial(multiaddr(`${values.relay as string}/p2p-circuit/p2p/${values.target as string}`), { signal: AbortSignal.timeout(10_000) })).remoteAddr.toString())
  } finally {
    await host.stop()
  }
  process.stdout.write(`${JSON.stringify(report)}\n`)
}

type Host = Awaited<ReturnType<typeof createLibp2p>>

/** libp2p's own way to take a slot on one relay: listen on its circuit address; a slot shows as a /p2p-circuit address of ours. */
async function reserve (host: Host, relay: string, waitMs: number): Promise<string> {
  const relayed = (): string[] => host.getMultiaddrs().map(String).filter((a) => a.includes('/p2p-circuit'))
  const listening = new Promise<void>((resolve) => {
    const check = (): void => { if (relayed().length > 0) { host.removeEventListener('self:peer:update', check); resolve() } }
    host.addEventListener('self:peer:update', check)
  })
  // The transport manager is not public API; listening on a relay address after start is what `addresses.listen` does at start.
  const tm = (host as unknown as { components: { transportManager: { listen: (addrs: ReturnType<typeof multiaddr>[]) => Promise<void> } } }).components.transportManager
  await tm.listen([multiaddr(`${relay}/p2p-circuit`)])
  await Promise.race([listening, new Promise((resolve) => setTimeout(resolve, waitMs))])
  if (relayed().length === 0) throw new Error(`no relayed address after ${waitMs} ms`)
  return relayed().join(' ')
}

async function attempt (what: () => Promise<string>): Promise<string> {
  try {
    return `ok ${await what()}`
  } catch (err) {
    return describeError(asError(err))
  }
}

main().catch((err) => {
  process.stderr.write(`relay-stranger: ${describeError(err)}\n`)
  process.exitCode = 1
})
