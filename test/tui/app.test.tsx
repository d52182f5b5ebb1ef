import assert from 'node:assert/strict'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getAttribute } from 'fs-xattr'
import { loadConfig } from '../../node/config/config.js'
import { until } from '../helpers/wait.js'
import { randomBytes } from 'node:crypto'
import { ControlClient } from '../../node/control/api/client.js'
import { cluster, type Cluster, type TestPeer } from '../helpers/nodes.js'
import { inProcessNode, writeIndexed, type InProcessNode } from '../control/fixtures.js'
import { KEY, lineWith, renderApp, type RenderedApp } from './render.js'
import type { Arena } from '../../node/arena.js'
import type { RelPath } from '../../datastore/types/path.js'

/** Files under the arena root, waited for until the index has them. */
async function files (n: InProcessNode, paths: string[]): Promise<void> {
  for (const p of paths) {
    await mkdir(join(n.root, p, '..'), { recursive: true })
    await writeFile(join(n.root, p), p)
  }
  const arena = n.node.arenas[0] as Arena
  await until(arena.index, 'history', async () => {
    for (const p of paths) if (await arena.index.get(p as RelPath) == null) return false
    return true
  }, 'files indexed', 30_000)
}

/** True when the row starting with `name` is the selected one (marked ›). */
const isSelected = (frame: string, name: string): boolean => frame.includes(`› ${name}`)

describe('TUI (ink-testing-library, attached to a real node)', function () {
  let n: InProcessNode
  let app: RenderedApp | undefined
  afterEach(async () => {
    app?.unmount()
    app = undefined
    await n.close()
  })

  describe('on a node with the real parts only', function () {
    beforeEach(async () => {
      n = await inProcessNode()
      await files(n, ['alpha.txt', 'trip/one.jpg', 'trip/two.jpg', 'zeta.txt'])
    })

    it('shows the five panes, the arena counts and the root listing, with a help line of keys', async () => {
      app = renderApp({ api: n.client })
      const f = await app.waitFor((s) => s.includes('trip/') && s.includes('4 real (41 B)'), 'the first listing')
      for (const title of ['1 Peers', '2 Arenas', '3 Files  photos:  3 entries', '4 Churten  running, 0 jobs', '5 Log']) assert.ok(f.includes(title), title)
      assert.match(lineWith(f, 'photos  own') ?? '', /photos {2}own {2}4 real \(41 B\) {2}0 cached \(0 B\)/)
      assert.match(lineWith(f, '2 Arenas') ?? '', /2 Arenas {2}cache 0 B\/\d+(\.\d)? [KMGT]iB \[-{8}\]/)
      assert.match(lineWith(f, 'alpha.txt') ?? '', /› alpha\.txt +own +real +9 B +\d{4}-\d\d-\d\d \d\d:\d\d/)
      assert.match(lineWith(f, 'trip/') ?? '', /trip\/ +own +real +24 B/)
      // The header: this node's whole PeerId and where it listens, what pairing needs.
      const status = await n.client.call('status')
      const header = f.split('\n')[0] ?? ''
      assert.ok(header.startsWith(`this node ${status.peerId}  on /ip`), header)
      assert.ok(header.includes((status.addrs[0] ?? '').replace(/\/p2p\/.*$/, '')), header)
      assert.match(f.trimEnd().split('\n').at(-1) ?? '', /^Tab\/1-5 pane {2}↑↓ PgUp\/PgDn move {2}Enter open {2}← up {2}m mark {2}c churten start\/stop {2}q quit/)
    })

    it('Tab, Shift-Tab and 1-5 switch the focused pane', async () => {
      app = renderApp({ api: n.client })
      await app.waitFor((s) => s.includes('» 3 Files'), 'files focused at start')
      app.press(KEY.tab)
      await app.waitFor((s) => s.includes('» 4 Churten'), 'churten focused')
      app.press(KEY.tab)
      await app.waitFor((s) => s.includes('» 5 Log'), 'log focused')
      app.press(KEY.tab)
      await app.waitFor((s) => s.includes('» 1 Peers'), 'wraps to peers')
      app.press(KEY.shiftTab)
      await app.waitFor((s) => s.includes('» 5 Log'), 'back to log')
      app.press('2')
      const f = await app.waitFor((s) => s.includes('» 2 Arenas'), 'arenas by number')
      assert.match(lineWith(f, 'Tab/1-5') ?? '', /Enter browse {2}m mark arena/)
    })

    it('navigates the file browser: down, Enter into a directory, ← back up to it', async () => {
      app = renderApp({ api: n.client })
      await app.waitFor((s) => isSelected(s, 'alpha.txt'), 'alpha selected')
      app.press(KEY.down)
      await app.waitFor((s) => isSelected(s, 'trip/'), 'trip selected')
      app.press(KEY.enter)
      let f = await app.waitFor((s) => s.includes('3 Files  photos:trip  2 entries'), 'inside trip')
      assert.ok(isSelected(f, 'one.jpg'))
      assert.ok(f.includes('two.jpg'))
      app.press('j')
      await app.waitFor((s) => isSelected(s, 'two.jpg'), 'j moves down')
      app.press(KEY.left)
      f = await app.waitFor((s) => s.includes('3 Files  photos:  3 entries') && isSelected(s, 'trip/'), 'back at the root with trip selected')
      app.press('G')
      await app.waitFor((s) => isSelected(s, 'zeta.txt'), 'G to the end')
      app.press('g')
      await app.waitFor((s) => isSelected(s, 'alpha.txt'), 'g to the start')
    })

    it('m then k/w/r marks the selected file (the xattr on disk) and the row shows it; Esc cancels', async () => {
      app = renderApp({ api: n.client })
      await app.waitFor((s) => isSelected(s, 'alpha.txt'), 'alpha selected')
      // The watcher sees the xattr the node writes: its reconcile of alpha.txt, waited for below.
      const watcher = (n.node.arenas[0] as Arena).watcher as NonNullable<Arena['watcher']>
      const mirrored = new Promise<void>((resolve) => {
        const on = (path: string): void => { if (path === 'alpha.txt' || path === '') { watcher.off('reconciled', on); resolve() } }
        watcher.on('reconciled', on)
      })
      app.press('m')
      await app.waitFor((s) => s.includes('mark photos:alpha.txt  o own  k keep  w watch  r remove its mark  Esc cancel'), 'the mark prompt')
      app.press('k')
      await app.waitFor((s) => /› alpha\.txt +keep +real/.test(s), 'alpha marked keep')
      assert.equal((await getAttribute(join(n.root, 'alpha.txt'), 'user.realize.mark')).toString(), 'keep')
      await app.waitFor((s) => s.includes('photos:alpha.txt marked keep'), 'the log says so')
      // Once, even after the watcher mirrored the xattr: a later line (churten
      // stopped) comes after anything the node said about the mark.
      await mirrored
      app.press('c')
      const logged = await app.waitFor((s) => s.includes('churten stopped'), 'a later log line')
      assert.equal(logged.split('photos:alpha.txt').length - 1, 1, logged)
      await app.waitFor((s) => s.includes('4 Churten  stopped'), 'the pane knows churten stopped')
      app.press('c')
      await app.waitFor((s) => s.includes('churten started'), 'churten running again')
      app.press('m', 'r')
      await app.waitFor((s) => /› alpha\.txt +own +real/.test(s), 'back to the inherited own')
      await assert.rejects(getAttribute(join(n.root, 'alpha.txt'), 'user.realize.mark'), { code: 'ENODATA' })
      app.press('m')
      await app.waitFor((s) => s.includes('Esc cancel'), 'the prompt again')
      // A lone Esc is told from the start of an arrow key's sequence by the pause after it.
      app.press(KEY.escape)
      await app.waitFor((s) => s.includes('q quit'), 'Esc closed the prompt')
      app.press(KEY.down)
      await app.waitFor((s) => isSelected(s, 'trip/'), 'keys move again')
      // A directory's mark is inherited by what is inside.
      app.press('m', 'w', KEY.enter)
      await app.waitFor((s) => /› one\.jpg +watch +real/.test(s), 'trip/one.jpg inherits watch')
    })

    it('m on an arena changes its mark in the config', async () => {
      app = renderApp({ api: n.client })
      await app.waitFor((s) => s.includes('photos  own  4 real'), 'arena row')
      app.press('2', 'm', 'w')
      await app.waitFor((s) => s.includes('photos  watch  4 real'), 'arena marked watch')
      assert.equal((await loadConfig(n.dataDir))?.arenas[0]?.mark, 'watch')
    })

    it('c stops and starts churten; q quits', async () => {
      app = renderApp({ api: n.client })
      await app.waitFor((s) => s.includes('4 Churten  running, 0 jobs'), 'churten running (autostart)')
      app.press('c')
      await app.waitFor((s) => s.includes('4 Churten  stopped, 0 jobs') && s.includes('churten stopped'), 'stopped, and the log says so')
      assert.equal(n.node.churten.isRunning, false)
      app.press('c')
      await app.waitFor((s) => s.includes('4 Churten  running, 0 jobs') && s.includes('churten started'), 'running again')
      assert.equal(n.node.churten.isRunning, true)
      app.press('q')
      assert.equal(app.quit.called, true)
    })

    it('the arenas pane says when an arena is paused, why and what to do (spec section 4)', async () => {
      app = renderApp({ api: n.client })
      await app.waitFor((s) => s.includes('4 real (41 B)'), 'the arena counts')
      await rm(n.root, { recursive: true })
      const f = await app.waitFor((s) => s.includes('photos  own  PAUSED'), 'the paused arena', 20_000)
      assert.match(lineWith(f, 'photos  own  PAUSED') ?? '', /photos {2}own {2}PAUSED: root missing\. Move the f/)
    })

    it('the log pane shows node notifications as they happen and scrolls', async () => {
      app = renderApp({ api: n.client })
      await app.waitFor((s) => s.includes('alpha.txt'), 'listing')
      await writeFile(join(n.root, 'new.txt'), 'new')
      await app.waitFor((s) => /photos: 1 local change \(new\.txt\)/.test(s), 'the change in the log')
      await app.waitFor((s) => /new\.txt +own +real/.test(s), 'and in the file browser')
      app.press('5', KEY.up)
      await app.waitFor((s) => s.includes('» 5 Log'), 'log focused')
    })

    it('keeps up with 5,000 files: PgDn, End and Home move through pages fetched on demand', async () => {
      const names = Array.from({ length: 5000 }, (_, i) => `many/f${String(i).padStart(5, '0')}`)
      await writeIndexed(n, 'many', names, 60_000)
      app = renderApp({ api: n.client })
      await app.waitFor((s) => isSelected(s, 'alpha.txt'), 'root listing')
      app.press(KEY.down)
      await app.waitFor((s) => isSelected(s, 'many/'), 'many selected')
      app.press(KEY.enter)
      await app.waitFor((s) => s.includes('photos:many  5000 entries') && isSelected(s, 'f00000'), 'many listed')
      app.press(KEY.end)
      await app.waitFor((s) => isSelected(s, 'f04999'), 'the last file, from the last page')
      app.press(KEY.pageUp)
      const f = await app.waitFor((s) => /› f049\d\d/.test(s) && !isSelected(s, 'f04999'), 'a page up')
      assert.ok(!/│[ ›] …/.test(f), 'rows are loaded')
      app.press(KEY.home)
      await app.waitFor((s) => isSelected(s, 'f00000'), 'back to the first')
    })
  })
})

describe('TUI attached to node b of two real nodes (a has an 8 MiB file b keeps)', function () {
  this.timeout(120_000)
  let app: RenderedApp | undefined
  let c: Cluster
  let b: TestPeer
  let client: ControlClient
  beforeEach(async () => {
    // churten off at start and held to 512 KiB/s {#churtenlimit}: the one job runs for 16 s unless stopped.
    c = await cluster([
      { name: 'a' },
      { name: 'b', arenas: [{ name: 'docs', mark: 'keep' }], churten: { autostart: false }, limits: { churtenDownload: 512 * 1024 } }
    ])
    b = c.get('b')
    const big = randomBytes(8 * 1024 * 1024)
    await c.get('a').write('big.bin', big)
    await b.waitRemote('big.bin', big)
    await b.connectedTo(c.get('a'))
    client = await ControlClient.connect(b.dataDir)
  })
  afterEach(async () => {
    app?.unmount()
    app = undefined
    await client.close()
    await c.cleanup()
  })

  it('the peers pane shows connection info {#conninfo}, how the peer is reached (issue 17), durations by the clock it is given', async () => {
    const [a] = await client.call('peers')
    assert.ok(a?.since != null)
    // The TUI's clock reads 65 s after the connection was made, on every render.
    app = renderApp({ api: client, columns: 160, clock: () => (a.since as number) + 65_000 })
    const f = await app.waitFor((s) => s.includes('● a'), 'peers')
    assert.match(lineWith(f, '1 Peers') ?? '', /1 Peers {2}1\/1 connected/)
    assert.match(lineWith(f, '● a') ?? '', /● a {2}direct LAN( {2}\d+ms)? {2}↓\d+(\.\d)? (B|KiB|MiB) ↑\d+(\.\d)? (B|KiB|MiB) {2}1m05s/)
    assert.match(lineWith(f, '/noise') ?? '', /(in|out)bound \/ip4\/127\.0\.0\.1\/tcp\/\d+ \/noise \/yamux\/1\.0\.0/)
  })

  it('the file browser sums a directory known only from peers: its size, not "remote 0 B"', async () => {
    const x = randomBytes(3000)
    await c.get('a').write('album/x.jpg', x)
    await b.waitRemote('album/x.jpg', x)
    app = renderApp({ api: client, columns: 160 })
    const f = await app.waitFor((s) => s.includes('album/') && s.includes('big.bin'), 'the listing')
    assert.match(lineWith(f, 'album/') ?? '', /album\/ +keep +remote +2\.9 KiB +\d{4}-\d\d-\d\d/)
  })

  it('the churten pane shows jobs with a progress bar and rate; c starts and stops churten', async () => {
    app = renderApp({ api: client, columns: 160 })
    await app.waitFor((s) => s.includes('4 Churten  stopped, 0 jobs'), 'churten stopped')
    app.press('4', 'c')
    // The title follows the polled status, the bar the notifications: wait for both.
    const f = await app.waitFor((s) => /\[[#-]{8}\] +\d+% [1-9]\d*(\.\d)? (KiB|MiB)\/8\.0 MiB/.test(s) && s.includes('4 Churten  running, 1 job '), 'the job in progress')
    assert.match(lineWith(f, '/8.0 MiB') ?? '', /\[[#-]{8}\] +\d+% \d+(\.\d)? (B|KiB|MiB)\/8\.0 MiB \d+(\.\d)? (B|KiB|MiB)\/s download docs:big\.bin/)
    assert.ok(f.includes('4 Churten  running, 1 job '))
    assert.equal(b.running.churten.isRunning, true)
    assert.match(f, /job \d+ started: download docs:big\.bin/)
    app.press('c')
    await app.waitFor((s) => /job \d+ cancelled/.test(s) && !s.includes('/8.0 MiB'), 'the job gone')
    assert.equal(b.running.churten.isRunning, false)
    await app.waitFor((s) => s.includes('churten stopped'), 'the log says churten stopped')
  })
})
