import { resolve } from 'node:path'
import type { Command } from 'commander'
import { defaultDataDir } from '../config/paths.js'

/** Every command takes `--data DIR` (spec section 7). */
export function withDataOption (cmd: Command): Command {
  return cmd.option('--data <dir>', 'data directory', defaultDataDir(process.env))
}

export function dataDirOf (opts: { data?: string }): string {
  return resolve(opts.data ?? defaultDataDir(process.env))
}

export function collect (value: string, previous: string[]): string[] {
  return [...previous, value]
}
