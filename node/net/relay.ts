import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { RelayConfig } from '../config/config.js'

/**
 * Circuit relay v2 for a household away from home (issue 17, docs/network.md
 * "Away from home"): a reachable node with `[relay] serve = true` relays
 * household peers (the gater refuses everyone else's reservations and
 * circuits, household.ts); every other node listens on `/p2p-circuit`, so it
 * reserves a slot on whichever household relay it is connected to.
 */

export type { CircuitRelayService }

/** How long a client waits for a reservation; a relay across the internet may be slow to answer. */
const RESERVATION_TIMEOUT_MS = 10_000

/**
 * libp2p's relay arms the duration limit with setTimeout (milliseconds): the
 * longest it takes. "No limit" is this, not 0 (which would end every circuit at once).
 */
const LONGEST_TIMER_MS = 2 ** 31 - 1
/** "No data limit": more than any household moves over one circuit. */
const NO_DATA_LIMIT = 2n ** 62n

/** The listen address that makes libp2p reserve a slot on relays it finds among connected peers. */
export const RESERVE_ON_RELAYS = '/p2p-circuit'

export function relayTransport (): ReturnType<typeof circuitRelayTransport> {
  return circuitRelayTransport({ reservationCompletionTimeout: RESERVATION_TIMEOUT_MS })
}

/**
 * The relay service. Limits apply per relayed connection (both directions
 * summed for data); with neither set the circuit is unlimited and libp2p
 * treats it like any connection. With one set, libp2p marks relayed
 * connections "limited", and every Realize protocol runs on them anyway
 * (protocols/common serve: runOnLimitedConnection); when a limit ends a
 * circuit the keeper dials again and gets a fresh one.
 */
export function relayServer (config: RelayConfig): ReturnType<typeof circuitRelayServer> {
  const limited = config.maxCircuitDurationMs > 0 || config.maxCircuitDataBytes > 0
  return circuitRelayServer({
    reservations: {
      // A household has a handful of machines; a full relay refuses the next one.
      maxReservations: 64,
      applyDefaultLimit: limited,
      defaultDurationLimit: config.maxCircuitDurationMs > 0 ? Math.min(config.maxCircuitDurationMs, LONGEST_TIMER_MS) : LONGEST_TIMER_MS,
      defaultDataLimit: config.maxCircuitDataBytes > 0 ? BigInt(config.maxCircuitDataBytes) : NO_DATA_LIMIT
    }
  })
}
