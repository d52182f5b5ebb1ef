import type { Command } from 'commander'
import { ConfigError } from '../../../datastore/types/errors.js'
import { dataDirOf } from '../common.js'
import { controlCommand, type ControlOptions } from './control-common.js'

export function registerTui (program: Command): void {
  controlCommand(program.command('tui'))
    .description('attach the terminal UI to a running node (q quits the UI; the node keeps running)')
    .action(async (opts: ControlOptions) => { await tui(opts) })
}

export async function tui (opts: ControlOptions): Promise<void> {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    throw new ConfigError('the TUI needs a terminal on stdin and stdout; use status, peers, ls... for scripts')
  }
  // Loaded here so other commands do not pay for React and Ink.
  const { attachTui } = await import('../../../tui/attach.js')
  const t = await attachTui({ dataDir: dataDirOf(opts), ownNode: false })
  await t.exited
  await t.close()
}
