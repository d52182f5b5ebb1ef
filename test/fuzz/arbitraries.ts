import fc from 'fast-check'
import { weakSum } from '../../protocols/rsync/algorithm/rolling.js'
import { hashBytes } from '../../node/real/hasher.js'
import { armEnabled } from './pending.js'
import { bytes, concat, encodeMessage, frame, msg, str, uint, type Field, type Prefix } from './proto.js'

/**
 * Generators for the fuzz suite (docs/fuzzing.md): valid-looking messages
 * aimed at what the node really has, and the same broken in every way a
 * hostile household peer could break them. Everything is built from a
 * `Known` (the target's files and the sentinel outside the root), so most
 * cases get past the first check and reach deeper code.
 */

export interface Known {
  files: Array<{ path: string, size: number, hash: Uint8Array, data: Uint8Array }>
  /** Absolute path of the sentinel directory beside the root. */
  sentinel: string
}

const enc = new TextEncoder()
const U64_MAX = 2n ** 64n - 1n

/** Numbers at the edges: 0, -1 (as a 10-byte varint), 2^31, 2^32, 2^53 ± 1, 2^63, u64 max. */
export const edgeNumber: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, U64_MAX),
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.nat(4 * 1024 * 1024).map(BigInt)
)

/**
 * One path component: names the target has (`escape` is the symlink out of
 * the root), `..`, `.`, empty, NUL, unicode in both normal forms, RTL
 * override, a lone surrogate (encoded as U+FFFD), long names.
 */
function component (symlinkDirs: boolean): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('small.txt', 'data.bin', 'zeros.bin', 'sub', 'inner.txt', 'private', 'secret.txt', ...(symlinkDirs ? ['escape', 'outside.txt', 'newdir-bait'] : [])) },
    { weight: 2, arbitrary: fc.constantFrom('..', '.', '', 'a\0b', '\u00e9t\u00e9', 'e\u0301te\u0301', '\u202etxt.exe', '\u05e9\u05dc\u05d5\u05dd', '\ud800', '\ud83d\ude00', '~', ' ', 'CON', '\\..\\x', '%2e%2e') },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.integer({ min: 250, max: 5000 }).map((n) => 'x'.repeat(n)) }
  )
}

export interface PathOptions {
  /** Paths through `escape` (the symlink out of the root). */
  symlinkDirs: boolean
  /** Thousands of components. */
  deep: boolean
}

/** A path as the bytes of a protobuf string: mostly text, sometimes invalid UTF-8. */
export function pathBytes (k: Known, o: PathOptions): fc.Arbitrary<Uint8Array> {
  const text: Array<fc.Arbitrary<string>> = [
    fc.constantFrom(...k.files.map((f) => f.path)),
    fc.array(component(o.symlinkDirs), { minLength: 1, maxLength: 6 }).map((c) => c.join('/')),
    fc.constantFrom('/etc/passwd', `${k.sentinel}/outside.txt`, 'sub/../small.txt', '../sentinel/outside.txt', 'sub//inner.txt', 'sub/', 'small.txt/', ''),
    fc.integer({ min: 2, max: 200 }).map((n) => `${'d/'.repeat(n)}f`)
  ]
  if (o.symlinkDirs) text.push(fc.constantFrom('escape/outside.txt', 'escape/newdir-bait/f', 'escape/../small.txt'))
  if (o.deep) text.push(fc.integer({ min: 1000, max: 40_000 }).map((n) => `${'d/'.repeat(n)}f`))
  return fc.oneof(
    { weight: 9, arbitrary: fc.oneof(...text).map((s) => enc.encode(s)) },
    // Invalid UTF-8: a stray continuation byte, an overlong '/', a surrogate encoded directly.
    { weight: 1, arbitrary: fc.constantFrom(Uint8Array.from([0x61, 0xff, 0x62]), Uint8Array.from([0x2e, 0x2e, 0xc0, 0xaf, 0x78]), Uint8Array.from([0xed, 0xa0, 0x80])) }
  )
}

/** Arenas: the shared one mostly, then one not shared with the fuzzer, unknown, malformed, huge. */
export const arenaName: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('docs') },
  { weight: 2, arbitrary: fc.constantFrom('private', 'nope', '', '../docs', 'docs\0', 'Docs', 'docs/', '\u202edocs') },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 100_000 }).map((n) => 'a'.repeat(n)) }
)

/** A content hash: right for some file, another file's, random, of the wrong length. */
export function hashArb (k: Known): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...k.files.map((f) => f.hash)) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) },
    { weight: 1, arbitrary: fc.constantFrom(new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), new Uint8Array(32)) }
  )
}

/** Offset and length: inside a file, past its end, at the numeric edges. */
export function range (k: Known): fc.Arbitrary<{ offset: bigint, length: bigint }> {
  const sizes = k.files.map((f) => f.size)
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...sizes).chain((size) => fc.nat(size).chain((offset) => fc.nat(size - offset).map((length) => ({ offset: BigInt(offset), length: BigInt(length) })))) },
    { weight: 1, arbitrary: fc.constantFrom(...sizes).chain((size) => fc.nat(size + 10).map((o) => ({ offset: BigInt(o), length: BigInt(size) }))) },
    { weight: 1, arbitrary: fc.record({ offset: edgeNumber, length: edgeNumber }) }
  )
}

/**
 * Breaks a message's fields the ways a decoder must survive: a field in the
 * wrong wire type, an inner length that lies, unknown and reserved (15, the
 * error frame) fields, duplicates, a dropped field.
 */
export function breakFields (fields: Field[]): fc.Arbitrary<Field[]> {
  if (fields.length === 0) return fc.constant(fields)
  const at = fc.nat(fields.length - 1)
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant(fields) },
    { weight: 1, arbitrary: fc.tuple(at, fc.constantFrom(0, 1, 2, 5, 3, 4, 6, 7)).map(([i, wire]) => fields.map((f, j) => j === i ? { ...f, wire: wire as Field['wire'] } : f)) },
    { weight: 1, arbitrary: fc.tuple(at, fc.oneof(fc.nat(40), fc.constantFrom(2 ** 31 - 1, 2 ** 32 - 1))).map(([i, lie]) => fields.map((f, j) => j === i && f.wire === 2 ? { ...f, lieLength: lie } : f)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(9, 15, 1000, 2 ** 29 - 1), fc.uint8Array({ maxLength: 40 })).map(([no, b]) => [...fields, { no, wire: 2 as const, value: b }]) },
    { weight: 1, arbitrary: at.map((i) => [...fields, fields[i] as Field]) },
    { weight: 1, arbitrary: at.map((i) => fields.filter((_, j) => j !== i)) }
  )
}

/** A frame's length prefix: mostly honest; else lying (short or long), over-long varint, oversized announcement. */
export const prefix: fc.Arbitrary<Prefix | 'oversize'> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Prefix>({ kind: 'exact' }) },
  { weight: 1, arbitrary: fc.nat(2000).map((length): Prefix => ({ kind: 'lie', length })) },
  { weight: 1, arbitrary: fc.constant<Prefix>({ kind: 'overlong' }) },
  { weight: 1, arbitrary: fc.constant<'oversize'>('oversize') }
)

/** Frames of `bodies` with the prefix applied to the first; cut short and split into writes of random sizes. */
export function framed (bodies: Uint8Array[]): fc.Arbitrary<{ chunks: Uint8Array[], closeWrite: boolean }> {
  return fc.record({
    p: prefix,
    cut: fc.option(fc.nat(), { freq: 8 }),
    split: fc.nat(3),
    closeWrite: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) })
  }).map(({ p, cut, split, closeWrite }) => {
    const first = p === 'oversize' ? concat([Uint8Array.from([0x80, 0x80, 0x80, 0x20]), bodies[0] ?? new Uint8Array(0)]) : frame(bodies[0] ?? new Uint8Array(0), p)
    let all = concat([first, ...bodies.slice(1).map((b) => frame(b))])
    if (cut != null) all = all.subarray(0, cut % (all.byteLength + 1))
    const chunks: Uint8Array[] = []
    const size = Math.max(1, Math.ceil(all.byteLength / (split + 1)))
    for (let i = 0; i < all.byteLength; i += size) chunks.push(all.subarray(i, i + size))
    return { chunks, closeWrite }
  })
}

/** Raw garbage on a stream: random bytes, a zero-length frame, frames of random bytes. */
export const garbage: fc.Arbitrary<Uint8Array[]> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b): Uint8Array[] => [b]),
  fc.constant<Uint8Array[]>([Uint8Array.from([0])]),
  fc.array(fc.uint8Array({ maxLength: 64 }).map((b) => frame(b)), { maxLength: 5 }).map((b): Uint8Array[] => b)
)

/** One fuzz case for a peer protocol: the arm that made it, and what to write. */
export interface StreamCase { arm: string, protocol: string, chunks: Uint8Array[], closeWrite: boolean, waitMs?: number, note: string }

function streamCase (arm: string, protocol: string, bodies: fc.Arbitrary<Uint8Array[]>, waitMs?: number): fc.Arbitrary<StreamCase> {
  return bodies.chain((b) => framed(b).map(({ chunks, closeWrite }) => ({ arm, protocol, chunks, closeWrite, waitMs, note: `${b.length} frame(s), ${chunks.reduce((n, c) => n + c.byteLength, 0)} bytes` })))
}

const PATHS = (): PathOptions => ({ symlinkDirs: true, deep: true })

/** The fields of one blob request (the blob and blob-batch protocols share it). */
function blobRequest (k: Known): fc.Arbitrary<Field[]> {
  return fc.record({ arena: arenaName, path: pathBytes(k, PATHS()), hash: hashArb(k), r: range(k), accept: fc.array(fc.oneof(fc.constantFrom(0n, 1n, 2n, 3n), edgeNumber), { maxLength: 12 }) })
    .map((q) => [str(1, q.arena), bytes(2, q.path), bytes(3, q.hash), uint(4, q.r.offset), uint(5, q.r.length), ...q.accept.map((a) => uint(6, a))])
}

/** `/realize/blob/1.0.0` requests. */
export function blobCases (k: Known, protocol: string): Array<fc.Arbitrary<StreamCase>> {
  const req = blobRequest(k)
  return [
    streamCase('blob-request', protocol, req.chain(breakFields).map((f) => [encodeMessage(f)])),
    streamCase('blob-garbage', protocol, garbage)
  ]
}

/** `/realize/blob-batch/1.0.0`: several blob requests back to back on one stream, each valid-looking or broken. */
export function blobBatchCases (k: Known, protocol: string): Array<fc.Arbitrary<StreamCase>> {
  const req = blobRequest(k)
  return [
    streamCase('blob-batch-requests', protocol, fc.array(req.chain(breakFields).map((f) => encodeMessage(f)), { minLength: 1, maxLength: 12 })),
    streamCase('blob-batch-garbage', protocol, garbage)
  ]
}

/** `/realize/hash/1.0.0` requests: a few ranges, overlapping, past EOF, at the edges. */
export function hashCases (k: Known, protocol: string): Array<fc.Arbitrary<StreamCase>> {
  const rangeField = range(k).map((r) => msg(4, [uint(1, r.offset), uint(2, r.length)]))
  const req = fc.record({ arena: arenaName, path: pathBytes(k, PATHS()), hash: hashArb(k), ranges: fc.array(rangeField, { maxLength: 16 }) })
    .map((q) => [str(1, q.arena), bytes(2, q.path), bytes(3, q.hash), ...q.ranges])
  const cases = [
    streamCase('hash-request', protocol, req.chain(breakFields).map((f) => [encodeMessage(f)])),
    // Past the range limit: 4097 empty ranges.
    streamCase('hash-too-many-ranges', protocol, fc.constantFrom(...k.files).map((f) => [encodeMessage([str(1, 'docs'), str(2, f.path), bytes(3, f.hash), ...Array.from({ length: 4097 }, () => msg(4, [uint(1, 0), uint(2, 0)]))])])),
    streamCase('hash-garbage', protocol, garbage)
  ]
  if (armEnabled('hash-amplification')) {
    // Issue 18 item 2: the most ranges allowed, each the whole file.
    const big = k.files.reduce((a, b) => a.size >= b.size ? a : b)
    cases.push(streamCase('hash-amplification', protocol, fc.integer({ min: 1024, max: 4096 }).map((n) => [encodeMessage([str(1, 'docs'), str(2, big.path), bytes(3, big.hash), ...Array.from({ length: n }, () => msg(4, [uint(1, 0), uint(2, big.size)]))])]), 15_000))
  }
  return cases
}

/** `/realize/rsync/1.0.0`: a request and its signature chunks, consistent or not. */
export function rsyncCases (k: Known, protocol: string): Array<fc.Arbitrary<StreamCase>> {
  const blockSize = fc.oneof(fc.constantFrom(0n, 1n, 1023n, 1024n, 4096n, 8192n, 131072n, 131073n), edgeNumber)
  const req = fc.record({
    arena: arenaName, path: pathBytes(k, PATHS()), hash: hashArb(k), r: range(k), blockSize, blocks: fc.nat(64), inPlace: fc.boolean(),
    basis: fc.option(edgeNumber, { freq: 4 }),
    // Chunks of whole blocks, or of a byte count that is not a whole block.
    chunks: fc.array(fc.record({ n: fc.nat(40), weakExtra: fc.constantFrom(0, 0, 0, 1, 3), strongExtra: fc.constantFrom(0, 0, 0, -1, 5) }), { maxLength: 4 })
  }).chain((q) => fc.uint8Array({ minLength: 4, maxLength: 4 }).map((seed) => {
    const bs = Number(q.blockSize > 131072n ? 8192n : q.blockSize === 0n ? 1n : q.blockSize)
    const basis = q.basis ?? BigInt(q.blocks * bs)
    const head = [str(1, q.arena), bytes(2, q.path), bytes(3, q.hash), uint(4, q.r.offset), uint(5, q.r.length), uint(6, q.blockSize), uint(7, basis), uint(8, q.inPlace ? 1 : 0)]
    const sigs = q.chunks.map((c) => encodeMessage([bytes(1, new Uint8Array(c.n * 4 + c.weakExtra).fill(seed[0] ?? 0)), bytes(2, new Uint8Array(Math.max(0, c.n * 16 + c.strongExtra)).fill(seed[1] ?? 0))]))
    return { head, sigs }
  }))
  const cases = [
    streamCase('rsync-request', protocol, req.chain((q) => breakFields(q.head).map((h) => [encodeMessage(h), ...q.sigs]))),
    streamCase('rsync-garbage', protocol, garbage)
  ]
  if (armEnabled('rsync-weak-chain')) {
    // Issue 18 item 1: every block's weak sum equals the first window's of a file of zeros; strong sums wrong.
    const zeros = k.files.find((f) => f.data.every((b) => b === 0)) ?? k.files[0]!
    cases.push(streamCase('rsync-weak-chain', protocol, fc.record({ bs: fc.constantFrom(1024, 8192), n: fc.integer({ min: 1, max: 4096 }) }).map(({ bs, n }) => {
      const w = weakSum(zeros.data, 0, bs)
      const weak = new Uint8Array(n * 4)
      const view = new DataView(weak.buffer)
      for (let i = 0; i < n; i++) view.setUint32(i * 4, w, true)
      return [
        encodeMessage([str(1, 'docs'), str(2, zeros.path), bytes(3, zeros.hash), uint(4, 0), uint(5, zeros.size), uint(6, bs), uint(7, n * bs)]),
        encodeMessage([bytes(1, weak), bytes(2, new Uint8Array(n * 16).fill(7))])
      ]
    }), 15_000))
  }
  return cases
}

/** `/realize/hold/1.0.0` requests: a version real on the node or not, paths out of the root; a grant must name a real file. */
export function holdCases (k: Known, protocol: string): Array<fc.Arbitrary<StreamCase>> {
  const req = fc.record({ arena: arenaName, path: pathBytes(k, PATHS()), hash: hashArb(k) })
    .map((q) => [str(1, q.arena), bytes(2, q.path), bytes(3, q.hash)])
  return [
    streamCase('hold-request', protocol, req.chain(breakFields).map((f) => [encodeMessage(f)])),
    // A request followed by more frames than the protocol has.
    streamCase('hold-extra-frames', protocol, fc.tuple(req, fc.array(fc.uint8Array({ maxLength: 32 }), { minLength: 1, maxLength: 4 })).map(([f, more]) => [encodeMessage(f), ...more])),
    streamCase('hold-garbage', protocol, garbage)
  ]
}

/** `/realize/history/1.0.0` to the node's publisher: a Subscribe, then acks at the edges. */
export function historyCases (k: Known, protocol: string): Array<fc.Arbitrary<StreamCase>> {
  const sub = fc.record({ arena: arenaName, storeId: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 64 })), lastSeen: edgeNumber, acks: fc.array(edgeNumber, { maxLength: 4 }) })
    .chain((q) => breakFields([str(1, q.arena), bytes(2, q.storeId), uint(3, q.lastSeen)]).map((f) => [encodeMessage(f), ...q.acks.map((n) => encodeMessage([uint(1, n)]))]))
  return [
    streamCase('history-subscribe', protocol, sub, 600),
    streamCase('history-garbage', protocol, garbage, 600)
  ]
}

/**
 * A history the fuzzer publishes to the node (the node as subscriber): Start,
 * catch-up Files, Removed, Complete and live Entries, each field valid-looking
 * or broken. Files advertised with content get it served by the fuzzer's blob
 * server, so the node installs them (the write path under test).
 */
export interface PublishCase { arm: string, frames: Uint8Array[], content: Uint8Array[], note: string }

export function publishCases (k: Known): Array<fc.Arbitrary<PublishCase>> {
  const paths = pathBytes(k, { symlinkDirs: armEnabled('publish-symlinked-dir'), deep: armEnabled('publish-deep-path') })
  const mtime = fc.oneof(fc.constant(1_700_000_000_000n), fc.bigInt({ min: 0n, max: U64_MAX }))
  const file = fc.record({ path: paths, data: fc.uint8Array({ maxLength: 64 }), size: fc.option(edgeNumber, { freq: 4 }), hash: fc.option(hashArb(k), { freq: 4 }), mtime })
    .map((f) => ({ content: f.data, fields: [bytes(1, f.path), uint(2, f.size ?? BigInt(f.data.byteLength)), { no: 3, wire: 1 as const, value: f.mtime }, bytes(4, f.hash ?? hashBytes(f.data))] }))
  const entry = fc.record({ n: fc.oneof(fc.nat(5).map(BigInt), edgeNumber), kind: fc.oneof(fc.constantFrom(0n, 1n, 2n, 3n), edgeNumber), f: file, old: fc.option(hashArb(k), { freq: 2 }) })
    .map((e) => ({ content: e.f.content, fields: [uint(1, e.n), uint(2, e.kind), ...e.f.fields.map((x) => ({ ...x, no: x.no === 1 ? 3 : x.no === 2 ? 4 : x.no === 3 ? 5 : 6 })), bytes(7, e.old ?? new Uint8Array(0))] }))
  const removed = fc.record({ path: paths, hashes: fc.array(hashArb(k), { maxLength: 3 }) }).map((r) => [bytes(1, r.path), ...r.hashes.map((h) => bytes(2, h))])
  const script = fc.record({
    storeId: fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 40 })),
    lastN: fc.oneof(fc.nat(5).map(BigInt), edgeNumber),
    catchup: fc.boolean(),
    files: fc.array(file, { maxLength: 6 }),
    removed: fc.array(removed, { maxLength: 2 }),
    complete: fc.oneof(fc.nat(5).map(BigInt), edgeNumber),
    entries: fc.array(entry, { maxLength: 4 })
  }).chain((s) => {
    const start = [msg(1, [bytes(1, s.storeId), uint(2, s.catchup ? 1 : 0), uint(3, s.lastN)])]
    const files = s.files.map((f) => msg(2, f.fields))
    const bodies = [start, files, s.removed.map((r) => msg(5, r)), [msg(3, [uint(1, s.complete)])], s.entries.map((e) => msg(4, e.fields))]
    return fc.tuple(fc.nat(bodies.length - 1), fc.array(fc.boolean(), { minLength: bodies.length, maxLength: bodies.length })).chain(([broken, keep]) =>
      breakFields(bodies[broken] as Field[]).map((b) => {
        const frames = bodies.map((x, i) => i === broken ? b : x).filter((x, i) => i === 0 || keep[i] === true || i === 3).map((x) => frame(encodeMessage(x)))
        return { arm: 'publish-history', frames, content: [...s.files.map((f) => f.content), ...s.entries.map((e) => e.content)], note: `${s.files.length} files, ${s.entries.length} entries, ${s.removed.length} removals` }
      }))
  })
  const cases: Array<fc.Arbitrary<PublishCase>> = [script]
  const honest = (path: string, arm: string, data: Uint8Array): PublishCase => ({
    arm,
    frames: [
      [msg(1, [bytes(1, new Uint8Array(16).fill(3)), uint(2, 1), uint(3, 1)])],
      [msg(2, [str(1, path), uint(2, data.byteLength), { no: 3, wire: 1, value: 0x4278_0000_0000_0000n }, bytes(4, hashBytes(data))])],
      [msg(3, [uint(1, 1)])]
    ].map((f) => frame(encodeMessage(f))),
    content: [data],
    note: path.length > 100 ? `${path.slice(0, 60)}… (${path.split('/').length} components)` : path
  })
  if (armEnabled('publish-symlinked-dir')) {
    // Issue 18 item 4: a new directory under the symlink out of the root.
    cases.push(fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 6 }), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([d, data]) => honest(`escape/new-${d}/deeper/f`, 'publish-symlinked-dir', data)))
  }
  if (armEnabled('publish-deep-path')) {
    // Issue 18 item 7: 32,768 components.
    cases.push(fc.integer({ min: 8_000, max: 32_768 }).map((n) => honest(`${'d/'.repeat(n)}f`, 'publish-deep-path', Uint8Array.from([1]))))
  }
  return cases
}
