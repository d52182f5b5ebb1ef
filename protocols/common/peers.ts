/**
 * What the protocols need to know about the household, implemented by
 * node/net/household.ts. Protocols check every stream against it again even
 * though the connection gater already refused strangers.
 */
export interface HouseholdPeer {
  /** The name in realize.toml (`laptop`); used in messages. */
  name: string
  /** Canonical PeerId string. */
  id: string
}

export interface PeerDirectory {
  /** The household member with this PeerId, or undefined for a stranger. */
  member: (peerId: string) => HouseholdPeer | undefined
  /** True when `arena` is configured here and shared with that peer. */
  shares: (peerId: string, arena: string) => boolean
}

/**
 * How messages and logs name a peer {#errormsg}: its household name from
 * realize.toml (`[peers.laptop]` -> `laptop`), or its PeerId when it has
 * none (a stranger, or a peer removed meanwhile).
 */
export function peerLabel (peers: Pick<PeerDirectory, 'member'> | undefined, peerId: string): string {
  return peers?.member(peerId)?.name ?? peerId
}
