import { once } from 'node:events'
import type { Command } from 'commander'
import { ControlClient } from '../../control/api/client.js'
import { formatBytes, formatRate } from '../../control/api/format.js'
import { applyJobEvent, type JobView } from '../../control/api/jobs.js'
import { RealizeError } from '../../../datastore/types/errors.js'
import type { ChurtenEvent, ChurtenStatus } from '../../control/api/model.js'
import { dataDirOf } from '../common.js'
import { describeChurten } from './status.js'
import { asUsage, controlCommand, out, printJson, withClient, type ControlOptions } from './control-common.js'

/** Progress lines of one job at most this often, so a fast download does not flood the terminal. */
const PROGRESS_EVERY_MS = 500

export function registerChurten (program: Command): void {
  const churten = program.command('churten').description('control the job runner that makes the real and the unreal match the marks')
  controlCommand(churten.command('start')).description('start churten').action(async (opts: ControlOptions) => {
    const s = await withClient(opts, async (c) => await c.call('churten.start'))
    await out(`churten ${describeChurten(s)}\n`)
  })
  controlCommand(churten.command('stop')).description('stop churten').action(async (opts: ControlOptions) => {
    const s = await withClient(opts, async (c) => await c.call('churten.stop'))
    await out(`churten ${describeChurten(s)}\n`)
  })
  controlCommand(churten.command('status'), { json: 'print {"available", "running", "jobs", "active"} as JSON only' })
    .description('is churten running, and its jobs')
    .action(async (opts: ControlOptions) => {
      const s = await withClient(opts, async (c) => await c.call('churten.status'))
      if (opts.json === true) await printJson(s)
      else await out(formatStatus(s))
    })
  controlCommand(churten.command('run'), { json: 'print each notification as one JSON line' })
    .description('start churten, print its notifications live with progress; Ctrl-C stops it')
    .action(async (opts: ControlOptions) => { await churtenRun(opts) })
}

function formatStatus (s: ChurtenStatus): string {
  const lines = [`churten ${describeChurten(s)}`]
  for (const j of s.active) {
    const pct = j.total > 0 ? ` ${Math.floor(100 * j.bytes / j.total)}%` : ''
    lines.push(`  ${j.state.padEnd(8)} ${j.kind.padEnd(9)} ${j.arena}:${j.path}${pct}`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * {#churten-run}: subscribe, start churten tied to this connection, print
 * notifications until Ctrl-C (or SIGTERM), then stop churten. The node also
 * stops it if this process dies without saying so (the connection closes).
 */
export async function churtenRun (opts: ControlOptions): Promise<void> {
  const client = await ControlClient.connect(dataDirOf(opts))
  const printer = new Printer(opts.json === true)
  const ac = new AbortController()
  const onSignal = (): void => { ac.abort() }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await client.subscribe(['churten'], (e) => { if (e.type === 'churten') void printer.event(e.event) })
    const s = await client.call('churten.start', { untilDisconnect: true })
    if (!printer.json) process.stderr.write(`churten ${describeChurten(s)}; Ctrl-C stops it\n`)
    const closed = once(client, 'close').then(() => { throw new RealizeError('CONTROL_CLOSED', 'the node stopped while churten was running') })
    await Promise.race([once(ac.signal, 'abort'), closed])
    const after = await client.call('churten.stop')
    if (!printer.json) process.stderr.write(`churten ${describeChurten(after)}\n`)
  } catch (err) {
    throw asUsage(err)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await client.close()
  }
}

class Printer {
  private jobs = new Map<number, JobView>()
  private readonly lastPrinted = new Map<number, number>()

  constructor (readonly json: boolean) {}

  async event (e: ChurtenEvent): Promise<void> {
    const now = Date.now()
    const before = this.jobs
    this.jobs = applyJobEvent(this.jobs, e, now)
    if (this.json) {
      await printJson(e)
      return
    }
    const name = (id: number): string => {
      const j = (this.jobs.get(id) ?? before.get(id))?.job
      return j == null ? `job ${id}` : `${j.arena}:${j.path}`
    }
    let line: string | undefined
    switch (e.type) {
      case 'state': line = `churten ${e.running ? 'running' : 'stopped'}`; break
      case 'pending': line = `pending   ${e.job.kind} ${name(e.job.id)}${e.job.total > 0 ? ` (${formatBytes(e.job.total)})` : ''}`; break
      case 'started': line = `started   ${e.job.kind} ${name(e.job.id)}`; break
      case 'action': line = `          ${e.action} ${name(e.id)}`; break
      case 'progress': {
        const last = this.lastPrinted.get(e.id) ?? 0
        if (e.bytes < e.total && now - last < PROGRESS_EVERY_MS) return
        this.lastPrinted.set(e.id, now)
        const v = this.jobs.get(e.id)
        const pct = e.total > 0 ? Math.floor(100 * e.bytes / e.total) : 100
        line = `          ${name(e.id)} ${formatBytes(e.bytes)} of ${formatBytes(e.total)} (${pct}%) ${formatRate(v?.rate ?? 0)}`
        break
      }
      case 'ended':
        this.lastPrinted.delete(e.id)
        line = `${e.outcome.padEnd(9)} ${name(e.id)}${e.error == null ? '' : `: ${e.error}`}`
        break
    }
    await out(`${line}\n`)
  }
}
