import { homedir } from 'node:os'
import type { Command } from 'commander'
import { ControlClient } from '../../control/api/client.js'
import { NodeNotRunningError } from '../../control/api/errors.js'
import type { StatusInfo } from '../../control/api/model.js'
import { dataDirOf, withDataOption } from '../common.js'

export function registerId (program: Command): void {
  withDataOption(program.command('id'))
    .description("print this node's PeerId and listen addresses")
    .option('--json', 'print {"peerId", "addrs", "mount"?} as JSON only')
    .action(async (opts: { data?: string, json?: boolean }) => { await id(opts) })
}

async function running (dataDir: string): Promise<Pick<StatusInfo, 'addrs' | 'mount'> | undefined> {
  let client: ControlClient | undefined
  try {
    client = await ControlClient.connect(dataDir)
  } catch (err) {
    if (err instanceof NodeNotRunningError) return undefined
    throw err
  }
  try {
    return await client.call('status', {})
  } finally {
    await client.close()
  }
}

export async function id (opts: { data?: string, json?: boolean }): Promise<void> {
  const dataDir = dataDirOf(opts)
  // Loaded here, not at the top: every other command starts faster without the config parser and libp2p's crypto.
  const [{ defaultConfig, loadConfig }, { requireIdentity }] = await Promise.all([import('../../config/config.js'), import('../../identity/identity.js')])
  const config = (await loadConfig(dataDir)) ?? defaultConfig(homedir())
  const { peerId } = await requireIdentity(dataDir)
  // A running node says where it really listens (port 0 resolved, 0.0.0.0 expanded); else what the config asks for.
  const live = await running(dataDir)
  const addrs = live?.addrs ?? config.node.listen.map((a) => `${a}/p2p/${peerId.toString()}`)
  // The FUSE mount of a running node (issue 12), only when it has one.
  const mount = live?.mount ?? undefined
  if (opts.json === true) {
    process.stdout.write(`${JSON.stringify({ peerId: peerId.toString(), addrs, ...(mount != null ? { mount } : {}) })}\n`)
  } else {
    const mounted = mount == null ? [] : [mount.state === 'mounted' ? `mounted at ${mount.path}` : `mount ${mount.path}: ${mount.state}`]
    process.stdout.write(`${[peerId.toString(), ...addrs, ...mounted].join('\n')}\n`)
  }
}
