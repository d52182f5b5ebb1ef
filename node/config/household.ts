import { homedir } from 'node:os'
import { configPath, defaultConfig, loadConfig, parseConfig, serializeConfig, writeConfig, type Config, type PeerConfig } from './config.js'
import { checkPeerAddr } from './addrs.js'
import { checkPeerId } from './schema.js'
import { ConfigError, InvalidInputError } from '../../datastore/types/errors.js'
import type { ArenaName } from '../../datastore/types/arena.js'
import type { Mark } from '../../datastore/types/mark.js'

/**
 * Edits of realize.toml made by `peer add`/`peer rm` and by marking an
 * arena (`mark own ARENA:`). The file on disk is read fresh, edited,
 * validated by the same parser as at start, and written atomically; the
 * running node (if any) then applies the part that changed. Done by the
 * node itself when it runs, so it is the only writer; by the CLI otherwise.
 */

/** A household peer as JSON: what `peers`, `peer add` and `peer rm` print (control API, docs/control.md). */
export interface PeerConfigJson { name: string, peerId: string, addrs: string[], arenas: string[] | null }

export interface EditOptions {
  home?: string
}

/** Applies `edit` to the config on disk (the embedded default if there is none) and writes it back. */
export async function editConfig (dataDir: string, edit: (config: Config) => void, options: EditOptions = {}): Promise<Config> {
  const home = options.home ?? homedir()
  const current = (await loadConfig(dataDir, { home })) ?? defaultConfig(home)
  const next = structuredClone(current)
  edit(next)
  // The same checks as loading the file: a bad PeerId, duplicate ids, `own` without a root...
  const checked = parseConfig(serializeConfig(next), { file: configPath(dataDir), dataDir, home })
  await writeConfig(dataDir, checked)
  return checked
}

export class UnknownPeerError extends InvalidInputError {
  constructor (name: string, known: readonly string[]) {
    super('UNKNOWN_PEER', `no peer ${JSON.stringify(name)} in the household (peers: ${known.length === 0 ? 'none' : known.join(', ')})`)
  }
}

export function peerJson (p: PeerConfig): PeerConfigJson {
  return { name: p.name, peerId: p.id, addrs: [...p.addrs], arenas: p.arenas == null ? null : [...p.arenas] }
}

/** Adds a peer; a name already in use is refused rather than silently replaced. */
export function addPeerTo (config: Config, peer: { name: string, peerId: string, addrs: string[], arenas?: string[] }, selfId?: string): void {
  // Checked as the command-line argument it is: the file is not to blame for what the user typed.
  try {
    checkPeerId(peer.peerId)
  } catch (err) {
    throw new ConfigError((err as Error).message, { key: 'PEERID' })
  }
  for (const addr of peer.addrs) {
    try {
      checkPeerAddr(addr)
    } catch (err) {
      throw new ConfigError((err as Error).message, { key: 'ADDR' })
    }
  }
  if (selfId != null && peer.peerId === selfId) throw new ConfigError(`${peer.peerId} is this node's own PeerId`, { key: 'PEERID' })
  const same = config.peers.find((p) => p.name === peer.name)
  if (same != null) throw new ConfigError(`a peer named ${JSON.stringify(peer.name)} exists already (${same.id}); remove it first with \`peer rm ${peer.name}\``, { key: 'NAME' })
  const added: PeerConfig = { name: peer.name, id: peer.peerId, addrs: [...peer.addrs] }
  if (peer.arenas != null && peer.arenas.length > 0) {
    // Sharing an arena this node does not have would share nothing: almost always a typo.
    const unknown = peer.arenas.filter((a) => !config.arenas.some((x) => x.name === a))
    if (unknown.length > 0) throw new InvalidInputError('UNKNOWN_ARENA', `no arena ${unknown.map((a) => JSON.stringify(a)).join(', ')} in the config (arenas: ${config.arenas.map((a) => a.name).join(', ') || 'none'})`)
    added.arenas = [...new Set(peer.arenas)] as ArenaName[]
  }
  config.peers.push(added)
}

export function removePeerFrom (config: Config, name: string): PeerConfig {
  const i = config.peers.findIndex((p) => p.name === name)
  const found = config.peers[i]
  if (found == null) throw new UnknownPeerError(name, config.peers.map((p) => p.name))
  config.peers.splice(i, 1)
  return found
}

export function setArenaMarkIn (config: Config, arena: ArenaName, mark: Mark): void {
  const a = config.arenas.find((x) => x.name === arena)
  if (a == null) throw new InvalidInputError('UNKNOWN_ARENA', `no arena ${JSON.stringify(arena)} in the config`)
  a.mark = mark
}
