import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { until } from './wait.js'

/** The compiled CLI, run with the same Node 22 as the tests. */
export const CLI = fileURLToPath(new URL('../../node/cli/main.js', import.meta.url))

export interface NodeProcessOptions {
  env?: NodeJS.ProcessEnv
  /** Run inside this network namespace (`ip netns exec NS ...`). */
  netns?: string
  /** Run as this user (uid = gid), e.g. 65534 to meet file permissions root would bypass. */
  uid?: number
}

export interface LogLine {
  level: number
  msg: string
  event?: string
  [key: string]: unknown
}

/**
 * A real `realize-node start --headless` process. Its JSON log lines on
 * stderr are parsed and re-emitted as 'log' events, so tests wait for what
 * the node says (`ready`, `caught-up`) instead of sleeping.
 */
export class NodeProcess extends EventEmitter<{ log: [LogLine], exit: [number | null, NodeJS.Signals | null] }> {
  readonly lines: LogLine[] = []
  readonly stderr: string[] = []
  exitCode: number | null | undefined
  signal: NodeJS.Signals | null | undefined
  private readonly child: ChildProcess

  constructor (args: string[], options: NodeProcessOptions = {}) {
    super()
    // Node's own flags for the node under study (profiling a benchmark: `--cpu-prof --cpu-prof-dir=DIR`).
    const flags = process.env.REALIZE_NODE_FLAGS?.split(' ').filter((f) => f !== '') ?? []
    const argv = [...flags, CLI, 'start', '--headless', ...args]
    this.child = options.netns == null
      ? spawn(process.execPath, argv, { env: { ...process.env, ...options.env }, uid: options.uid, gid: options.uid, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('ip', ['netns', 'exec', options.netns, process.execPath, ...argv], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    this.wire()
  }

  private wire (): void {
    this.child.on('error', (err) => {
      this.stderr.push(`spawn failed: ${err.message}`)
      this.exitCode = null
      this.emit('exit', null, null)
    })
    let buf = ''
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        this.stderr.push(line)
        try {
          const parsed = JSON.parse(line) as LogLine
          this.lines.push(parsed)
          this.emit('log', parsed)
        } catch {}
      }
    })
    this.child.stdout?.resume()
    this.child.on('exit', (code, signal) => {
      this.exitCode = code
      this.signal = signal
      this.emit('exit', code, signal)
    })
  }

  get pid (): number | undefined {
    return this.child.pid
  }

  /** Waits for a log line with `event` (checked against lines seen so far too). */
  async waitForEvent (event: string, ms = 30_000): Promise<LogLine> {
    return await until(this, 'log', () => this.lines.find((l) => l.event === event), `node event ${event} (stderr so far: ${this.stderr.slice(-5).join(' | ')})`, ms)
  }

  async waitForExit (ms = 30_000): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
    await until(this, 'exit', () => this.exitCode !== undefined, 'node exit', ms)
    return { code: this.exitCode ?? null, signal: this.signal ?? null }
  }

  kill (signal: NodeJS.Signals): void {
    this.child.kill(signal)
  }
}
