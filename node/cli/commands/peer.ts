import type { Command } from 'commander'
import { NodeNotRunningError } from '../../control/api/errors.js'
import { collect, dataDirOf } from '../common.js'
import type { PeerConfigJson } from '../../control/api/model.js'
import { asUsage, controlCommand, withClient, type ControlOptions } from './control-common.js'

/**
 * `peer add` / `peer rm`: edit the household. A running node edits its own
 * config and applies the change at once; a stopped node's config file is
 * edited here and read at the next start (spec section 7).
 */
export function registerPeer (program: Command): void {
  const peer = program.command('peer').description('edit the household: add or remove a peer')
  controlCommand(peer.command('add'))
    .description('add a household peer (PEERID from `realize-node id` on that machine); ADDR: host:port or multiaddr')
    .argument('<name>', 'a name for the peer')
    .argument('<peerid>', "the peer's PeerId (12D3KooW...)")
    .argument('[addr...]', 'static addresses; none: found by mDNS')
    .option('--arena <name>', 'share only this arena with the peer (repeatable; default: every arena)', collect, [])
    .action(async (name: string, peerId: string, addrs: string[], opts: ControlOptions & { arena: string[] }) => { await peerAdd(name, peerId, addrs, opts) })
  controlCommand(peer.command('rm'))
    .description('remove a household peer')
    .argument('<name>')
    .action(async (name: string, opts: ControlOptions) => { await peerRm(name, opts) })
}

/** Through the running node, or on the config file when no node runs. */
async function viaNodeOrFile (opts: ControlOptions, viaNode: () => Promise<PeerConfigJson>, onFile: () => Promise<PeerConfigJson>): Promise<{ peer: PeerConfigJson, running: boolean }> {
  try {
    return { peer: await viaNode(), running: true }
  } catch (err) {
    if (!(err instanceof NodeNotRunningError)) throw err
  }
  try {
    return { peer: await onFile(), running: false }
  } catch (err) {
    throw asUsage(err)
  }
}

export async function peerAdd (name: string, peerId: string, addrs: string[], opts: ControlOptions & { arena?: string[] }): Promise<void> {
  const dataDir = dataDirOf(opts)
  const arenas = opts.arena != null && opts.arena.length > 0 ? opts.arena : undefined
  const { peer, running } = await viaNodeOrFile(opts,
    async () => await withClient(opts, async (c) => await c.call('peer.add', { name, peerId, addrs, arenas })),
    async () => {
      // Loaded only for a stopped node: the config parser is the heaviest import of the CLI.
      const { addPeerTo, editConfig, peerJson } = await import('../../config/household.js')
      const { requireIdentity } = await import('../../identity/identity.js')
      // A stopped node's config is edited only where a node was set up: a mistyped --data makes nothing.
      const self = (await requireIdentity(dataDir)).peerId.toString()
      const config = await editConfig(dataDir, (c) => { addPeerTo(c, { name, peerId, addrs, arenas }, self) })
      return peerJson(config.peers.find((p) => p.name === name) as (typeof config.peers)[number])
    })
  const sharing = peer.arenas == null ? '' : `, sharing ${peer.arenas.join(', ')}`
  process.stdout.write(`added peer ${peer.name} ${peer.peerId}${peer.addrs.length > 0 ? ` at ${peer.addrs.join(', ')}` : await howFound(dataDir)}${sharing}\n`)
  if (!running) process.stderr.write('the node is not running; it applies the change when it starts\n')
}

export async function peerRm (name: string, opts: ControlOptions): Promise<void> {
  const dataDir = dataDirOf(opts)
  const { peer, running } = await viaNodeOrFile(opts,
    async () => await withClient(opts, async (c) => await c.call('peer.rm', { name })),
    async () => {
      const { editConfig, peerJson, removePeerFrom } = await import('../../config/household.js')
      await (await import('../../identity/identity.js')).requireIdentity(dataDir)
      let removed: PeerConfigJson | undefined
      await editConfig(dataDir, (c) => { removed = peerJson(removePeerFrom(c, name)) })
      return removed as PeerConfigJson
    })
  process.stdout.write(`removed peer ${peer.name} ${peer.peerId}\n`)
  if (!running) process.stderr.write('the node is not running; it applies the change when it starts\n')
}

/** Where a peer without addresses comes from: mDNS when it is on (the config just written says), else only its own dials. */
async function howFound (dataDir: string): Promise<string> {
  const { loadConfig } = await import('../../config/config.js')
  const mdns = (await loadConfig(dataDir))?.node.mdns ?? true
  return mdns ? ' (found by mDNS)' : ' (no address and mDNS is off: reached only when it dials this node; add an address)'
}
