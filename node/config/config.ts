import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { parse as parseToml, stringify as stringifyToml, TomlError } from 'smol-toml'
import type { ArenaName } from '../../datastore/types/arena.js'
import { ConfigError } from '../../datastore/types/errors.js'
import type { Mark } from '../../datastore/types/mark.js'
import { configPath, syncDir } from './paths.js'
import { configSchema, DEFAULT_BATCH_BYTES, DEFAULT_CAPACITY, DEFAULT_INACTIVE_AFTER_MS, DEFAULT_LISTEN, describeIssue } from './schema.js'
import { formatCapacity, formatDuration, formatSize, type Capacity } from './units.js'
import { toConfig } from './validate.js'

export { configPath, defaultDataDir, expandHome } from './paths.js'
export type { Capacity } from './units.js'

/** `<data>/realize.toml` (spec section 7), typed, with defaults filled in. */

export interface ArenaConfig {
  name: ArenaName
  /** Absolute, `~` expanded; absent for a cache-only arena. */
  root?: string
  /** The arena's own mark; paths inside inherit it unless marked themselves. */
  mark: Mark
}

export interface PeerConfig {
  name: string
  /** Canonical PeerId string (Ed25519). */
  id: string
  /** As written: multiaddrs or host:port (see addrs.ts peerAddrToMultiaddr). */
  addrs: string[]
  /** Arenas shared with this peer; absent means every arena. */
  arenas?: ArenaName[]
}

export interface Config {
  /** `announce`: extra addresses peers may dial (absent: none). */
  node: { listen: string[], mdns: boolean, announce?: string[] }
  /**
   * `[relay]`: a circuit relay for household peers (docs/network.md, "Away
   * from home"); absent: not a relay. Limits per relayed connection, 0 = none.
   */
  relay?: RelayConfig
  /** Bytes per second, 0 = unlimited. */
  limits: { upload: number, download: number, churtenDownload: number }
  /** Percent of the file system holding the data directory, or bytes. */
  cache: { capacity: Capacity }
  churten: { autostart: boolean, batchBytes: number }
  /** A peer silent for longer stops holding back history trimming (spec section 3). */
  history: { inactiveAfterMs: number }
  /** The FUSE mount of every arena (`[fuse] mountpoint`, or `start --mount DIR`); absent: no mount. */
  fuse?: { mountpoint?: string, readTimeoutMs?: number }
  /** Prometheus metrics over HTTP (`[metrics] listen`, or `start --metrics ADDR`); absent: none. */
  metrics?: { listen: string }
  arenas: ArenaConfig[]
  peers: PeerConfig[]
}

export interface RelayConfig {
  serve: boolean
  maxCircuitDurationMs: number
  maxCircuitDataBytes: number
}

export interface ParseOptions {
  /** Named in every error. */
  file: string
  /** Arena roots may neither contain nor lie inside it. */
  dataDir?: string
  /** For `~` in arena roots; os.homedir() by default. */
  home?: string
}

/** The settings every config starts from, with no arenas and no peers. */
export function baseConfig (): Config {
  return {
    node: { listen: [...DEFAULT_LISTEN], mdns: true },
    limits: { upload: 0, download: 0, churtenDownload: 0 },
    cache: { capacity: { ...DEFAULT_CAPACITY } },
    churten: { autostart: true, batchBytes: DEFAULT_BATCH_BYTES },
    history: { inactiveAfterMs: DEFAULT_INACTIVE_AFTER_MS },
    arenas: [],
    peers: []
  }
}

/** What a fresh machine runs with: one arena `default` at ~/Realize, marked own. */
export function defaultConfig (home: string): Config {
  return { ...baseConfig(), arenas: [{ name: 'default' as ArenaName, root: join(home, 'Realize'), mark: 'own' }] }
}

export function parseConfig (text: string, options: ParseOptions): Config {
  const file = options.file
  let doc: unknown
  try {
    doc = parseToml(text)
  } catch (err) {
    if (err instanceof TomlError) {
      const what = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '')
      throw new ConfigError(`invalid TOML at line ${err.line}, column ${err.column}: ${what}`, { file })
    }
    throw new ConfigError('invalid TOML', { file, cause: err })
  }
  const schema = configSchema(options.home ?? homedir())
  const result = schema.safeParse(doc, { reportInput: true })
  if (!result.success) {
    // A misspelt key usually explains the other problems in its table, so name it first.
    const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'))
    const problem = describeIssue(schema, issues[0] as (typeof issues)[number])
    throw new ConfigError(problem.message, { file, key: problem.key === '' ? undefined : problem.key })
  }
  return toConfig(result.data, { file, dataDir: options.dataDir })
}

/** Undefined when there is no config file (the caller decides on the default). */
export async function loadConfig (dataDir: string, options: { home?: string } = {}): Promise<Config | undefined> {
  const file = configPath(dataDir)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError('cannot read the config file', { file, cause: err })
  }
  return parseConfig(text, { file, dataDir, home: options.home })
}

const HEADER = `# Realize node configuration (spec: realize.toml).
# Sizes are bytes with k, M, G or T suffixes (1024-based); "0" = unlimited.
# Arena marks: own (real copy here), keep (verified cached copy), watch (on demand).
`

/** TOML that loadConfig reads back to an equal Config. */
export function serializeConfig (config: Config): string {
  const doc: Record<string, unknown> = {
    node: { listen: config.node.listen, mdns: config.node.mdns, ...(config.node.announce == null || config.node.announce.length === 0 ? {} : { announce: config.node.announce }) },
    limits: {
      upload: formatSize(config.limits.upload),
      download: formatSize(config.limits.download),
      churten_download: formatSize(config.limits.churtenDownload)
    },
    cache: { capacity: formatCapacity(config.cache.capacity) },
    churten: { autostart: config.churten.autostart, batch_bytes: formatSize(config.churten.batchBytes) },
    history: { inactive_after: formatDuration(config.history.inactiveAfterMs) }
  }
  if (config.fuse != null && (config.fuse.mountpoint != null || config.fuse.readTimeoutMs != null)) {
    doc.fuse = {
      ...(config.fuse.mountpoint == null ? {} : { mountpoint: config.fuse.mountpoint }),
      ...(config.fuse.readTimeoutMs == null ? {} : { read_timeout: formatDuration(config.fuse.readTimeoutMs) })
    }
  }
  if (config.relay != null) {
    doc.relay = {
      serve: config.relay.serve,
      max_circuit_duration: config.relay.maxCircuitDurationMs === 0 ? '0' : formatDuration(config.relay.maxCircuitDurationMs),
      max_circuit_data: formatSize(config.relay.maxCircuitDataBytes)
    }
  }
  if (config.metrics != null) doc.metrics = { listen: config.metrics.listen }
  if (config.arenas.length > 0) {
    doc.arenas = Object.fromEntries(config.arenas.map((a) => [a.name, a.root == null ? { mark: a.mark } : { root: a.root, mark: a.mark }]))
  }
  if (config.peers.length > 0) {
    doc.peers = Object.fromEntries(config.peers.map((p) => [p.name, p.arenas == null ? { id: p.id, addrs: p.addrs } : { id: p.id, addrs: p.addrs, arenas: p.arenas }]))
  }
  return `${HEADER}\n${stringifyToml(doc)}\n`
}

/**
 * Atomic: a reader (or a crash) sees the old file or the new one, never half.
 * Mode 0600 because the household list says who may read our files.
 */
export async function writeConfig (dataDir: string, config: Config): Promise<void> {
  const file = configPath(dataDir)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const fh = await open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(serializeConfig(config))
      await fh.chmod(0o600)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, file)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw new ConfigError('cannot write the config file', { file, cause: err })
  }
  await syncDir(dirname(file))
}
