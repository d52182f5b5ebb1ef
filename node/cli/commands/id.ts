import { homedir } from 'node:os'
import type { Command } from 'commander'
import { defaultConfig, loadConfig } from '../../config/config.js'
import { loadOrCreateIdentity } from '../../identity/identity.js'
import { dataDirOf, withDataOption } from '../common.js'

export function registerId (program: Command): void {
  withDataOption(program.command('id'))
    .description("print this node's PeerId and listen addresses")
    .option('--json', 'print {"peerId", "addrs"} as JSON only')
    .action(async (opts: { data?: string, json?: boolean }) => { await id(opts) })
}

export async function id (opts: { data?: string, json?: boolean }): Promise<void> {
  const dataDir = dataDirOf(opts)
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
