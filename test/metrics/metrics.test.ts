import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig, writeConfig } from '../../node/config/config.js'
import { ControlClient } from '../../node/control/api/client.js'
import { freePort } from '../helpers/net.js'
import { NodeProcess } from '../helpers/node-process.js'
import { tempDir } from '../helpers/tmp.js'
import { until } from '../helpers/wait.js'
import { runCli } from '../control/fixtures.js'

/** `name{labels} value` lines of a Prometheus text page, by name and label text. */
function samples (page: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of page.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const i = line.lastIndexOf(' ')
    out.set(line.slice(0, i), Number(line.slice(i + 1)))
  }
  return out
}

async function scrape (url: string): Promise<Map<string, number>> {
  const r = await fetch(url)
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  return samples(await r.text())
}

/**
 * Two real node processes: `a` has the files, `b` keeps them. b serves
 * metrics because of `start --metrics`, a because of `[metrics] listen` in
 * its config; the test scrapes both over HTTP as Prometheus would.
 */
describe('metrics endpoint (Prometheus, issue 16)', function () {
  let tmp: { dir: string, cleanup: () => Promise<void> }
  const nodes: NodeProcess[] = []
  const size = 300_000

  before(async function () {
    tmp = await tempDir('rz-metrics-')
  })

  after(async function () {
    for (const n of nodes) if (n.exitCode === undefined) n.kill('SIGKILL')
    await tmp.cleanup()
  })

  it('serves the counters when asked (config or flag), refuses a bad address (exit 2, nothing created), and is off otherwise', async () => {
    const a = join(tmp.dir, 'a')
    const b = join(tmp.dir, 'b')
    const rootA = join(tmp.dir, 'roota')
    await mkdir(join(rootA, 'photos'), { recursive: true })
    await writeFile(join(rootA, 'photos', 'one.jpg'), randomBytes(size))
    await writeFile(join(rootA, 'photos', 'two.jpg'), 'two')
    const [portA, portB] = [await freePort(), await freePort()]
    for (const [data, port, arena, mark] of [[a, portA, `shared=${rootA}`, 'own'], [b, portB, 'shared', 'keep']] as const) {
      const r = await runCli(['init', '--data', data, '--arena', arena, '--mark', `shared=${mark}`, '--port', String(port), '--no-mdns'])
      assert.equal(r.code, 0, r.stderr)
    }
    const id = async (data: string): Promise<string> => JSON.parse((await runCli(['id', '--json', '--data', data])).stdout).peerId
    assert.equal((await runCli(['peer', 'add', 'laptop', await id(b), `localhost:${portB}`, '--data', a])).code, 0)
    assert.equal((await runCli(['peer', 'add', 'desk', await id(a), `localhost:${portA}`, '--data', b])).code, 0)

    const bad = await runCli(['start', '--headless', '--metrics', 'localhost', '--data', join(tmp.dir, 'never')])
    assert.equal(bad.code, 2, bad.stderr)
    assert.match(bad.stderr, /^error: --metrics: invalid listen address "localhost": expected host:port/)
    await assert.rejects(stat(join(tmp.dir, 'never')), { code: 'ENOENT' })

    // a from its config file; b from the flag.
    const config = await loadConfig(a)
    assert.ok(config != null)
    config.metrics = { listen: '127.0.0.1:0' }
    await writeConfig(a, config)
    const pa = new NodeProcess(['--data', a])
    const pb = new NodeProcess(['--data', b, '--metrics', '127.0.0.1:0'])
    nodes.push(pa, pb)
    const urlA = String((await pa.waitForEvent('metrics-listening')).url)
    const urlB = String((await pb.waitForEvent('metrics-listening')).url)
    assert.match(urlB, /^http:\/\/127\.0\.0\.1:[1-9]\d*\/metrics$/)

    // b keeps both files: churten downloads them.
    const client = await ControlClient.connect(b)
    try {
      const bus = new EventEmitter<{ event: [] }>()
      await client.subscribe(['churten', 'index'], () => { bus.emit('event') })
      await until(bus, 'event', async () => (await client.call('status')).arenas[0]?.cachedFiles === 2, 'both files cached on b', 60_000)
    } finally {
      await client.close()
    }

    const mb = await scrape(urlB)
    const blobIn = [...mb].filter(([k]) => k.startsWith('realize_peer_bytes_total{peer="desk",protocol="/realize/blob/') && k.endsWith('direction="in"}'))
    assert.equal(blobIn.length, 1, [...mb.keys()].filter((k) => k.startsWith('realize_peer')).join('\n'))
    assert.ok((blobIn[0]?.[1] ?? 0) >= size, `blob bytes in: ${blobIn[0]?.[1]}`)
    assert.ok((mb.get('realize_peer_bytes_total{peer="desk",protocol="/realize/history/1.0.0",direction="in"}') ?? 0) > 0, 'history bytes')
    assert.equal(mb.get('realize_jobs_total{kind="download",result="done"}'), 2)
    assert.ok((mb.get('realize_cache_used_bytes') ?? 0) >= size)
    assert.ok((mb.get('realize_cache_capacity_bytes') ?? 0) > 0)
    assert.equal(mb.get('realize_index_files{arena="shared"}'), 0, 'b has no root: nothing real')
    assert.equal(mb.get('realize_churten_running'), 1)
    assert.equal(mb.get('realize_churten_jobs_running'), 0)
    assert.ok(mb.has('process_resident_memory_bytes'), 'the process metrics too')

    // The sender's side: a served the blob bytes out to laptop, and indexes its two files.
    const ma = await scrape(urlA)
    const blobOut = [...ma].find(([k]) => k.startsWith('realize_peer_bytes_total{peer="laptop",protocol="/realize/blob/') && k.endsWith('direction="out"}'))
    assert.ok((blobOut?.[1] ?? 0) >= size, `blob bytes out: ${blobOut?.[1]}`)
    assert.equal(ma.get('realize_index_files{arena="shared"}'), 2)
    await writeFile(join(rootA, 'photos', 'three.jpg'), 'three')
    const bus = new EventEmitter<{ event: [] }>()
    const watch = await ControlClient.connect(a)
    try {
      await watch.subscribe(['index'], () => { bus.emit('event') })
      await until(bus, 'event', async () => (await scrape(urlA)).get('realize_index_files{arena="shared"}') === 3, 'the index count to follow a new file', 30_000)
    } finally {
      await watch.close()
    }
    assert.equal((await fetch(urlA.replace('/metrics', '/'))).status, 404)

    for (const n of [pa, pb]) {
      n.kill('SIGTERM')
      await n.waitForExit()
    }
    await assert.rejects(fetch(urlB), 'the endpoint closes with the node')
    // Off unless asked: b again, without the flag (its config has no [metrics]), serves none.
    const again = new NodeProcess(['--data', b])
    nodes.push(again)
    await again.waitForEvent('ready')
    assert.equal(again.lines.find((l) => l.event === 'metrics-listening'), undefined)
    assert.equal((await loadConfig(b))?.metrics, undefined, 'the flag is for one run, not written to the config')
  })
})
