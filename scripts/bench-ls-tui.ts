/**
 * `ls --json` of a 100,000-file arena and the TUI's first render with
 * 100,000 files (spec section 7, issue 6; goal: under a second each).
 *
 * A real `realize-node start --headless` indexes an arena whose root holds
 * 100,000 files in one directory (the worst case for a listing). Then:
 *
 * - `realize-node ls --json bench:` as a process, spawn to exit, against
 *   the reference `ls -la` of the same directory in the same run;
 * - the same listing through the control API alone (no process start);
 * - the TUI attached to the node: from connecting to the first frame that
 *   shows the listing (ink-testing-library's in-memory terminal, 100x40).
 *
 *   npx node dist/scripts/bench-ls-tui.js [--files 100000] [--runs 5]
 */
import { execFile, spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createElement } from 'react'
import { render } from 'ink-testing-library'
import { ControlClient } from '../node/control/api/client.js'
import { App } from '../tui/app.js'

const CLI = fileURLToPath(new URL('../node/cli/main.js', import.meta.url))
const exec = promisify(execFile)
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name)
  return i < 0 ? def : Number(process.argv[i + 1])
}
const files = arg('--files', 100_000)
const runs = arg('--runs', 5)

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const ms = (x: number): string => `${x.toFixed(0)} ms`

async function timed (fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

async function startNode (data: string): Promise<{ stop: () => Promise<void>, readyMs: number }> {
  const t = performance.now()
  const child = spawn(process.execPath, [CLI, 'start', '--headless', '--data', data], { stdio: ['ignore', 'ignore', 'pipe'] })
  let buf = ''
  await new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => { reject(new Error(`node exited ${code}: ${buf.slice(-2000)}`)) })
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      buf += c
      if (buf.includes('"event":"ready"')) resolve()
      if (buf.length > 1 << 20) buf = buf.slice(-4096)
    })
  })
  const readyMs = performance.now() - t
  child.removeAllListeners('exit')
  return {
    readyMs,
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

/** The TUI's first frame with the listing: connect, render, wait for the rows. */
async function firstRender (data: string): Promise<number> {
  const t = performance.now()
  const client = await ControlClient.connect(data)
  const r = render(createElement(App, { api: client, size: { rows: 40, columns: 100 } }))
  const frames = new EventEmitter()
  const write = r.stdout.write
  r.stdout.write = (f: string) => { write(f); frames.emit('frame') }
  const want = `photos:  ${files} entries`
  await new Promise<void>((resolve) => {
    const check = (): void => {
      const f = r.lastFrame() ?? ''
      if (f.includes(want) && f.includes('f000000')) { frames.off('frame', check); resolve() }
    }
    frames.on('frame', check)
    check()
  })
  const elapsed = performance.now() - t
  r.unmount()
  await client.close()
  return elapsed
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rz-bench-ls-'))
  try {
    const root = join(dir, 'photos')
    const data = join(dir, 'data')
    await mkdir(root)
    let t = performance.now()
    for (let i = 0; i < files; i += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, files - i) }, async (_, j) => {
        await writeFile(join(root, `f${String(i + j).padStart(6, '0')}.jpg`), `file ${i + j}\n`)
      }))
    }
    console.log(`created ${files} files in one directory in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    await exec(process.execPath, [CLI, 'init', '--data', data, '--arena', `photos=${root}`, '--port', '0', '--no-mdns'])
    const node = await startNode(data)
    console.log(`node ready (catch-up indexed ${files} files) in ${(node.readyMs / 1000).toFixed(1)} s`)
    try {
      const control = await ControlClient.connect(data)
      let flip = false
      // A mark change makes the node's cached listing stale: the next ls computes it again (cold).
      const invalidate = async (): Promise<void> => {
        flip = !flip
        if (flip) await control.call('mark.set', { arena: 'photos', path: 'f000001.jpg', mark: 'keep' })
        else await control.call('mark.rm', { arena: 'photos', path: 'f000001.jpg' })
      }
      const r = { cliCold: [] as number[], cliWarm: [] as number[], ref: [] as number[], api: [] as number[], tuiCold: [] as number[], tuiWarm: [] as number[] }
      let bytes = 0
      const cliLs = async (): Promise<number> => {
        let stdout = ''
        const t = await timed(async () => { stdout = (await exec(process.execPath, [CLI, 'ls', '--json', 'photos:', '--data', data], { maxBuffer: 1 << 30 })).stdout })
        // Checked outside the timing: parsing 23 MB here is the reader's cost, not ls's.
        bytes = stdout.length
        const n = (JSON.parse(stdout) as unknown[]).length
        if (n !== files) throw new Error(`ls --json listed ${n} entries, expected ${files}`)
        return t
      }
      // Interleaved rounds, so drift on this shared machine hits every case alike.
      for (let i = 0; i < runs; i++) {
        await invalidate()
        r.tuiCold.push(await firstRender(data))
        r.tuiWarm.push(await firstRender(data))
        await invalidate()
        r.cliCold.push(await cliLs())
        r.cliWarm.push(await cliLs())
        r.ref.push(await timed(async () => { await exec('ls', ['-la', '--time-style=full-iso', root], { maxBuffer: 1 << 30 }) }))
        r.api.push(await timed(async () => {
          const client = await ControlClient.connect(data)
          let n = 0
          await client.lsAll('photos', '', (entries) => { n += entries.length })
          await client.close()
          if (n !== files) throw new Error(`lsAll listed ${n}`)
        }))
      }
      await control.close()
      const starts: number[] = []
      for (let i = 0; i < 3; i++) starts.push(await timed(async () => { await exec(process.execPath, [CLI, '--version']) }))
      const start = median(starts)
      const goal = (x: number[]): string => (median(x) < 1000 ? 'goal met' : 'GOAL MISSED')
      console.log(`\nmedians of ${runs} runs, ${files} files in one directory (cold: the node computes the listing; warm: it reuses it):`)
      console.log(`  realize-node ls --json, cold (spawn to exit)   ${ms(median(r.cliCold))}  ${goal(r.cliCold)}  (${(bytes / 1e6).toFixed(1)} MB of JSON)`)
      console.log(`  realize-node ls --json, warm                   ${ms(median(r.cliWarm))}  ${goal(r.cliWarm)}`)
      console.log(`  reference: ls -la of the same directory        ${ms(median(r.ref))}  (cold ls --json / ls -la = ${(median(r.cliCold) / median(r.ref)).toFixed(2)})`)
      console.log(`  reference: realize-node --version              ${ms(start)}  (process start alone)`)
      console.log(`  control API, all pages, warm (in process)      ${ms(median(r.api))}`)
      console.log(`  TUI first render with the listing, cold        ${ms(median(r.tuiCold))}  ${goal(r.tuiCold)}`)
      console.log(`  TUI first render with the listing, warm        ${ms(median(r.tuiWarm))}  ${goal(r.tuiWarm)}`)
      for (const [k, v] of Object.entries(r)) console.log(`  ${k}: ${v.map(ms).join(', ')}`)
    } finally {
      await node.stop()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
