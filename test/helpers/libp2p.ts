import { createHost, type RealizeHost } from '../../node/net/host.js'
import { Household } from '../../node/net/household.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { silentLogger, type Logger } from '../../node/log.js'
import { newIdentity } from './net.js'
import type { PeerConfig } from '../../node/config/config.js'
import type { ServeComponents } from '../../protocols/common/serve.js'

/**
 * Bare libp2p hosts for protocol tests: the real host (TCP on 127.0.0.1,
 * Noise, Yamux; node/net/host.ts) with a real Household gater, and no
 * node around it, so a test registers exactly the handlers it tests.
 */
export interface TestHost {
  name: string
  host: RealizeHost
  household: Household
  peerId: string
  /** What `serve` and the clients need. */
  components: ServeComponents
  /** Arenas this host has (the household shares only these). */
  arenas: string[]
  members: PeerConfig[]
}

export async function testHost (name: string, arenas: string[] = ['docs'], log: Logger = silentLogger): Promise<TestHost> {
  const identity = await newIdentity()
  const configArenas = arenas.map((a) => ({ name: parseArenaName(a), mark: 'watch' as const }))
  const household = new Household([], configArenas)
  const { host } = await createHost({ privateKey: identity.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], gater: household.gater(), mdns: false, pingIntervalMs: 60_000 })
  await host.start()
  return { name, host, household, peerId: identity.peerId.toString(), components: { host, peers: household, log }, arenas, members: [] }
}

/**
 * Makes `b` a household member of `a` (sharing `arenas`, default every
 * arena) and tells `a` where `b` listens. Call both ways for a household.
 */
export async function admit (a: TestHost, b: TestHost, arenas?: string[]): Promise<void> {
  const member: PeerConfig = { name: b.name, id: b.peerId, addrs: [] }
  if (arenas != null) member.arenas = arenas.map(parseArenaName)
  a.members = [...a.members.filter((m) => m.id !== b.peerId), member]
  a.household.update(a.members, a.arenas.map((n) => ({ name: parseArenaName(n), mark: 'watch' as const })))
  await a.host.peerStore.merge(b.host.peerId, { multiaddrs: b.host.getMultiaddrs() })
}

/** Tells `a` where `b` listens without admitting it (for strangers). */
export async function introduce (a: TestHost, b: TestHost): Promise<void> {
  await a.host.peerStore.merge(b.host.peerId, { multiaddrs: b.host.getMultiaddrs() })
}

export async function stopHosts (...hosts: Array<TestHost | undefined>): Promise<void> {
  await Promise.allSettled(hosts.map(async (h) => { await h?.host.stop() }))
}
