import { homedir } from 'node:os'
import type { Command } from 'commander'
import { dataDirOf, withDataOption } from '../common.js'

export function registerId (program: Command): void {
  withDataOption(program.command('id'))
    .description("print this node's PeerId and listen addresses")
    .option('--json', 'print {"peerId", "addrs"} as JSON only')
    .action(async (opts: { data?: string, json?: boolean }) => { await id(opts) })
}

export async function id (opts: { data?: string, json?: boolean }): Promise<void> {
  const dataDir = dataDirOf(opts)
  // Loaded here, not at the top: every other command starts faster without the config parser and libp2p's crypto.
  const [{ defaultConfig, loadConfig }, { loadOrCreateIdentity }] = await Promise.all([import('../../config/config.js'), import('../../identity/identity.js')])
  const config = (await loadConfig(dataDir)) ?? defaultConfig(homedir())
  const { peerId } = await loadOrCreateIdentity(dataDir)
  // The configured listen addresses; a running node will report the ones it actually bound.
  const addrs = config.node.listen.map((a) => `${a}/p2p/${peerId.toString()}`)
  if (opts.json === true) {
    process.stdout.write(`${JSON.stringify({ peerId: peerId.toString(), addrs })}\n`)
  } else {
    process.stdout.write(`${[peerId.toString(), ...addrs].join('\n')}\n`)
  }
}
