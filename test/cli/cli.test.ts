import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { configPath, loadConfig } from '../../node/config/config.js'
import { keyPath } from '../../node/identity/identity.js'
import { NodeProcess } from '../helpers/node-process.js'
import { linesWithRepeatedKeys } from '../helpers/log-lines.js'
import type { StatusInfo } from '../../node/control/api/model.js'

const MAIN = fileURLToPath(new URL('../../node/cli/main.js', import.meta.url))

interface Run { code: number | null, stdout: string, stderr: string }

describe('cli (realize-node)', function () {
  let dir: string
  let home: string
  let n = 0
  const fresh = (): string => join(dir, `data${n++}`)

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'realize-cli-'))
    home = join(dir, 'home')
    await mkdir(home)
  })

  after(async function () {
    await rm(dir, { recursive: true, force: true })
  })

  function env (): NodeJS.ProcessEnv {
    const e: NodeJS.ProcessEnv = { ...process.env, HOME: home }
    delete e.XDG_DATA_HOME
    delete e.REALIZE_DEBUG
    return e
  }

  async function run (args: string[], options: { cwd?: string } = {}): Promise<Run> {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: options.cwd ?? dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    return { code, stdout, stderr }
  }

  async function dataDirWithConfig (toml: string): Promise<string> {
    const d = fresh()
    await mkdir(d)
    await writeFile(configPath(d), toml)
    return d
  }

  describe('init', function () {
    it('creates data dir, key and config and prints the PeerId', async function () {
      const d = fresh()
      const r = await run(['init', '--data', d])
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /^12D3KooW[1-9A-HJ-NP-Za-km-z]+\n$/)
      assert.equal((await stat(keyPath(d))).mode & 0o777, 0o600)
      assert.equal((await stat(configPath(d))).mode & 0o777, 0o600)
      assert.equal((await stat(d)).mode & 0o777, 0o700)
      const config = await loadConfig(d)
      assert.deepEqual(config?.arenas, [{ name: 'default', root: join(home, 'Realize'), mark: 'own' }])
      const id = await run(['id', '--json', '--data', d])
      assert.equal(JSON.parse(id.stdout).peerId, r.stdout.trim())
    })

    it('takes arenas, marks, port and --no-mdns; roots become absolute', async function () {
      const d = fresh()
      const r = await run(['init', '--data', d, '--arena', 'photos=~/Photos', '--arena', 'docs/office=rel/office',
        '--arena', 'music', '--mark', 'docs/office=keep', '--port', '4001', '--no-mdns'], { cwd: dir })
      assert.equal(r.code, 0, r.stderr)
      const config = await loadConfig(d)
      assert.deepEqual(config?.arenas, [
        { name: 'photos', root: join(home, 'Photos'), mark: 'own' },
        { name: 'docs/office', root: join(dir, 'rel/office'), mark: 'keep' },
        { name: 'music', mark: 'watch' }
      ])
      assert.deepEqual(config?.node, { listen: ['/ip4/0.0.0.0/tcp/4001', '/ip6/::/tcp/4001'], mdns: false })
    })

    it('refuses to overwrite an existing config (exit 2) but keeps the key', async function () {
      const d = fresh()
      const first = await run(['init', '--data', d])
      assert.equal(first.code, 0, first.stderr)
      const before = await readFile(configPath(d), 'utf8')
      const again = await run(['init', '--data', d, '--port', '5000'])
      assert.equal(again.code, 2)
      assert.equal(again.stdout, '')
      assert.match(again.stderr, /realize\.toml: a config file exists already/)
      assert.equal(await readFile(configPath(d), 'utf8'), before)
    })

    it('reuses an existing key (e.g. one restored from a backup)', async function () {
      const d = fresh()
      const first = await run(['init', '--data', d])
      await rm(configPath(d))
      const r = await run(['init', '--data', d])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, first.stdout)
    })

    it('bad flags exit 2, naming the flag and the problem, and create nothing', async function () {
      const cases: Array<[string[], RegExp]> = [
        [['--arena', 'photos=/p', '--mark', 'photos=foo'], /--mark: invalid mark "foo": expected own, keep or watch/],
        [['--mark', 'nope=own'], /--mark: no arena "nope"/],
        [['--arena', 'docs=/a', '--arena', 'docs/office=/b'], /--arena: arena names overlap: "docs" is a prefix of "docs\/office"/],
        [['--arena', 'a:b=/x'], /--arena: invalid arena name "a:b"/],
        [['--arena', 'a=/x', '--arena', 'b=/x/y'], /arenas\.b\.root: "\/x\/y" is inside the root of arena "a"/],
        [['--arena', 'music', '--mark', 'music=own'], /arenas\.music\.mark: mark "own" needs a root/],
        [['--port', 'http'], /option '--port <n>' argument 'http' is invalid/]
      ]
      for (const [args, problem] of cases) {
        const d = fresh()
        const r = await run(['init', '--data', d, ...args])
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.match(r.stderr, problem)
        await assert.rejects(stat(d), { code: 'ENOENT' }, args.join(' '))
      }
    })
  })

  describe('id', function () {
    it('--json prints exactly peerId and addrs, with no config (default listen addresses)', async function () {
      const d = fresh()
      const init = await run(['init', '--data', d])
      await rm(configPath(d))
      const r = await run(['id', '--json', '--data', d])
      assert.equal(r.code, 0, r.stderr)
      const out = JSON.parse(r.stdout)
      assert.deepEqual(Object.keys(out), ['peerId', 'addrs'])
      assert.equal(out.peerId, init.stdout.trim())
      assert.deepEqual(out.addrs, [`/ip4/0.0.0.0/tcp/9771/p2p/${out.peerId as string}`, `/ip6/::/tcp/9771/p2p/${out.peerId as string}`])
      assert.deepEqual(await readdir(d), ['key'], 'writes no config')
    })

    it('a mistyped --data is an error (exit 2) and creates no data directory or key: only init and start do', async function () {
      const d = fresh()
      for (const args of [['id'], ['id', '--json'], ['peer', 'add', 'laptop', '12D3KooWMH7CqoZQjMVkdhQu9ctunsixysUy8BEPNyV15riB7hkp'], ['peer', 'rm', 'laptop']]) {
        const r = await run([...args, '--data', d])
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.equal(r.stdout, '')
        assert.equal(r.stderr, `error: --data: no data directory ${d}; create it with \`realize-node init --data ${d}\` (or \`realize-node start --data ${d}\`)\n`)
        await assert.rejects(stat(d), { code: 'ENOENT' }, args.join(' '))
      }
      // A directory that exists but was never set up (no key) gets no key either.
      await mkdir(d)
      const r = await run(['id', '--data', d])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /has no key yet \(not set up by init or start\)/)
      assert.deepEqual(await readdir(d), [])
    })

    it('plain output: the PeerId, then one address per line; uses the configured listen list', async function () {
      const d = fresh()
      assert.equal((await run(['init', '--data', d])).code, 0)
      await writeFile(configPath(d), '[node]\nlisten = ["/ip4/127.0.0.1/tcp/4100"]\n')
      const r = await run(['id', '--data', d])
      assert.equal(r.code, 0, r.stderr)
      const lines = r.stdout.trimEnd().split('\n')
      assert.match(lines[0] ?? '', /^12D3KooW/)
      assert.deepEqual(lines.slice(1), [`/ip4/127.0.0.1/tcp/4100/p2p/${lines[0] as string}`])
    })
  })

  describe('bad config or key: exit 2 with file, key and problem on stderr', function () {
    const cases: Array<[string, string, RegExp]> = [
      ['unknown key', '[node]\ncolour = "red"\n', /realize\.toml: node\.colour: unknown key "colour"/],
      ['bad mark', '[arenas.photos]\nroot = "/p"\nmark = "foo"\n', /realize\.toml: arenas\.photos\.mark: invalid value "foo": expected own, keep or watch/],
      ['overlapping arenas', '[arenas.docs]\n[arenas."docs/office"]\n', /realize\.toml: arenas: arena names overlap/],
      ['bad size', '[limits]\nupload = "fast"\n', /realize\.toml: limits\.upload: invalid size "fast"/],
      // The capacity's own forms, the default's percentage first, not only a size's.
      ['bad capacity', '[cache]\ncapacity = "lots"\n', /realize\.toml: cache\.capacity: invalid capacity "lots": expected a percentage of the disk .* like "10%", or a size like "20G"/],
      ['TOML syntax', '[node\n', /realize\.toml: invalid TOML at line 1/]
    ]
    for (const [what, toml, problem] of cases) {
      it(what, async function () {
        for (const cmd of ['id', 'start']) {
          const d = await dataDirWithConfig(toml)
          const r = await run([cmd, '--data', d])
          assert.equal(r.code, 2, `${cmd}: ${r.stderr}`)
          assert.match(r.stderr, problem)
          assert.match(r.stderr, /^error: /)
          assert.equal(r.stdout, '')
          assert.equal(await readFile(configPath(d), 'utf8'), toml, 'the bad config is left alone')
          await assert.rejects(stat(keyPath(d)), { code: 'ENOENT' }, 'no key is made for a bad config')
        }
      })
    }

    it('key file is a directory', async function () {
      const d = fresh()
      await mkdir(keyPath(d), { recursive: true })
      for (const cmd of ['id', 'start', 'init']) {
        const r = await run([cmd, '--data', d])
        assert.equal(r.code, 2, `${cmd}: ${r.stderr}`)
        assert.match(r.stderr, /key: not a regular file \(a directory\)/)
      }
    })

    it('key file is corrupt, and stays as it was', async function () {
      const d = fresh()
      await mkdir(d)
      await writeFile(keyPath(d), 'garbage', { mode: 0o600 })
      const r = await run(['id', '--data', d])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /key: corrupt key file/)
      assert.equal(await readFile(keyPath(d), 'utf8'), 'garbage')
    })
  })

  describe('usage', function () {
    it('unknown command: usage on stderr, exit 2', async function () {
      const r = await run(['frobnicate'])
      assert.equal(r.code, 2)
      assert.match(r.stderr, /unknown command 'frobnicate'/)
      assert.match(r.stderr, /Usage: realize-node/)
      assert.equal(r.stdout, '')
    })

    it('unknown flag: usage on stderr, exit 2', async function () {
      const r = await run(['id', '--frob'])
      assert.equal(r.code, 2)
      assert.match(r.stderr, /unknown option '--frob'/)
      assert.match(r.stderr, /Usage: realize-node id/)
    })

    it('extra arguments and no command are usage errors', async function () {
      assert.equal((await run(['id', 'extra'])).code, 2)
      const none = await run([])
      assert.equal(none.code, 2)
      assert.match(none.stderr, /Usage: realize-node/)
    })

    it('--help prints usage on stdout and exits 0; every command takes --data', async function () {
      const r = await run(['--help'])
      assert.equal(r.code, 0)
      assert.match(r.stdout, /Usage: realize-node/)
      for (const cmd of ['init', 'id', 'start']) {
        const h = await run([cmd, '--help'])
        assert.equal(h.code, 0)
        assert.match(h.stdout, /--data <dir>/)
      }
    })
  })

  describe('start', function () {
    it('with no config, writes the default config and creates the arena root before running', async function () {
      const d = fresh()
      const node = new NodeProcess(['--data', d], { env: env() })
      try {
        // The node makes the never-indexed root once it has the config and the key.
        await node.waitForEvent('root-created')
      } finally {
        node.kill('SIGTERM')
        await node.waitForExit()
      }
      const stderr = node.stderr.join('\n')
      assert.match(stderr, /no config found; wrote the default to .*realize\.toml/)
      // Not a terminal: JSON log lines only, no human line among them.
      assert.doesNotMatch(stderr, /this node is/)
      // Each key once per line (root-created had "arena" from its logger and again from the call).
      assert.ok(node.lines.some((l) => l.event === 'root-created' && l.arena === 'default'))
      assert.deepEqual(linesWithRepeatedKeys(node.stderr), [])
      const config = await loadConfig(d)
      assert.deepEqual(config?.arenas, [{ name: 'default', root: join(home, 'Realize'), mark: 'own' }])
      assert.ok((await stat(join(home, 'Realize'))).isDirectory())
      assert.equal((await stat(keyPath(d))).mode & 0o777, 0o600)
    })

    it('an arena root that cannot be created pauses that arena with the cause; the node and its other arenas run (spec section 4)', async function () {
      const blocker = join(dir, `blocker${n++}`)
      await writeFile(blocker, 'a file, not a directory')
      const docs = join(dir, `docs${n++}`)
      const d = await dataDirWithConfig(`[node]\nlisten = ["/ip4/127.0.0.1/tcp/0"]\nmdns = false\n[arenas.photos]\nroot = "${blocker}/photos"\nmark = "own"\n[arenas.docs]\nroot = "${docs}"\nmark = "own"\n`)
      const node = new NodeProcess(['--data', d], { env: env() })
      try {
        const paused = await node.waitForEvent('arena-paused')
        assert.equal(paused.arena, 'photos')
        assert.equal(paused.code, 'ROOT_MISSING')
        assert.match(paused.msg, /arena "photos" paused: its root .*photos does not exist and could not be created: .*ENOTDIR/)
        await node.waitForEvent('ready')
        const s = await run(['status', '--json', '--data', d])
        assert.equal(s.code, 0, s.stderr)
        const arenas = (JSON.parse(s.stdout) as StatusInfo).arenas
        assert.deepEqual(arenas.map((a) => [a.name, a.state, a.error?.code ?? null]), [['photos', 'paused', 'ROOT_MISSING'], ['docs', 'active', null]])
        assert.ok((await stat(docs)).isDirectory(), 'the other arena\'s new root was made')
      } finally {
        node.kill('SIGTERM')
        await node.waitForExit()
      }
    })
  })
})
