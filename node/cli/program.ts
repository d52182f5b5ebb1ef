import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerId } from './commands/id.js'
import { registerInit } from './commands/init.js'
import { registerStart } from './commands/start.js'
import { registerArena } from './commands/arena.js'
import { registerCat } from './commands/cat.js'
import { registerChurten } from './commands/churten.js'
import { registerConflicts } from './commands/conflicts.js'
import { registerLs } from './commands/ls.js'
import { registerMark } from './commands/mark.js'
import { registerPeer } from './commands/peer.js'
import { registerPeers } from './commands/peers.js'
import { registerStatus } from './commands/status.js'
import { registerTui } from './commands/tui.js'
import { exitCodeFor, reportError, type ExitCode } from './exit.js'

function version (): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

export function buildProgram (): Command {
  const program = new Command('realize-node')
    .description('Realize: decentralized, partial file sync for a household')
    .version(version())
    // Settings made before .command() are inherited by every subcommand.
    .exitOverride()
    .showHelpAfterError()
    .allowExcessArguments(false)
  registerInit(program)
  registerId(program)
  registerStart(program)
  registerTui(program)
  registerPeer(program)
  registerPeers(program)
  registerStatus(program)
  registerArena(program)
  registerMark(program)
  registerChurten(program)
  registerLs(program)
  registerCat(program)
  registerConflicts(program)
  return program
}

/** Parses argv, runs the command, and returns the exit code instead of exiting, so output is flushed. */
export async function runCli (argv: string[]): Promise<ExitCode> {
  try {
    await buildProgram().parseAsync(argv)
    return 0
  } catch (err) {
    reportError(err)
    return exitCodeFor(err)
  }
}
