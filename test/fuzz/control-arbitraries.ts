import fc from 'fast-check'
import { armEnabled } from './pending.js'

/**
 * Generators for the control API (JSON-RPC 2.0, one JSON per line on the
 * unix socket): requests for every method with valid-looking and wrong
 * params, malformed JSON, wrong types, unknown methods, batches, huge lines
 * and floods. Peer names never touch `fuzzer` (the household under test).
 */

/** One control case: lines to write (each sent with a newline), the ids that must be answered. */
export interface ControlCase {
  arm: string
  lines: string[]
  /** Ids of single requests that must get an answer (unless the node drops the connection for a line past its limit). */
  expect: number[]
  /** Do not read replies (a client that never reads). */
  slowReader?: boolean
  note: string
}

const jsNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e308, -1e308, Number.MIN_VALUE),
  fc.integer()
)

const pathText = (symlinkDirs: boolean): fc.Arbitrary<string> => fc.oneof(
  fc.constantFrom('', 'small.txt', 'sub', 'sub/inner.txt', 'data.bin', 'nope', '..', '../sentinel', '/etc/passwd', 'a\0b', 'sub/../small.txt', '\u202e', 'e\u0301', '\ud800', ...(symlinkDirs ? ['escape', 'escape/outside.txt', 'escape/newdir-bait', 'escape/newdir-bait/x'] : [])),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 2, max: 5000 }).map((n) => `${'d/'.repeat(n)}f`),
  fc.integer({ min: 256, max: 20_000 }).map((n) => 'x'.repeat(n))
)

const arena = fc.oneof({ weight: 6, arbitrary: fc.constant('docs') }, { weight: 2, arbitrary: fc.constantFrom('private', 'nope', '', '../docs', 'docs\0') }, { weight: 1, arbitrary: fc.string() })

/** Params shaped for each method, sometimes of the wrong type. */
function params (symlinkDirs: boolean): fc.Arbitrary<{ method: string, params: unknown }> {
  const target = fc.record({ arena, path: pathText(symlinkDirs) })
  const peerName = fc.constantFrom('p1', 'p2', '', ' ', 'x'.repeat(300), '\u202e', 'a/b', 'node')
  const m = (method: string, p: fc.Arbitrary<unknown>): fc.Arbitrary<{ method: string, params: unknown }> => p.map((params) => ({ method, params }))
  return fc.oneof(
    m('status', fc.constantFrom(undefined, {}, [], null, 1)),
    m('arenas', fc.constant(undefined)),
    m('resolve', fc.record({ target: fc.oneof(pathText(symlinkDirs), target.map((t) => `${t.arena}:${t.path}`)), cwd: fc.oneof(fc.constant('/'), pathText(symlinkDirs)) })),
    m('peers', fc.constant(undefined)),
    m('peers.discovered', fc.constant(undefined)),
    m('peer.add', fc.record({ name: peerName, peerId: fc.oneof(fc.string(), fc.constant('12D3KooWGzBkxrSSEyjz2u7CwkE7wBqyYyaXHT7Nq7pA9qDpLeV8')), addrs: fc.array(fc.constantFrom('127.0.0.1:1', '/ip4/127.0.0.1/tcp/1', 'garbage', '', '[::1]:1'), { maxLength: 3 }) }, { requiredKeys: ['name', 'peerId'] })),
    m('peer.rm', fc.record({ name: peerName })),
    m('mark.get', target),
    m('mark.set', fc.record({ arena, path: pathText(symlinkDirs), mark: fc.constantFrom('own', 'keep', 'watch', 'junk', '', 'OWN') })),
    m('mark.rm', target),
    m('ls', fc.record({ arena, path: pathText(symlinkDirs), offset: jsNumber, limit: jsNumber, snapshot: jsNumber, find: fc.string(), as: fc.constantFrom('objects', 'json', 'xml') }, { requiredKeys: ['arena', 'path'] })),
    m('cat', target),
    m('conflicts', fc.constant(undefined)),
    m('churten.status', fc.constant(undefined)),
    m('churten.start', fc.constantFrom(undefined, { untilDisconnect: true }, { untilDisconnect: 'yes' })),
    m('churten.stop', fc.constant(undefined)),
    m('subscribe', fc.record({ topics: fc.array(fc.constantFrom('churten', 'status', 'notice', 'nope'), { maxLength: 4 }) })),
    m('unsubscribe', fc.record({ subscription: jsNumber })),
    // Unknown methods and any JSON as params.
    fc.record({ method: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'status ')), params: fc.jsonValue() }),
    fc.record({ method: fc.constantFrom('status', 'ls', 'mark.set', 'cat', 'peer.add'), params: fc.jsonValue() })
  )
}

/** A request object, its envelope sometimes wrong (jsonrpc, id of another type, extra keys). */
function request (id: number, symlinkDirs: boolean): fc.Arbitrary<{ obj: unknown, expectId: number | undefined }> {
  return fc.tuple(params(symlinkDirs), fc.nat(19)).map(([p, bad]) => {
    const base: Record<string, unknown> = { jsonrpc: '2.0', method: p.method, id }
    if (p.params !== undefined) base.params = p.params
    if (bad === 0) return { obj: { ...base, jsonrpc: '1.0' }, expectId: id }
    if (bad === 1) return { obj: { ...base, id: { x: 1 } }, expectId: undefined }
    if (bad === 2) {
      const { id: _, ...note } = base
      return { obj: note, expectId: undefined }
    }
    if (bad === 3) return { obj: { ...base, extra: true }, expectId: id }
    if (bad === 4) return { obj: { ...base, method: 42 }, expectId: id }
    return { obj: base, expectId: id }
  })
}

export function controlCases (): Array<fc.Arbitrary<ControlCase>> {
  const symlinkDirs = armEnabled('control-mark-symlinked-dir')
  const cases: Array<fc.Arbitrary<ControlCase>> = [
    fc.array(request(0, symlinkDirs), { minLength: 1, maxLength: 8 }).map((rs) => {
      // Ids unique within the case so answers can be matched.
      const lines = rs.map((r, i) => JSON.stringify(renumber(r.obj, i + 1)))
      return { arm: 'control-requests', lines, expect: rs.flatMap((r, i) => r.expectId == null ? [] : [i + 1]), note: rs.map((r) => (r.obj as { method?: unknown }).method).join(',') }
    }),
    fc.array(request(0, symlinkDirs), { maxLength: 6 }).map((rs) => ({ arm: 'control-batch', lines: [JSON.stringify(rs.map((r, i) => renumber(r.obj, i + 1)))], expect: [], note: `batch of ${rs.length}` })),
    fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('{', '[', '{"jsonrpc":"2.0","method":"status","id":1', '"status"', 'null', '1e999', '{"jsonrpc":"2.0","method":"status","id":1,"params":', '[[[[[[[[[[]]]]]]]]]]', '\u0000', '{"__proto__":{"jsonrpc":"2.0"},"method":"status","id":1}'),
      fc.integer({ min: 1000, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`)
    ).map((s) => ({ arm: 'control-malformed', lines: [s.replace(/\n/g, ' ')], expect: [], note: s.slice(0, 60) })),
    // Huge params: up to past the 1 MiB line limit (the node answers and closes that connection).
    fc.integer({ min: 100_000, max: 1_200_000 }).map((n) => ({ arm: 'control-huge', lines: [JSON.stringify({ jsonrpc: '2.0', method: 'ls', id: 1, params: { arena: 'docs', path: 'x'.repeat(n) } })], expect: [1], note: `${n} byte path` })),
    // A flood of cheap requests in one write.
    fc.integer({ min: 100, max: 2000 }).map((n) => ({ arm: 'control-flood', lines: Array.from({ length: n }, (_, i) => JSON.stringify({ jsonrpc: '2.0', method: i % 2 === 0 ? 'status' : 'ls', id: i + 1, params: i % 2 === 0 ? undefined : { arena: 'docs', path: '' } })), expect: Array.from({ length: n }, (_, i) => i + 1), note: `${n} requests` }))
  ]
  if (symlinkDirs) {
    // Issue 18 item 5: marks on paths through the symlink out of the root.
    cases.push(fc.record({ path: fc.constantFrom('escape/outside.txt', 'escape/newdir-bait', 'escape/newdir-bait/x', 'escape'), mark: fc.constantFrom('own', 'keep', 'watch') })
      .map(({ path, mark }) => ({ arm: 'control-mark-symlinked-dir', lines: [JSON.stringify({ jsonrpc: '2.0', method: 'mark.set', id: 1, params: { arena: 'docs', path, mark } })], expect: [1], note: `mark ${mark} ${path}` })))
  }
  if (armEnabled('control-slow-reader')) {
    // Issue 18 item 6: ls requests from a client that never reads its replies.
    cases.push(fc.integer({ min: 50_000, max: 150_000 }).map((n) => ({ arm: 'control-slow-reader', lines: Array.from({ length: n }, (_, i) => JSON.stringify({ jsonrpc: '2.0', method: 'ls', id: i + 1, params: { arena: 'docs', path: '' } })), expect: [], slowReader: true, note: `${n} unread ls` })))
  }
  return cases
}

function renumber (obj: unknown, id: number): unknown {
  if (obj == null || typeof obj !== 'object' || Array.isArray(obj)) return obj
  const o = obj as Record<string, unknown>
  return typeof o.id === 'number' ? { ...o, id } : o
}
