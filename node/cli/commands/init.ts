import { lstat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import type { ArenaConfig, Config } from '../../config/config.js'
import { checkArenaNames, parseArenaName } from '../../../datastore/types/arena.js'
import { ConfigError } from '../../../datastore/types/errors.js'
import { parseMark } from '../../../datastore/types/mark.js'
import { collect, dataDirOf, withDataOption } from '../common.js'

export interface InitOptions {
  data?: string
  arena: string[]
  mark: string[]
  port?: number
  mdns: boolean
}

export function registerInit (program: Command): void {
  withDataOption(program.command('init'))
    .description('create the data directory, key and config; print the PeerId')
    .option('--arena <name=dir>', 'an arena rooted at DIR (NAME alone: cache-only); repeatable; default: "default" at ~/Realize', collect, [])
    .option('--mark <name=mark>', "an arena's mark: own, keep or watch (default own with a root, watch without); repeatable", collect, [])
    .option('--port <n>', 'TCP port to listen on, IPv4 and IPv6 (default 9771)', parsePort)
    .option('--no-mdns', 'do not discover peers on the LAN by mDNS')
    .action(async (opts: InitOptions) => { await init(opts) })
}

type ConfigModule = typeof import('../../config/config.js') & typeof import('../../config/addrs.js')

function parsePort (raw: string): number {
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError('expected a TCP port number, 0 to 65535.')
  return n
}

function badArg (option: string, message: string): never {
  throw new ConfigError(message, { key: option })
}

function splitPair (option: string, raw: string, what: string): [string, string | undefined] {
  const eq = raw.indexOf('=')
  if (eq === 0) badArg(option, `${JSON.stringify(raw)}: expected NAME=${what}`)
  return eq < 0 ? [raw, undefined] : [raw.slice(0, eq), raw.slice(eq + 1)]
}

/** The config the flags describe; throws ConfigError naming the flag. */
function initConfig (cfg: ConfigModule, opts: InitOptions, home: string, cwd: string): Config {
  const { baseConfig, defaultConfig, expandHome, listenAddrsForPort } = cfg
  let arenas: ArenaConfig[]
  if (opts.arena.length === 0) {
    arenas = defaultConfig(home).arenas
  } else {
    arenas = opts.arena.map((raw) => {
      const [name, dir] = splitPair('--arena', raw, 'DIR')
      let arenaName
      try { arenaName = parseArenaName(name) } catch (err) { badArg('--arena', (err as Error).message) }
      if (dir == null) return { name: arenaName, mark: 'watch' }
      if (dir === '') badArg('--arena', `${JSON.stringify(raw)}: empty directory`)
      let root
      try { root = resolve(cwd, expandHome(dir, home)) } catch (err) { badArg('--arena', (err as Error).message) }
      // A folder the user names to share is one they want to keep whole here.
      return { name: arenaName, root, mark: 'own' }
    })
    try { checkArenaNames(arenas.map((a) => a.name)) } catch (err) { badArg('--arena', (err as Error).message) }
  }
  for (const raw of opts.mark) {
    const [name, value] = splitPair('--mark', raw, 'MARK')
    if (value == null) badArg('--mark', `${JSON.stringify(raw)}: expected NAME=MARK`)
    const arena = arenas.find((a) => a.name === name)
    if (arena == null) badArg('--mark', `no arena ${JSON.stringify(name)} (arenas: ${arenas.map((a) => a.name).join(', ')})`)
    try { arena.mark = parseMark(value) } catch (err) { badArg('--mark', (err as Error).message) }
  }
  const config = baseConfig()
  config.arenas = arenas
  config.node.mdns = opts.mdns
  if (opts.port != null) config.node.listen = listenAddrsForPort(opts.port)
  return config
}

async function exists (file: string): Promise<boolean> {
  try {
    await lstat(file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

export async function init (opts: InitOptions): Promise<void> {
  const dataDir = dataDirOf(opts)
  // Loaded here, not at the top: every other command starts faster without the config parser and libp2p's crypto.
  const [cfg, addrs, { loadOrCreateIdentity }] = await Promise.all([import('../../config/config.js'), import('../../config/addrs.js'), import('../../identity/identity.js')])
  const { configPath, parseConfig, serializeConfig, writeConfig } = cfg
  const file = configPath(dataDir)
  // Never clobber a config: it holds the household list and arena roots the user chose.
  if (await exists(file)) throw new ConfigError('a config file exists already; edit it, or move it away to start over', { file })
  const home = homedir()
  const config = initConfig({ ...cfg, ...addrs }, opts, home, process.cwd())
  // The same checks a loaded file gets (roots overlapping each other or the data directory...).
  parseConfig(serializeConfig(config), { file, dataDir, home })
  const identity = await loadOrCreateIdentity(dataDir)
  await writeConfig(dataDir, config)
  process.stderr.write(`wrote ${file}\n`)
  process.stdout.write(`${identity.peerId.toString()}\n`)
}
