import { createConnection } from 'node:net'
import fc from 'fast-check'
import { socketPath } from '../../node/control/api/socket-path.js'
import { BLOB_BATCH_PROTOCOL, BLOB_PROTOCOL } from '../../protocols/blob/constants.js'
import { HASH_PROTOCOL } from '../../protocols/hash/constants.js'
import { HISTORY_PROTOCOL } from '../../protocols/history/constants.js'
import { HOLD_PROTOCOL } from '../../protocols/hold/constants.js'
import { RSYNC_PROTOCOL } from '../../protocols/rsync/constants.js'
import { blobBatchCases, blobCases, hashCases, historyCases, holdCases, publishCases, rsyncCases, type Known, type PublishCase, type StreamCase } from './arbitraries.js'
import { controlCases, type ControlCase } from './control-arbitraries.js'
import { typedCode, type FuzzTarget } from './target.js'
import type { Outcome } from './wire.js'

/**
 * The fuzz properties (docs/fuzzing.md), shared by the CI tests in
 * test/fuzz/ and the long run (scripts/fuzz.ts). Each runs one case against
 * the target, then `FuzzTarget.check`: the property holds when nothing broke.
 */

export type SuiteName = 'protocols' | 'publish' | 'control'
export const SUITES: readonly SuiteName[] = ['protocols', 'publish', 'control']

/** A case prints as its arm and a summary, not megabytes of bytes. */
function printable<T extends { arm: string, note: string }> (c: T): T {
  return Object.assign(c, { [fc.toStringMethod]: () => `${c.arm}: ${c.note}${'chunks' in c ? ` ${hex((c as unknown as StreamCase).chunks)}` : ''}` })
}

function hex (chunks: readonly Uint8Array[]): string {
  const all = Buffer.concat(chunks.map((c) => Buffer.from(c)))
  return all.byteLength > 96 ? `${all.subarray(0, 96).toString('hex')}…` : all.toString('hex')
}

function known (t: FuzzTarget): Known {
  return { files: [...t.files.values()], sentinel: t.sentinel }
}

/** Frames written to the node's five protocol servers, as a household peer. */
export function streamArbitrary (t: FuzzTarget): fc.Arbitrary<StreamCase> {
  const k = known(t)
  return fc.oneof(...blobCases(k, BLOB_PROTOCOL), ...blobBatchCases(k, BLOB_BATCH_PROTOCOL), ...hashCases(k, HASH_PROTOCOL), ...rsyncCases(k, RSYNC_PROTOCOL), ...historyCases(k, HISTORY_PROTOCOL), ...holdCases(k, HOLD_PROTOCOL)).map(printable)
}

export async function runStreamCase (t: FuzzTarget, c: StreamCase): Promise<string[]> {
  await t.quiesce()
  let outcome: Outcome
  try {
    outcome = await t.exchange(c.protocol, c.chunks, { closeWrite: c.closeWrite, waitMs: c.waitMs })
  } catch {
    // Refused before a stream existed (the node reset it at negotiation): nothing untyped can have come back.
    outcome = { ending: 'refused', errors: [], replies: 0 }
  }
  const broken = await t.check(outcome)
  if (c.protocol !== HISTORY_PROTOCOL && outcome.replies > 0 && outcome.errors.length === 0 && reachesOutside(c)) {
    broken.push(`served a reply for a path outside the root (${c.note})`)
  }
  return broken
}

/** The request names a path through the symlink out of the root, or `..`. */
function reachesOutside (c: StreamCase): boolean {
  const text = Buffer.concat(c.chunks.map((x) => Buffer.from(x))).toString('latin1')
  return /escape\/|\.\.\/|sentinel/.test(text)
}

/** Histories published to the node (it subscribes to the fuzzer). */
export function publishArbitrary (t: FuzzTarget): fc.Arbitrary<PublishCase> {
  return fc.oneof(...publishCases(known(t))).map(printable)
}

export async function runPublishCase (t: FuzzTarget, c: PublishCase): Promise<string[]> {
  await t.quiesce()
  await t.publish({ frames: c.frames, content: c.content })
  // Whatever the node accepted is now jobs: let them run (and write) before checking.
  await t.settleAfterPublish()
  return await t.check()
}

/** Lines on the control socket. */
export function controlArbitrary (): fc.Arbitrary<ControlCase> {
  return fc.oneof(...controlCases()).map(printable)
}

const RPC_CODES = new Set([-32700, -32600, -32601, -32602, -32603, -32000, -32001])

export async function runControlCase (t: FuzzTarget, c: ControlCase): Promise<string[]> {
  await t.quiesce()
  const broken = await controlExchange(t, c)
  broken.push(...await t.check())
  return broken
}

/** Writes the case's lines on a fresh connection and checks every answer is a well-formed, typed JSON-RPC reply. */
async function controlExchange (t: FuzzTarget, c: ControlCase): Promise<string[]> {
  const broken: string[] = []
  const socket = createConnection(socketPath(t.dataDir))
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  const answered = new Set<unknown>()
  let rest = ''
  let closed = false
  let tooLong = false
  const done = new Promise<void>((resolve) => {
    let idle: NodeJS.Timeout | undefined
    const finish = (): void => { clearTimeout(idle); resolve() }
    const maybeDone = (): void => {
      if (c.expect.every((id) => answered.has(id))) {
        clearTimeout(idle)
        idle = setTimeout(finish, 100)
      }
    }
    socket.on('close', () => { closed = true; finish() })
    socket.on('error', () => {})
    socket.setEncoding('utf8')
    if (c.slowReader === true) {
      socket.pause()
      setTimeout(finish, 3_000)
      return
    }
    socket.on('data', (chunk: string) => {
      rest += chunk
      const lines = rest.split('\n')
      rest = lines.pop() ?? ''
      for (const line of lines) {
        let m: unknown
        try {
          m = JSON.parse(line)
        } catch {
          broken.push(`control reply is not JSON: ${line.slice(0, 200)}`)
          continue
        }
        for (const r of Array.isArray(m) ? m : [m]) {
          broken.push(...checkReply(r))
          const id = (r as { id?: unknown }).id
          if (id !== undefined) answered.add(id)
          if (/longer than/.test(String((r as { error?: { message?: unknown } }).error?.message))) tooLong = true
        }
      }
      maybeDone()
    })
    maybeDone()
    setTimeout(finish, 10_000)
  })
  socket.write(c.lines.map((l) => `${l}\n`).join(''))
  await done
  socket.destroy()
  if (!(closed && tooLong) && c.slowReader !== true) {
    const missing = c.expect.filter((id) => !answered.has(id))
    if (missing.length > 0) broken.push(`no answer to request id(s) ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`)
  }
  // A case may have stopped churten (`churten.stop`) or removed marks: put the job runner back.
  await t.restartChurten()
  return broken
}

/** One JSON-RPC answer: result or error, a known code, a typed `data.code` and no V8 message. */
function checkReply (r: unknown): string[] {
  if (r == null || typeof r !== 'object') return [`control reply is not an object: ${JSON.stringify(r)}`]
  const o = r as { jsonrpc?: unknown, method?: unknown, error?: { code?: unknown, message?: unknown, data?: { code?: unknown } } }
  if (o.jsonrpc !== '2.0') return [`control reply without jsonrpc 2.0: ${JSON.stringify(r).slice(0, 200)}`]
  if (o.method != null || o.error == null) return []
  const out: string[] = []
  const e = o.error
  if (!RPC_CODES.has(Number(e.code))) out.push(`control error with unknown JSON-RPC code ${String(e.code)}: ${String(e.message)}`)
  if (e.data != null && !typedCode(String(e.data.code))) out.push(`control error untyped (data.code ${JSON.stringify(e.data.code)}): ${String(e.message)}`)
  if (/Maximum call stack|Cannot read propert|is not a function|is not iterable|\b(?:Type|Range|Reference)Error\b/.test(JSON.stringify(e))) out.push(`control error with a V8 message: ${JSON.stringify(e).slice(0, 300)}`)
  return out
}

/** Runs the named suite's property: `numRuns` cases from `seed`. */
export async function checkSuite (t: FuzzTarget, suite: SuiteName, params: fc.Parameters<[unknown]>): Promise<fc.RunDetails<[unknown]>> {
  const prop = (arb: fc.Arbitrary<any>, run: (t: FuzzTarget, c: any) => Promise<string[]>): fc.IAsyncPropertyWithHooks<[unknown]> =>
    fc.asyncProperty(arb, async (c) => {
      const broken = await run(t, c)
      if (broken.length > 0) throw new Error(broken.join('\n'))
    })
  const p = suite === 'protocols'
    ? prop(streamArbitrary(t), runStreamCase)
    : suite === 'publish' ? prop(publishArbitrary(t), runPublishCase) : prop(controlArbitrary(), runControlCase)
  return await fc.check(p, params)
}
