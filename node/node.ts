import { once } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { Arena } from './arena.js'
import { openGlobalStore } from './stores.js'
import { createLogger, type Logger } from './log.js'
import { describeError } from './types/errors.js'
import type { GlobalStore } from '../datastore/global-store.js'
import type { Config } from './config/config.js'
import type { Identity } from './identity/identity.js'

/**
 * A running node: config + identity + stores + arenas.
 *
 *   config ─> arenas: watcher -> index -> history      (the real)
 *             (network, unreal and churten join here as they land)
 */
export interface RunNodeOptions {
  dataDir: string
  config: Config
  identity: Identity
  headless: boolean
  log?: Logger
}

export class RealizeNode {
  private constructor (
    readonly options: RunNodeOptions,
    readonly log: Logger,
    readonly global: GlobalStore,
    readonly arenas: Arena[]
  ) {}

  static async open (options: RunNodeOptions): Promise<RealizeNode> {
    const log = options.log ?? createLogger()
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
    const global = await openGlobalStore(options.dataDir)
    const arenas: Arena[] = []
    try {
      for (const a of options.config.arenas) {
        arenas.push(await Arena.open({ name: a.name, root: a.root, mark: a.mark, dataDir: options.dataDir, log: log.child({ arena: a.name }) }))
      }
    } catch (err) {
      for (const a of arenas) await a.close().catch(() => {})
      await global.close()
      throw err
    }
    return new RealizeNode(options, log, global, arenas)
  }

  /** Starts every arena's watcher; resolves once all have caught up. */
  async start (): Promise<void> {
    this.log.info({ peerId: this.options.identity.peerId.toString(), dataDir: this.options.dataDir }, 'node starting')
    await Promise.all(this.arenas.map(async (a) => {
      const w = a.watcher
      if (w == null) return
      w.on('error', (err) => { this.log.error({ arena: a.name, err: describeError(err) }, 'watcher error') })
      w.on('caughtUp', (r) => { this.log.info({ arena: a.name, files: r.files, changed: r.changed, ms: r.ms, event: 'caught-up' }, 'catch-up done') })
      w.on('reconciled', (path, r) => { if (r.changed > 0) this.log.debug({ arena: a.name, path, changed: r.changed }, 'changes indexed') })
      await w.start()
    }))
    this.log.info({ event: 'ready' }, 'node ready')
  }

  async stop (): Promise<void> {
    for (const a of this.arenas) await a.close()
    await this.global.close()
    this.log.info({ event: 'stopped' }, 'node stopped')
  }
}

/** Runs the node until SIGINT or SIGTERM, then stops cleanly. */
export async function runNode (options: RunNodeOptions): Promise<void> {
  const node = await RealizeNode.open(options)
  const stopping = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
  // Watchers do not hold the event loop open; the node runs until told to stop.
  const keepAlive = setInterval(() => {}, 2 ** 30)
  try {
    await Promise.race([node.start(), stopping])
    await stopping
    node.log.info('stopping')
  } finally {
    clearInterval(keepAlive)
    await node.stop()
  }
}
