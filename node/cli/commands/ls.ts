import type { Command } from 'commander'
import { formatBytes, formatLocation, formatTime } from '../../control/api/format.js'
import type { LsEntry } from '../../control/api/model.js'
import { controlCommand, out, resolveTarget, withClient, type ControlOptions } from './control-common.js'

export function registerLs (program: Command): void {
  controlCommand(program.command('ls'), { json: 'print [{"name", "path", "type", "size", "mtime", "hash", "mark", "location", "peers"}] as JSON only' })
    .description('merged listing of the real and what peers have: name, size, mtime, mark, where the content is')
    .argument('<path>', 'ARENA:[path], or a file system path inside an arena root')
    .action(async (path: string, opts: ControlOptions) => { await ls(path, opts) })
}

/**
 * Fetched page by page from one snapshot and written as it comes, so a
 * 100,000-entry directory never sits in memory twice or in one huge line.
 */
export async function ls (raw: string, opts: ControlOptions): Promise<void> {
  await withClient(opts, async (c) => {
    const { arena, path } = await resolveTarget(c, raw)
    let first = true
    if (opts.json === true) await out('[')
    await c.lsAll(arena, path, async (entries, page) => {
      if (opts.json === true) {
        // The node's JSON text of the page, without its brackets, copied through.
        const inner = (page.json ?? '[]').slice(1, -1)
        if (inner === '') return
        await out(`${first ? '' : ','}${inner}`)
        first = false
      } else if (entries.length > 0) {
        await out(`${entries.map(line).join('\n')}\n`)
      }
    }, { as: opts.json === true ? 'json' : 'objects' })
    if (opts.json === true) await out(']\n')
  })
}

function line (e: LsEntry): string {
  const size = e.type === 'dir' && e.files == null ? '-' : formatBytes(e.size)
  const peers = e.peers.length > 0 ? `  (${e.peers.join(', ')})` : ''
  return `${e.mark.padEnd(5)} ${formatLocation(e).padEnd(11)} ${size.padStart(9)}  ${formatTime(e.mtime).padEnd(16)}  ${e.name}${e.type === 'dir' ? '/' : ''}${peers}`
}
