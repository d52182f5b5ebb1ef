import type { Command } from 'commander'
import { formatBytes, table } from '../../control/api/format.js'
import type { ChurtenStatus, StatusInfo } from '../../control/api/model.js'
import { controlCommand, out, printJson, withClient, type ControlOptions } from './control-common.js'

export function registerStatus (program: Command): void {
  controlCommand(program.command('status'), { json: 'print {"peerId", "churten", "arenas", "cache", "peers", "mount"} as JSON only' })
    .description('arenas (files real/cached, bytes, cache use), churten state, peers')
    .action(async (opts: ControlOptions) => { await status(opts) })
}

export async function status (opts: ControlOptions): Promise<void> {
  const s = await withClient(opts, async (c) => await c.call('status'))
  if (opts.json === true) {
    await printJson(s)
    return
  }
  await out(`${formatStatus(s)}\n`)
}

export function describeChurten (c: ChurtenStatus): string {
  return `${c.running ? 'running' : 'stopped'}, ${c.jobs} job${c.jobs === 1 ? '' : 's'}`
}

function formatStatus (s: StatusInfo): string {
  const connected = s.peers.filter((p) => p.connected).length
  const lines = [
    table([
      ['node', s.peerId],
      ['data', s.dataDir],
      ['churten', describeChurten(s.churten)],
      ['peers', `${connected} of ${s.peers.length} connected`],
      ['cache', `${formatBytes(s.cache.used)} of ${formatBytes(s.cache.capacity)} used`],
      ...(s.mount == null ? [] : [['mount', `${s.mount.path} (${s.mount.state}${s.mount.error == null ? '' : `: ${s.mount.error}`})`]])
    ]),
    '',
    table([
      ['ARENA', 'MARK', 'STATE', 'REAL', 'CACHED', 'ROOT'],
      ...s.arenas.map((a) => [
        a.name, a.mark, a.state,
        `${a.realFiles} files, ${formatBytes(a.realBytes)}`,
        `${a.cachedFiles} files, ${formatBytes(a.cachedBytes)}`,
        a.root ?? '(cache only)'
      ])
    ])
  ]
  // A paused arena says why and what to do (spec section 4).
  for (const a of s.arenas) if (a.error != null) lines.push('', `${a.error.message}`, `  ${a.error.hint}`)
  if (s.peers.length > 0) {
    lines.push('', table([['PEER', 'STATE', 'PEERID'], ...s.peers.map((p) => [p.name, p.connected ? 'connected' : 'disconnected', p.peerId])]))
  }
  return lines.join('\n')
}
