import { once } from 'node:events'
import { openSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import type { Config } from '../../config/config.js'
import type { RunNodeOptions } from '../../node.js'
import { ConfigError } from '../../../datastore/types/errors.js'
import { dataDirOf, withDataOption } from '../common.js'

export function registerStart (program: Command): void {
  withDataOption(program.command('start'))
    .description('run the node; the TUI on a terminal, plain logs otherwise; Ctrl-C stops it')
    .option('--headless', 'no TUI, plain logs even on a terminal')
    .option('--mount <dir>', 'mount every arena under DIR with FUSE (read-only); overrides [fuse] mountpoint')
    .option('--metrics <addr>', 'serve Prometheus metrics at http://ADDR/metrics (host:port, or :port for every interface); overrides [metrics] listen')
    .action(async (opts: StartOptions) => { await start(opts) })
}

/**
 * The config file, or the embedded default (validated; `save` writes it out
 * so the user has a file to edit).
 */
async function configOrDefault (dataDir: string): Promise<{ config: Config, save?: () => Promise<void> }> {
  // Loaded here, not at the top: every other command starts faster without the config parser.
  const { configPath, defaultConfig, loadConfig, parseConfig, serializeConfig, writeConfig } = await import('../../config/config.js')
  const loaded = await loadConfig(dataDir)
  if (loaded != null) return { config: loaded }
  const home = homedir()
  const file = configPath(dataDir)
  const config = defaultConfig(home)
  parseConfig(serializeConfig(config), { file, dataDir, home })
  return {
    config,
    save: async () => {
      await writeConfig(dataDir, config)
      process.stderr.write(`no config found; wrote the default to ${file}\n`)
    }
  }
}

interface StartOptions { data?: string, headless?: boolean, mount?: string, metrics?: string }

export async function start (opts: StartOptions): Promise<void> {
  const dataDir = dataDirOf(opts)
  if (opts.metrics != null) {
    // Checked before anything is created: a bad flag leaves nothing behind (exit 2).
    const { parseListenHostPort } = await import('../../config/addrs.js')
    try {
      parseListenHostPort(opts.metrics)
    } catch (err) {
      throw new ConfigError((err as Error).message, { key: '--metrics' })
    }
  }
  // Config first: a bad config must not leave a new key or data dir behind.
  const { config, save } = await configOrDefault(dataDir)
  if (opts.mount != null) {
    // Checked like the config key, so `--mount` cannot point the node at its own roots.
    const { checkMountpoint } = await import('../../config/validate.js')
    const mountpoint = resolve(opts.mount)
    checkMountpoint(mountpoint, config.arenas, { dataDir })
  }
  const { loadOrCreateIdentity } = await import('../../identity/identity.js')
  const identity = await loadOrCreateIdentity(dataDir)
  await save?.()
  // After the save: `--mount` is for this run, a default config written now does not keep it.
  if (opts.mount != null) config.fuse = { ...config.fuse, mountpoint: resolve(opts.mount) }
  if (opts.metrics != null) config.metrics = { listen: opts.metrics }
  // Arena roots are made by the node, and only for an arena never indexed
  // (spec section 4): a missing root of an indexed arena pauses that arena.
  // Ink needs a terminal on both ends: keys in, frames out.
  const headless = opts.headless === true || process.stdout.isTTY !== true || process.stdin.isTTY !== true
  // Under the TUI the terminal is the UI: the node's JSON log goes to <data>/node.log.
  const notices = new (await import('../../notices.js')).Notices()
  const log = headless ? undefined : (await import('../../log.js')).createLogger({ destination: openSync(join(dataDir, 'node.log'), 'a', 0o600), notices })
  await runNode({ dataDir, config, identity, log, notices }, headless)
}

/**
 * Runs the node until SIGINT or SIGTERM (or the user quits the TUI), then
 * stops cleanly. The TUI is the CLI's business, not the node's: it talks to
 * this node through the node's own control socket, like `realize-node tui`.
 */
async function runNode (options: RunNodeOptions, headless: boolean): Promise<void> {
  // Imported here so init and id do not load the whole node (libp2p, stores).
  const { RealizeNode } = await import('../../node.js')
  const node = await RealizeNode.open(options)
  let stopping: Promise<unknown> = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
  // Watchers do not hold the event loop open; the node runs until told to stop.
  const keepAlive = setInterval(() => {}, 2 ** 30)
  let tui: { exited: Promise<void>, close: () => Promise<void> } | undefined
  try {
    if (!headless) {
      await node.listenControl()
      tui = await (await import('../../../tui/attach.js')).attachTui({ dataDir: options.dataDir, ownNode: true })
      stopping = Promise.race([stopping, tui.exited])
    }
    // On a terminal without the TUI (whose header shows them), one human line among the JSON log.
    const onListening = headless && process.stderr.isTTY ? (addrs: string[]) => { process.stderr.write(listeningLine(node.options.identity.peerId.toString(), addrs)) } : undefined
    await Promise.race([node.start({ onListening }), stopping])
    await stopping
    node.log.info('stopping')
  } finally {
    await tui?.close()
    clearInterval(keepAlive)
    await node.stop()
  }
}

/** What a person needs to pair another machine with this one. */
export function listeningLine (peerId: string, addrs: string[]): string {
  const where = addrs.map((a) => a.replace(/\/p2p\/[^/]+$/, '')).join(', ')
  return `this node is ${peerId}, listening on ${where === '' ? 'no address' : where}; on another machine: realize-node peer add NAME ${peerId}\n`
}
