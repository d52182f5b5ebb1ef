import { peerIdFromString } from '@libp2p/peer-id'
import { z } from 'zod'
import { DEFAULT_MARK, MARKS } from '../../datastore/types/mark.js'
import { checkMultiaddr, checkPeerAddr, parseListenHostPort } from './addrs.js'
import { absoluteConfigPath } from './paths.js'
import { CAPACITY_EXPECTED, parseCapacity, parseDuration, parseSize, type Capacity } from './units.js'

/**
 * The shape of realize.toml (spec section 7, key names fixed). Every table is
 * strict: a misspelt key is an error, not a silently ignored setting.
 * Values are converted here (sizes to bytes, `~` expanded); cross-checks
 * between entries (arena names, peer ids) are in validate.ts.
 */

export const DEFAULT_LISTEN: readonly string[] = ['/ip4/0.0.0.0/tcp/9771', '/ip6/::/tcp/9771']
export const DEFAULT_CAPACITY: Capacity = { percent: 10 }
export const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024
export const DEFAULT_INACTIVE_AFTER_MS = 30 * 24 * 3600_000

/** Runs a converter that throws with a message naming the problem; the message becomes the issue. */
function converted<T> (base: z.ZodType, convert: (raw: any) => T): z.ZodType<T> {
  return base.transform((raw, ctx) => {
    try {
      return convert(raw)
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message, input: raw })
      return z.NEVER
    }
  }) as unknown as z.ZodType<T>
}

function sizeOrInteger (): z.ZodType<string | number> {
  return z.union([z.string(), z.number(), z.bigint()], { error: (iss) => `invalid value ${describeInput(iss.input)}: expected a size like "512k" or an integer number of bytes` }) as z.ZodType<string | number>
}

function size (defaultValue: number, options: { nonZero?: boolean } = {}) {
  return converted(sizeOrInteger(), (raw) => {
    const n = parseSize(raw)
    if (options.nonZero === true && n === 0) throw new Error(`invalid size ${JSON.stringify(raw)}: must be above 0`)
    return n
  }).default(defaultValue)
}

/**
 * A PeerId as Realize takes it: an Ed25519 key in the `12D3KooW...` form
 * `realize-node id` prints. The library's own message ("Please pass a
 * multibase decoder...") means nothing to a user who pasted the wrong
 * line, so it is replaced by one that says what was expected.
 */
export function checkPeerId (raw: string): string {
  const expected = 'expected the 12D3KooW... line that `realize-node id` prints on that machine'
  let id
  try {
    id = peerIdFromString(raw)
  } catch {
    throw new Error(`invalid PeerId ${JSON.stringify(raw)}: not a PeerId (${expected})`)
  }
  // Every Realize node has an Ed25519 key; anything else is a typo or a stranger.
  if (id.type !== 'Ed25519') throw new Error(`invalid PeerId ${JSON.stringify(raw)}: a ${id.type} key (${expected})`)
  return id.toString()
}

export function configSchema (home: string) {
  return z.strictObject({
    node: z.strictObject({
      listen: z.array(converted(z.string(), checkMultiaddr)).default([...DEFAULT_LISTEN]),
      mdns: z.boolean().default(true),
      // Addresses others can reach us at besides the ones we listen on (a forwarded port, a DNS name): told to peers by identify and hole punching.
      announce: z.array(converted(z.string(), checkMultiaddr)).default([])
    }).prefault({}),
    limits: z.strictObject({
      upload: size(0),
      download: size(0),
      churten_download: size(0)
    }).prefault({}),
    cache: z.strictObject({
      capacity: converted(z.union([z.string(), z.number(), z.bigint()], { error: (iss) => `invalid value ${describeInput(iss.input)}: ${CAPACITY_EXPECTED}` }), parseCapacity).default(DEFAULT_CAPACITY)
    }).prefault({}),
    churten: z.strictObject({
      autostart: z.boolean().default(true),
      batch_bytes: size(DEFAULT_BATCH_BYTES, { nonZero: true })
    }).prefault({}),
    history: z.strictObject({
      inactive_after: converted(z.string(), parseDuration).default(DEFAULT_INACTIVE_AFTER_MS)
    }).prefault({}),
    // Off unless set: the default config runs where FUSE is absent (issue 12).
    fuse: z.strictObject({
      mountpoint: converted(z.string(), (raw: string) => absoluteConfigPath(raw, home)).optional(),
      // How long a read through the mount waits for a peer before EIO.
      read_timeout: converted(z.string(), parseDuration).optional()
    }).prefault({}),
    // Off unless set: a Prometheus endpoint is an opt-in (issue 16).
    metrics: z.strictObject({
      listen: converted(z.string(), (raw: string) => { parseListenHostPort(raw); return raw }).optional()
    }).prefault({}),
    // Off unless set: a node relays household peers only when told to (issue 17, docs/network.md "Away from home").
    relay: z.strictObject({
      serve: z.boolean().default(false),
      max_circuit_duration: converted(z.string(), (raw: string) => raw.trim() === '0' ? 0 : parseDuration(raw)).default(0),
      max_circuit_data: size(0)
    }).optional(),
    arenas: z.record(z.string(), z.strictObject({
      root: converted(z.string(), (raw: string) => absoluteConfigPath(raw, home)).optional(),
      mark: z.enum(MARKS as ['own', 'keep', 'watch']).default(DEFAULT_MARK)
    })).default({}),
    peers: z.record(z.string(), z.strictObject({
      id: converted(z.string(), checkPeerId),
      addrs: z.array(converted(z.string(), checkPeerAddr)).default([]),
      arenas: z.array(z.string()).optional()
    })).default({})
  })
}

export type RawConfig = z.output<ReturnType<typeof configSchema>>

/** `arenas."docs/office".mark`: dotted like TOML, quoting segments that are not bare keys. */
export function dottedKey (path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') {
      out += `[${seg}]`
      continue
    }
    const s = String(seg)
    const quoted = /^[A-Za-z0-9_-]+$/.test(s) ? s : JSON.stringify(s)
    out += out === '' ? quoted : `.${quoted}`
  }
  return out
}

/** The keys a table at `path` accepts, for "unknown key" messages. */
function knownKeys (schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let s: unknown = schema
  for (let i = 0; ; ) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) {
      s = s.unwrap()
    } else if (s instanceof z.ZodObject) {
      if (i === path.length) return Object.keys(s.shape)
      s = s.shape[String(path[i++])]
    } else if (s instanceof z.ZodRecord) {
      if (i === path.length) return []
      s = s.valueType
      i++
    } else {
      return []
    }
  }
}

function describeInput (input: unknown): string {
  if (Array.isArray(input)) return '(an array)'
  if (input instanceof Date) return '(a date)'
  if (typeof input === 'object' && input != null) return '(a table)'
  return typeof input === 'bigint' ? String(input) : JSON.stringify(input) ?? String(input)
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  array: 'an array',
  object: 'a table',
  record: 'a table'
}

function orList (values: readonly unknown[]): string {
  const words = values.map(String)
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] as string}`
}

export interface ConfigProblem { key: string, message: string }

/** One problem per issue, phrased for someone editing the TOML file. */
export function describeIssue (schema: z.ZodType, issue: z.core.$ZodIssue): ConfigProblem {
  const key = dottedKey(issue.path)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const unknown = issue.keys[0] as string
      const known = knownKeys(schema, issue.path)
      let hint = known.length > 0 ? ` (expected ${orList(known)})` : ''
      if (issue.path.length === 2 && issue.path[0] === 'arenas') {
        hint += '; quote arena names that contain "/" or ".", like [arenas."docs/office"]'
      }
      return { key: dottedKey([...issue.path, unknown]), message: `unknown key ${JSON.stringify(unknown)}${hint}` }
    }
    case 'invalid_type':
      if (issue.input === undefined) return { key, message: 'missing required key' }
      return { key, message: `invalid value ${describeInput(issue.input)}: expected ${EXPECTED[issue.expected] ?? issue.expected}` }
    case 'invalid_value':
      return { key, message: `invalid value ${describeInput(issue.input)}: expected ${orList(issue.values)}` }
    case 'invalid_union':
      return { key, message: issue.message }
    default:
      return { key, message: issue.message }
  }
}
