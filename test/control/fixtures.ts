import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { baseConfig, writeConfig, type Config } from '../../node/config/config.js'
import { ControlClient } from '../../node/control/api/client.js'
import { loadOrCreateIdentity } from '../../node/identity/identity.js'
import { silentLogger } from '../../node/log.js'
import { RealizeNode } from '../../node/node.js'
import { parseArenaName } from '../../datastore/types/arena.js'
import { CLI } from '../helpers/node-process.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'
import type { Arena } from '../../node/arena.js'
import type { RelPath } from '../../datastore/types/path.js'
import type { Mark } from '../../datastore/types/mark.js'

export interface Run { code: number | null, stdout: string, stderr: string }

/** The real `realize-node` binary, as a user runs it. */
export async function runCli (args: string[], options: { cwd?: string, env?: NodeJS.ProcessEnv, uid?: number } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  delete env.REALIZE_DEBUG
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, uid: options.uid, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr }
}

export interface InProcessNode {
  node: RealizeNode
  dataDir: string
  /** Root of arena `photos` (own). */
  root: string
  client: ControlClient
  close: () => Promise<void>
}

/**
 * A real node in this process (stores, watcher, libp2p on loopback, churten)
 * serving its control socket; two or more that talk: test/helpers/nodes.ts.
 */
export async function inProcessNode (options: { arenas?: Array<{ name: string, root: boolean, mark?: Mark }> } = {}): Promise<InProcessNode> {
  const tmp = await tempDir('rz-ctl-')
  const dataDir = join(tmp.dir, 'data')
  const config: Config = baseConfig()
  config.node = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false }
  const arenas = options.arenas ?? [{ name: 'photos', root: true, mark: 'own' }]
  for (const a of arenas) {
    const root = a.root ? join(tmp.dir, a.name) : undefined
    if (root != null) await mkdir(root, { recursive: true })
    config.arenas.push({ name: parseArenaName(a.name), ...(root == null ? {} : { root }), mark: a.mark ?? 'watch' })
  }
  await writeConfig(dataDir, config)
  const identity = await loadOrCreateIdentity(dataDir)
  const node = await RealizeNode.open({ dataDir, config, identity, log: silentLogger })
  await node.start()
  const client = await ControlClient.connect(dataDir)
  return {
    node,
    dataDir,
    root: join(tmp.dir, arenas[0]?.name ?? 'photos'),
    client,
    close: async () => {
      await client.close().catch(() => {})
      await node.stop().catch(() => {})
      await tmp.cleanup()
    }
  }
}

/** Ed25519 PeerIds of nobody (valid keys, never running). */
export const STRANGER = '12D3KooWBTsDYtN3DKixUkpX6Z2HHuFsGwJWKQAtEKgHyhEabXhY'
export const LAPTOP = '12D3KooWJTTBTxTMZEUYEwURi9Z2mJ7ToiLupwV5Cq81Joh6LLci'

/**
 * Writes `names` (paths under the first arena's root, all in directory `dir`)
 * and waits until the index holds every one of them.
 */
export async function writeIndexed (n: InProcessNode, dir: string, names: string[], ms = 30_000): Promise<void> {
  await mkdir(join(n.root, dir), { recursive: true })
  await Promise.all(names.map(async (p, i) => { await writeFile(join(n.root, p), String(i)) }))
  const arena = n.node.arenas[0] as Arena
  await until(arena.index, 'history', async () => {
    let c = 0
    for await (const _ of arena.store.index.under(dir as RelPath)) c++
    return c === names.length
  }, `${names.length} files indexed`, ms)
}
