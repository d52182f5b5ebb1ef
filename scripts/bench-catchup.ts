/**
 * Catch-up of an unchanged 100,000-file arena (spec section 9, issue
 * Foundation): a real `realize-node start --headless` process indexes the
 * arena once, is stopped, and started again; the second catch-up must take
 * seconds and the process's peak RSS stay under 300 MB. The reference in
 * the same run is a bare walk + lstat of the same tree (`find -printf`).
 *
 *   npx node dist/scripts/bench-catchup.js [--files 100000]
 */
import { spawn, execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../node/cli/main.js', import.meta.url))
const files = Number(process.argv[process.argv.indexOf('--files') + 1] ?? 0) || 100_000
const perDir = 100

interface Run { ms: number, catchUpMs: number, changed: number, peakRssMb: number }

async function runNode (data: string): Promise<Run> {
  const started = performance.now()
  const child = spawn(process.execPath, [CLI, 'start', '--headless', '--data', data], { stdio: ['ignore', 'ignore', 'pipe'] })
  let buf = ''
  const line = await new Promise<Record<string, any>>((resolve, reject) => {
    child.on('exit', (code) => { reject(new Error(`node exited ${code}: ${buf}`)) })
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      buf += c
      for (const l of buf.split('\n')) {
        if (l.includes('"caught-up"')) resolve(JSON.parse(l))
      }
    })
  })
  const ms = performance.now() - started
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
  child.removeAllListeners('exit')
  const exited = new Promise((resolve) => child.on('exit', resolve))
  child.kill('SIGTERM')
  await exited
  return { ms, catchUpMs: line.ms, changed: line.changed, peakRssMb: hwm }
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'realize-bench-catchup-'))
  try {
    const root = join(dir, 'root')
    const data = join(dir, 'data')
    let t = performance.now()
    for (let d = 0; d < files / perDir; d++) {
      const sub = join(root, `dir${d}`)
      await mkdir(sub, { recursive: true })
      await Promise.all(Array.from({ length: perDir }, async (_, i) => { await writeFile(join(sub, `file${i}.txt`), `file ${d}/${i}\n`) }))
    }
    console.log(`created ${files} files in ${files / perDir} directories in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    execFileSync(process.execPath, [CLI, 'init', '--data', data, '--arena', `bench=${root}`, '--mark', 'bench=own'])

    const first = await runNode(data)
    console.log(`first start (index everything): catch-up ${(first.catchUpMs / 1000).toFixed(2)} s, ${first.changed} files added, peak RSS ${first.peakRssMb.toFixed(0)} MB`)

    const runs: Run[] = []
    for (let i = 0; i < 3; i++) runs.push(await runNode(data))
    console.log(`restarts: ${runs.map((r) => (r.catchUpMs / 1000).toFixed(2)).join(' ')} s`)
    runs.sort((a, b) => a.catchUpMs - b.catchUpMs)
    const med = runs[1] as Run
    t = performance.now()
    execFileSync('find', [root, '-printf', '%s %T@\n'], { maxBuffer: 1 << 30 })
    const findMs = performance.now() - t
    console.log(`unchanged catch-up (median of 3): ${(med.catchUpMs / 1000).toFixed(2)} s catch-up, ${(med.ms / 1000).toFixed(2)} s from spawn, ${med.changed} changed, peak RSS ${med.peakRssMb.toFixed(0)} MB`)
    console.log(`reference: find -printf (walk + stat) of the same tree: ${(findMs / 1000).toFixed(2)} s`)
    console.log(`goals: seconds (${med.catchUpMs < 10_000 ? 'met' : 'MISSED'}), RSS < 300 MB (${med.peakRssMb < 300 ? 'met' : 'MISSED'})`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
