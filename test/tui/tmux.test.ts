import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { getAttribute } from 'fs-xattr'
import { CLI, NodeProcess } from '../helpers/node-process.js'
import { tempDir } from '../helpers/tmp.js'
import { runCli } from '../control/fixtures.js'

const exec = promisify(execFile)

/**
 * `realize-node start` on a real terminal: tmux runs it in a detached
 * session (its own tmux server, so other sessions are untouched), keys go
 * in with send-keys and the screen comes back with capture-pane. CI=true is
 * set on purpose: Ink would otherwise draw nothing until exit in any shell
 * that happens to export it (as CI machines do).
 */
describe('realize-node start in a terminal (tmux)', function () {
  const server = `rz-test-${process.pid}-${randomBytes(3).toString('hex')}`
  const session = 'node'
  let tmp: { dir: string, cleanup: () => Promise<void> }
  const tmux = async (...args: string[]): Promise<string> => (await exec('tmux', ['-L', server, ...args])).stdout

  /**
   * tmux has no "screen changed" event to wait on, so this polls the
   * captured screen (every 100 ms) until `check` accepts it.
   */
  async function screen (check: (s: string) => boolean, what: string, ms = 20_000, target = session): Promise<string> {
    const deadline = Date.now() + ms
    let last = ''
    for (;;) {
      last = await tmux('capture-pane', '-p', '-t', target).catch(() => last)
      if (check(last)) return last
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${last}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async function sessionGone (ms = 20_000, name = session): Promise<void> {
    const deadline = Date.now() + ms
    while (await tmux('has-session', '-t', name).then(() => true, () => false)) {
      if (Date.now() > deadline) throw new Error('the tmux session is still there')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  before(async function () {
    // CI installs tmux (.ci/run); a machine without it fails here, loudly.
    await exec('tmux', ['-V'])
    tmp = await tempDir('rz-tmux-')
  })

  after(async function () {
    await tmux('kill-server').catch(() => {})
    await tmp.cleanup()
  })

  it('shows the TUI, changes a mark from the keyboard, and q stops the node', async () => {
    const data = join(tmp.dir, 'data')
    const root = join(tmp.dir, 'photos')
    await mkdir(join(root, 'album'), { recursive: true })
    await writeFile(join(root, 'album', 'cat.jpg'), 'meow')
    await writeFile(join(root, 'notes.txt'), 'hello')
    const init = await runCli(['init', '--data', data, '--arena', `photos=${root}`, '--port', '0', '--no-mdns'])
    assert.equal(init.code, 0, init.stderr)
    await tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', `exec env HOME=${tmp.dir} CI=true ${process.execPath} ${CLI} start --data ${data}`)

    let s = await screen((x) => x.includes('3 Files  photos:  2 entries') && x.includes('notes.txt') && x.includes('this node 12D3KooW'), 'the file browser')
    // The header line: the PeerId `init` printed and a bound address (port 0 resolved).
    assert.match(s.split('\n')[0] ?? '', new RegExp(`^this node ${init.stdout.trim()} {2}on /ip[46]/[^/]+/tcp/[1-9]`))
    for (const pane of ['1 Peers', '2 Arenas', '4 Churten', '5 Log']) assert.ok(s.includes(pane), pane)
    assert.match(s, /photos {2}own {2}2 real \(9 B\)/)
    assert.match(s, /Tab\/1-5 pane.*q quit/)
    assert.match(s, /› album\/ +own +real/)

    await tmux('send-keys', '-t', session, 'Down')
    await screen((x) => /› notes\.txt/.test(x), 'notes.txt selected')
    await tmux('send-keys', '-t', session, 'm')
    await screen((x) => x.includes('mark photos:notes.txt  o own  k keep'), 'the mark prompt')
    await tmux('send-keys', '-t', session, 'k')
    s = await screen((x) => /› notes\.txt +keep +real/.test(x), 'notes.txt marked keep')
    assert.equal((await getAttribute(join(root, 'notes.txt'), 'user.realize.mark')).toString(), 'keep')

    await tmux('send-keys', '-t', session, 'Up', 'Enter')
    await screen((x) => x.includes('3 Files  photos:album  1 entry') && /› cat\.jpg/.test(x), 'inside album')

    await tmux('send-keys', '-t', session, 'q')
    await sessionGone()
    // The node stopped cleanly: its log (the terminal was the TUI's) says so, and the socket is gone.
    const log = (await readFile(join(data, 'node.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    assert.ok(log.some((l) => l.event === 'ready'))
    assert.equal(log.at(-1)?.event, 'stopped')
    await assert.rejects(stat(join(data, 'control.sock')), { code: 'ENOENT' })
  })

  it('start --headless on a terminal says once, in words, who the node is and where it listens', async () => {
    const data = join(tmp.dir, 'data3')
    const init = await runCli(['init', '--data', data, '--arena', `docs=${join(tmp.dir, 'docs')}`, '--port', '0', '--no-mdns'])
    assert.equal(init.code, 0, init.stderr)
    const peerId = init.stdout.trim()
    await tmux('new-session', '-d', '-s', 'headless', '-x', '250', '-y', '40', `exec env HOME=${tmp.dir} ${process.execPath} ${CLI} start --headless --data ${data}`)
    await screen((x) => x.includes('node ready'), 'the node ready', 20_000, 'headless')
    // -J: joined as printed, however the terminal wrapped it.
    const s = await tmux('capture-pane', '-p', '-J', '-t', 'headless')
    const line = s.split('\n').find((l) => l.startsWith('this node is '))
    assert.match(line ?? '', new RegExp(`^this node is ${peerId}, listening on /ip[46]/[^/]+/tcp/[1-9][0-9]*.*; on another machine: realize-node peer add NAME ${peerId}$`), s)
    await tmux('send-keys', '-t', 'headless', 'C-c')
    await sessionGone(20_000, 'headless')
  })

  it('realize-node tui attaches to a running node; q leaves the node running; the TUI ends when the node stops', async () => {
    const data = join(tmp.dir, 'data2')
    const root = join(tmp.dir, 'music')
    await mkdir(root)
    await writeFile(join(root, 'song.flac'), 'la la')
    const init = await runCli(['init', '--data', data, '--arena', `music=${root}`, '--port', '0', '--no-mdns'])
    assert.equal(init.code, 0, init.stderr)
    const node = new NodeProcess(['--data', data], { env: { HOME: tmp.dir } })
    try {
      await node.waitForEvent('ready')
      const attach = async (name: string): Promise<void> => {
        // The shell stays after the command, to show what it printed last and its exit code.
        await tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', `env HOME=${tmp.dir} CI=true ${process.execPath} ${CLI} tui --data ${data}; echo "exit code $?"; exec sleep 600`)
      }
      await attach('tui1')
      await screen((x) => x.includes('3 Files  music:  1 entry') && x.includes('song.flac'), 'the attached TUI', 20_000, 'tui1')
      await tmux('send-keys', '-t', 'tui1', 'q')
      await screen((x) => x.includes('exit code 0') && !x.includes('3 Files'), 'the TUI gone', 20_000, 'tui1')
      assert.equal(node.exitCode, undefined, 'the node keeps running')
      assert.equal((await runCli(['status', '--json', '--data', data])).code, 0)

      await attach('tui2')
      await screen((x) => x.includes('song.flac'), 'attached again', 20_000, 'tui2')
      node.kill('SIGTERM')
      await node.waitForExit()
      const s = await screen((x) => x.includes('error: the node stopped') && x.includes('exit code 1'), 'the TUI reporting the node gone', 20_000, 'tui2')
      assert.ok(!s.includes('3 Files'), 'the terminal is back from the alternate screen')
    } finally {
      if (node.exitCode === undefined) node.kill('SIGKILL')
    }
  })
})
