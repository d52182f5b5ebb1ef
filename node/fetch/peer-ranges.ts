import { describeError, RealizeError } from '../../datastore/types/errors.js'
import { hashToHex } from '../../datastore/types/hash.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { RangeFetch } from '../blobs/range-read.js'
import type { UnrealFileStat } from '../unreal/unreal-tree.js'
import { NoPeerError } from './errors.js'
import type { RangeSource } from './source.js'

/**
 * A RangeFetch (node/blobs/range-read.ts) from the peers that have the
 * chosen version of a file, for on-demand reads (the mount, `cat`): peer
 * after peer, each continuing where the last stopped; a peer that sends no
 * byte for `silenceMs` is given up (a stalled or silent peer fails the read
 * in bounded time while a large range on a slow link still arrives).
 */
export interface PeerRangesOptions {
  source: RangeSource
  arena: string
  path: RelPath
  stat: UnrealFileStat
  silenceMs: number
}

/** Every peer that has the version failed or fell silent; the message names each and why. */
export class PeersFailedError extends RealizeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('PEERS_FAILED', message, options)
  }
}

export function peerRanges (o: PeerRangesOptions): RangeFetch {
  const { source, arena, path, stat } = o
  const hash = stat.chosen.hash
  return async (range, write, signal) => {
    const peers = source.peersWith(arena, stat.peers, hash)
    if (peers.length === 0) throw new NoPeerError(`${arena}/${path}: no connected peer has version ${hashToHex(hash).slice(0, 12)} (peers with it: ${peerNames(o)})`)
    const failures: string[] = []
    let next = range.start
    for (const peer of peers) {
      signal.throwIfAborted()
      const controller = new AbortController()
      const stop = (): void => { controller.abort(signal.reason) }
      signal.addEventListener('abort', stop, { once: true })
      let timer: NodeJS.Timeout | undefined
      const arm = (): void => {
        clearTimeout(timer)
        timer = setTimeout(() => { controller.abort(new PeersFailedError(`no bytes from ${source.name(peer)} for ${o.silenceMs} ms`)) }, o.silenceMs)
      }
      arm()
      try {
        await source.readPieces(peer, { arena, path, hash, offset: next, length: range.end - next }, async (data, offset) => {
          arm()
          await write(data, offset)
          next = offset + data.byteLength
        }, { signal: controller.signal })
        return
      } catch (err) {
        if (signal.aborted) throw err
        const why = controller.signal.aborted && controller.signal.reason instanceof PeersFailedError ? controller.signal.reason.message : describeError(err)
        failures.push(`${source.name(peer)}: ${why}`)
      } finally {
        clearTimeout(timer)
        signal.removeEventListener('abort', stop)
      }
    }
    throw new PeersFailedError(`${arena}/${path}: bytes [${next}, ${range.end}) could not be read from any peer (${failures.join('; ')})`)
  }
}

function peerNames (o: PeerRangesOptions): string {
  return o.stat.peers.map((p) => o.source.name(p.peer)).join(', ') || 'none'
}
