import type { Command } from 'commander'
import { formatBytes, formatReach, formatTime, table } from '../../control/api/format.js'
import type { DiscoveredPeer, PeerInfo } from '../../control/api/model.js'
import { controlCommand, out, printJson, withClient, type ControlOptions } from './control-common.js'

export function registerPeers (program: Command): void {
  controlCommand(program.command('peers'), { json: 'print the peers as a JSON array only' })
    .description('household peers with connection info; --discovered: peers seen on the LAN')
    .option('--discovered', 'peers found by mDNS, with whether they are in the household')
    .action(async (opts: ControlOptions & { discovered?: boolean }) => { await peers(opts) })
}

/** Household peers with connection info {#conninfo}, or what mDNS found. */
export async function peers (opts: ControlOptions & { discovered?: boolean }): Promise<void> {
  if (opts.discovered === true) {
    const found = await withClient(opts, async (c) => await c.call('peers.discovered'))
    if (opts.json === true) await printJson(found)
    else await out(`${formatDiscovered(found)}\n`)
    return
  }
  const list = await withClient(opts, async (c) => await c.call('peers'))
  if (opts.json === true) await printJson(list)
  else await out(`${formatPeers(list)}\n`)
}

function formatPeers (list: PeerInfo[]): string {
  if (list.length === 0) return 'no peers in the household; add one with: realize-node peer add NAME PEERID [ADDR...]'
  return table([
    ['NAME', 'STATE', 'REACH', 'SINCE', 'ADDRESS', 'DIR', 'RTT', 'IN', 'OUT', 'PEERID'],
    ...list.map((p) => [
      p.name,
      p.connected ? 'connected' : 'disconnected',
      formatReach(p),
      formatTime(p.since),
      p.remoteAddr?.replace(/\/p2p\/[^/]+$/, '') ?? '-',
      p.direction ?? '-',
      p.rttMs == null ? '-' : `${Math.round(p.rttMs)} ms`,
      p.bytesIn == null ? '-' : formatBytes(p.bytesIn),
      p.bytesOut == null ? '-' : formatBytes(p.bytesOut),
      p.peerId
    ])
  ])
}

function formatDiscovered (list: DiscoveredPeer[]): string {
  if (list.length === 0) return 'no peers discovered on the LAN'
  return table([
    ['PEERID', 'HOUSEHOLD', 'HEARD', 'FROM', 'ADDRESSES'],
    ...list.map((d) => [d.peerId, d.inHousehold ? (d.name ?? 'yes') : 'no', `IPv${d.family}`, d.from, d.addrs.join(' ')])
  ])
}
