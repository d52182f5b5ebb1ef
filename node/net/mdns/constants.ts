/** mDNS service name: Realize nodes find each other, not every libp2p program on the LAN. */
export const MDNS_SERVICE_TAG = '_realize._udp.local'

/** The mDNS port and groups (RFC 6762 section 3): IPv4 and IPv6 link-local scope. */
export const MDNS_PORT = 5353
export const MDNS_GROUP_V4 = '224.0.0.251'
export const MDNS_GROUP_V6 = 'ff02::fb'

/** Query interval when none is set (as @libp2p/mdns). */
export const DEFAULT_QUERY_INTERVAL_MS = 10_000

/** TTL of our PTR and TXT records, seconds (as @libp2p/mdns). */
export const RECORD_TTL_S = 120

/** A TXT string holds at most 255 bytes (RFC 6763 section 6.1). */
export const MAX_TXT_BYTES = 255
