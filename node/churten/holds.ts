import { HOLD_LEASE_MS } from '../../protocols/hold/constants.js'
import { HoldRefusedError } from '../../protocols/hold/errors.js'
import { RealizeError } from '../../datastore/types/errors.js'
import { hashEquals, hashToHex, type Hash } from '../../datastore/types/hash.js'
import type { IndexEntry } from '../../datastore/tables/index-table.js'
import type { RelPath } from '../../datastore/types/path.js'

/**
 * This node's side of the hold handshake (docs/consensus.md, "Hold before
 * unrealize"; protocols/hold): the leases it granted and the drops it has
 * under way, so that of two nodes dropping the same version at once exactly
 * one goes on (docs/reliability.md, class 7).
 *
 *   peer asks to hold (P, H) ─> H real at P here? no ─> refuse
 *                             ─> our drop of (P, H) moving the file? ─> refuse
 *                             ─> our drop of (P, H) pending? peer's id lower ─> cancel ours, grant
 *                                                            else          ─> refuse
 *                             ─> grant: lease until now + HOLD_LEASE_MS
 *
 *   our drop of (P, H): lease granted? ─> HeldError (retried when the lease ends)
 *                     ─> ask peers to hold ─> commit(): cancelled (so leased) meanwhile? ─> HeldError
 *                                          ─> move the file, then end()
 *
 * JS runs one callback at a time: `commit()` checks and switches to
 * "moving" in one step, so no grant slips between the check and the move.
 */
export interface HoldsOptions {
  /** This node's PeerId: of two nodes dropping one version at once, the lower one goes on. */
  self: string
  /** The index entry of `path` in `arena`, or undefined when not real here (unknown or paused arena included). */
  real: (arena: string, path: RelPath) => Promise<IndexEntry | undefined>
  /** @default HOLD_LEASE_MS */
  leaseMs?: number
  now?: () => number
}

/** We promised a peer to keep this version real (a peer dropping it went first): retried when the lease ends. */
export class HeldError extends RealizeError {
  /** @param until when the lease ends (ms since the epoch) */
  constructor (message: string, readonly until: number) {
    super('HELD_FOR_PEER', message)
  }
}

/** One drop under way, from asking peers to the index no longer listing the file. */
export interface DropTicket {
  /** Right before moving the file: throws HeldError if a grant cancelled the drop meanwhile. */
  commit: () => void
  /** The drop is over (moved or failed). */
  end: () => void
}

interface Drop { cancelled: boolean, moving: boolean }

export class Holds {
  /** Expiry (ms) of the leases granted, by arena/path/hash. */
  private readonly leases = new Map<string, number>()
  private readonly drops = new Map<string, Drop>()
  /** Drops that moved a file so far: an index read one of them overtook is read again. */
  private moved = 0

  constructor (private readonly options: HoldsOptions) {}

  private now (): number { return (this.options.now ?? Date.now)() }

  private leasedUntil (k: string): number | undefined {
    const until = this.leases.get(k)
    if (until == null) return undefined
    if (until > this.now()) return until
    this.leases.delete(k)
    return undefined
  }

  /** A peer's hold request: the lease in ms, or HoldRefusedError. */
  async grant (peer: string, arena: string, path: RelPath, hash: Hash): Promise<number> {
    const k = key(arena, path, hash)
    const where = `${arena}/${path} at ${hashToHex(hash).slice(0, 12)}`
    let real: IndexEntry | undefined
    for (let tries = 0; ; tries++) {
      // A drop of ours that moved the file while we read would leave the read stale.
      const before = this.moved
      real = await this.options.real(arena, path)
      if (this.moved === before) break
      if (tries >= 3) throw new HoldRefusedError(`${where}: this node is unrealizing files right now; ask again`)
    }
    if (real == null || !hashEquals(real.hash, hash)) throw new HoldRefusedError(`${where}: not real here`)
    if (real.removedByPeer === true || real.outdatedBy != null) throw new HoldRefusedError(`${where}: real here, but about to be ${real.removedByPeer === true ? 'removed' : 'replaced'}`)
    const drop = this.drops.get(k)
    if (drop?.moving === true) throw new HoldRefusedError(`${where}: this node is unrealizing it now`)
    if (drop != null && !drop.cancelled) {
      if (!(peer < this.options.self)) throw new HoldRefusedError(`${where}: this node is unrealizing it too, and goes first`)
      drop.cancelled = true
    }
    this.prune()
    const ms = this.options.leaseMs ?? HOLD_LEASE_MS
    this.leases.set(k, Math.max(this.leases.get(k) ?? 0, this.now() + ms))
    return ms
  }

  /** Starts a drop of our real copy; throws HeldError while we hold the version for a peer. */
  beginDrop (arena: string, path: RelPath, hash: Hash): DropTicket {
    const k = key(arena, path, hash)
    const held = (): HeldError | undefined => {
      const until = this.leasedUntil(k)
      if (until == null) return undefined
      const why = drop?.cancelled === true ? 'a peer unrealizing the same version went first, and' : 'a peer unrealizing the same version'
      return new HeldError(`${arena}/${path}: ${why} was promised this copy stays real until ${new Date(until).toISOString()}; tried again then`, until)
    }
    let drop: Drop | undefined
    const refused = held()
    if (refused != null) throw refused
    drop = { cancelled: false, moving: false }
    const mine = drop
    this.drops.set(k, mine)
    return {
      commit: () => {
        // A cancel always comes with a lease (grant), so the lease check covers it.
        const err = held()
        if (err != null) throw err
        mine.moving = true
      },
      end: () => {
        if (mine.moving) this.moved++
        if (this.drops.get(k) === mine) this.drops.delete(k)
      }
    }
  }

  /** Forgets expired leases (they are checked on use; this bounds the map). */
  private prune (): void {
    const now = this.now()
    for (const [k, until] of this.leases) if (until <= now) this.leases.delete(k)
  }
}

function key (arena: string, path: RelPath, hash: Hash): string {
  return `${arena}\0${path}\0${hashToHex(hash)}`
}
