/**
 * Fault injection {#testretries}: a test-only hook through which a test
 * intercepts any peer operation of the data protocols — fail a write,
 * corrupt a chunk, drop a stream — to prove the layers above recover (a
 * failed write is repaired by rsync later, a bad rsync chunk falls back to a
 * plain copy of the range).
 *
 * Servers and clients take `faults?: Faults` in their options and call
 * `hit` at each point only when it is set, so production pays one
 * `undefined` check per chunk. `FaultPlan` is the implementation tests use.
 */
import { RealizeError } from '../datastore/types/errors.js'

/** Where a fault can strike; `send` is the serving side, `receive` the asking side. */
export type FaultPoint =
  | 'blob.send' | 'blob.receive'
  | 'hash.send' | 'hash.receive'
  | 'rsync.send' | 'rsync.receive'
  /** The asking side stores received bytes (WriteFn of blob and rsync clients). */
  | 'write'

export interface FaultContext {
  point: FaultPoint
  /** The remote peer's id. */
  peer: string
  arena: string
  path: string
  /** Where in the file the bytes go or come from, when there are bytes. */
  offset?: number
}

/** What a protocol hands the hook so that it can drop the stream. */
export interface FaultStream {
  abort: (err: Error) => void
}

export interface Faults {
  /**
   * Called with the bytes about to move (if any): returns the bytes to use
   * instead (corrupt), or throws (fail), or aborts `stream` and throws (drop).
   */
  hit: (ctx: FaultContext, data: Uint8Array | undefined, stream: FaultStream | undefined) => Uint8Array | undefined
}

/** The error an injected failure throws; tests match on the code. */
export class InjectedFault extends RealizeError {
  constructor (what: string) {
    super('INJECTED_FAULT', `injected fault: ${what}`)
  }
}

/** `corrupt` flips one byte in the middle of the bytes; `garble` flips every byte. */
export type FaultAction = 'fail' | 'corrupt' | 'garble' | 'drop'

export interface FaultRule {
  point: FaultPoint
  action: FaultAction
  /** Only where this holds (default: everywhere). */
  when?: (ctx: FaultContext) => boolean
  /** Strikes this many times, then stays quiet (default 1). */
  times?: number
  /** For `fail`: the error to throw (default InjectedFault). */
  error?: () => Error
}

export interface FaultRecord {
  ctx: FaultContext
  action: FaultAction
}

/** A test's list of faults to inject; `hits` records each one that struck. */
export class FaultPlan implements Faults {
  readonly hits: FaultRecord[] = []
  private readonly rules: Array<Required<Pick<FaultRule, 'times'>> & FaultRule> = []

  add (rule: FaultRule): this {
    this.rules.push({ ...rule, times: rule.times ?? 1 })
    return this
  }

  fail (point: FaultPoint, when?: FaultRule['when'], times?: number): this {
    return this.add({ point, action: 'fail', when, times })
  }

  corrupt (point: FaultPoint, when?: FaultRule['when'], times?: number): this {
    return this.add({ point, action: 'corrupt', when, times })
  }

  garble (point: FaultPoint, when?: FaultRule['when'], times?: number): this {
    return this.add({ point, action: 'garble', when, times })
  }

  drop (point: FaultPoint, when?: FaultRule['when'], times?: number): this {
    return this.add({ point, action: 'drop', when, times })
  }

  hit (ctx: FaultContext, data: Uint8Array | undefined, stream: FaultStream | undefined): Uint8Array | undefined {
    const rule = this.rules.find((r) => r.times > 0 && r.point === ctx.point && (r.when == null || r.when(ctx)))
    if (rule == null) return data
    // A corruption needs bytes to corrupt; wait for a hit that has some.
    if ((rule.action === 'corrupt' || rule.action === 'garble') && (data == null || data.byteLength === 0)) return data
    rule.times--
    this.hits.push({ ctx: { ...ctx }, action: rule.action })
    const where = `${ctx.point} ${ctx.arena}/${ctx.path}${ctx.offset == null ? '' : ` at ${ctx.offset}`}`
    switch (rule.action) {
      case 'fail':
        throw rule.error?.() ?? new InjectedFault(`${where} failed`)
      case 'drop': {
        const err = new InjectedFault(`${where}: stream dropped`)
        stream?.abort(err)
        throw err
      }
      case 'corrupt': {
        // A copy: the original may be a buffer the sender still uses.
        const bad = Uint8Array.from(data!)
        bad[bad.byteLength >> 1] = bad[bad.byteLength >> 1]! ^ 0xff
        return bad
      }
      case 'garble':
        return data!.map((b) => b ^ 0xff)
    }
  }
}
