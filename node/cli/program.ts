import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerId } from './commands/id.js'
import { registerInit } from './commands/init.js'
import { registerStart } from './commands/start.js'
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
