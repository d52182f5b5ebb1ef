import { homedir } from 'node:os'
import type { Command } from 'commander'
import { ControlClient } from '../../control/api/client.js'
import { NodeNotRunningError } from '../../control/api/errors.js'
import { dataDirOf, withDataOption } from '../common.js'

export function registerId (program: Command): void {
  withDataOption(program.command('id'))
    .description("print this node's PeerId and listen addresses")
    .option('--json', 'print {"peerId", "addrs"} as JSON only')
    .action(async (opts: { data?: string, json?: boolean }) => { await id(opts) })
}

async function boundAddrs (dataDir: string): Promise<string[] | undefined> {
  let client: ControlClient | undefined
  try {
    client = await ControlClient.connect(dataDir)
  } catch (err) {
    if (err instanceof NodeNotRunningError) return undefined
    throw err
  }
  try {
    return (await client.call('status', {})).addrs
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
  const addrs = await boundAddrs(dataDir) ?? config.node.listen.map((a) => `${a}/p2p/${peerId.toString()}`)
  if (opts.json === true) {
    process.stdout.write(`${JSON.stringify({ peerId: peerId.toString(), addrs })}\n`)
  } else {
    process.stdout.write(`${[peerId.toString(), ...addrs].join('\n')}\n`)
  }
}
