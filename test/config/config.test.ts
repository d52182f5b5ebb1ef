import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerAddrToMultiaddr } from '../../node/config/addrs.js'
import { baseConfig, configPath, defaultConfig, defaultDataDir, loadConfig, parseConfig, serializeConfig, writeConfig, type Config } from '../../node/config/config.js'
import type { ArenaName } from '../../datastore/types/arena.js'
import { ConfigError } from '../../datastore/types/errors.js'

const PEER_A = '12D3KooWM4ohJJx5ULpoEmVLvgejrhgu1LZGQasEcyRBSXeMU1od'
const PEER_B = '12D3KooWJepop6ExQvrdXvTMWgArmRHPUqTBwR6qyz7YyU6DCRWM'

describe('config', function () {
  let dir: string
  let n = 0

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'realize-config-'))
  })

  after(async function () {
    await rm(dir, { recursive: true, force: true })
  })

  async function dataDirWith (toml: string): Promise<string> {
    const d = join(dir, `d${n++}`)
    await mkdir(d)
    await writeFile(configPath(d), toml)
    return d
  }

  /** Loads `toml` and asserts a ConfigError naming the file, the key and the problem. */
  async function assertBad (toml: string, key: string | undefined, problem: RegExp): Promise<void> {
    const d = await dataDirWith(toml)
    const file = configPath(d)
    await assert.rejects(loadConfig(d, { home: '/home/me' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
      assert.equal(err.file, file)
      assert.equal(err.key, key)
      assert.match(err.message, problem)
      assert.ok(err.message.startsWith(key == null ? `${file}: ` : `${file}: ${key}: `), err.message)
      return true
    })
  }

  it('returns undefined when there is no config file', async function () {
    assert.equal(await loadConfig(join(dir, 'nothing-here')), undefined)
  })

  it('fills in every default for an empty file', async function () {
    const config = await loadConfig(await dataDirWith(''))
    assert.deepEqual(config, {
      node: { listen: ['/ip4/0.0.0.0/tcp/9771', '/ip6/::/tcp/9771'], mdns: true },
      limits: { upload: 0, download: 0, churtenDownload: 0 },
      cache: { capacity: { percent: 10 } },
      churten: { autostart: true, batchBytes: 8 * 1024 * 1024 },
      history: { inactiveAfterMs: 30 * 24 * 3600_000 },
      arenas: [],
      peers: []
    })
    assert.deepEqual(config, baseConfig())
  })

  it('reads the spec example', async function () {
    const config = await loadConfig(await dataDirWith(`
[node]
listen = ["/ip4/0.0.0.0/tcp/9771", "/ip6/::/tcp/9771"]
mdns = false

[limits]
upload = "512k"
download = "1M"
churten_download = "2G"

[cache]
capacity = "20G"

[churten]
autostart = false
batch_bytes = "4M"

[arenas.photos]
root = "~/Photos"
mark = "own"

[arenas."docs/office"]

[peers.laptop]
id = "${PEER_A}"
addrs = ["laptop.local:9771", "/ip4/192.168.1.5/tcp/9771"]
arenas = ["photos"]

[peers.phone]
id = "${PEER_B}"
`), { home: '/home/me' })
    assert.deepEqual(config, {
      node: { listen: ['/ip4/0.0.0.0/tcp/9771', '/ip6/::/tcp/9771'], mdns: false },
      limits: { upload: 512 * 1024, download: 1024 ** 2, churtenDownload: 2 * 1024 ** 3 },
      cache: { capacity: { bytes: 20 * 1024 ** 3 } },
      churten: { autostart: false, batchBytes: 4 * 1024 ** 2 },
      history: { inactiveAfterMs: 30 * 24 * 3600_000 },
      arenas: [
        { name: 'photos', root: '/home/me/Photos', mark: 'own' },
        { name: 'docs/office', mark: 'watch' }
      ],
      peers: [
        { name: 'laptop', id: PEER_A, addrs: ['laptop.local:9771', '/ip4/192.168.1.5/tcp/9771'], arenas: ['photos'] },
        { name: 'phone', id: PEER_B, addrs: [] }
      ]
    })
  })

  it('round-trips through serializeConfig, writeConfig and loadConfig', async function () {
    const config: Config = {
      node: { listen: ['/ip4/127.0.0.1/tcp/4001'], mdns: false },
      limits: { upload: 1000, download: 3 * 1024 ** 2, churtenDownload: 0 },
      cache: { capacity: { percent: 2.5 } },
      churten: { autostart: false, batchBytes: 1536 },
      history: { inactiveAfterMs: 12 * 3600_000 },
      arenas: [
        { name: 'photos' as ArenaName, root: '/srv/photos', mark: 'keep' },
        { name: 'docs/office' as ArenaName, mark: 'watch' },
        { name: 'a.b cd' as ArenaName, root: '/srv/odd name', mark: 'own' }
      ],
      peers: [
        { name: 'laptop', id: PEER_A, addrs: ['[fe80::1]:9771'], arenas: ['photos' as ArenaName] },
        { name: "Mum's phone", id: PEER_B, addrs: [], arenas: [] }
      ]
    }
    const d = join(dir, `w${n++}`)
    await writeConfig(d, config)
    assert.deepEqual(await loadConfig(d), config)
    assert.equal((await stat(configPath(d))).mode & 0o777, 0o600)
    assert.equal((await stat(d)).mode & 0o777, 0o700)
    // Overwrite in place: the new content wins and no temp file is left behind.
    const changed = { ...config, peers: [] }
    await writeConfig(d, changed)
    assert.deepEqual(await loadConfig(d), changed)
    assert.deepEqual(await readdir(d), ['realize.toml'])
  })

  it('defaultConfig is one arena "default" at ~/Realize marked own, and round-trips', async function () {
    const config = defaultConfig('/home/me')
    assert.deepEqual(config.arenas, [{ name: 'default', root: '/home/me/Realize', mark: 'own' }])
    assert.deepEqual(config.peers, [])
    assert.deepEqual(parseConfig(serializeConfig(config), { file: 'x.toml' }), config)
    assert.match(serializeConfig(config), /\[arenas\.default\]\nroot = "\/home\/me\/Realize"\nmark = "own"/)
  })

  it('defaultDataDir follows XDG_DATA_HOME, else ~/.local/share', function () {
    assert.equal(defaultDataDir({ XDG_DATA_HOME: '/xdg', HOME: '/home/me' }), '/xdg/realize')
    assert.equal(defaultDataDir({ HOME: '/home/me' }), '/home/me/.local/share/realize')
    assert.equal(defaultDataDir({ XDG_DATA_HOME: '', HOME: '/home/me' }), '/home/me/.local/share/realize')
    assert.equal(defaultDataDir({ XDG_DATA_HOME: 'relative', HOME: '/home/me' }), '/home/me/.local/share/realize')
  })

  describe('bad input is a ConfigError naming file, key and problem', function () {
    it('unknown key at the top level', async function () {
      await assertBad('colour = "red"\n', 'colour', /unknown key "colour" \(expected node, limits, cache, churten, history, fuse, metrics, relay, arenas or peers\)/)
    })

    it('unknown key inside a table', async function () {
      await assertBad('[arenas.photos]\nroot = "/p"\ncolour = "red"\n', 'arenas.photos.colour', /unknown key "colour" \(expected root or mark\)/)
    })

    it('unknown key is reported before other problems in the file', async function () {
      await assertBad('[node]\nmdns = 3\n[peers.x]\nid = "nope"\nnmae = 1\n', 'peers.x.nmae', /unknown key "nmae"/)
    })

    it('unquoted arena name with a dot or slash gets a hint', async function () {
      await assertBad('[arenas.docs.office]\nmark = "own"\n', 'arenas.docs.office', /unknown key "office".*quote arena names/)
    })

    it('bad mark value', async function () {
      await assertBad('[arenas.photos]\nroot = "/p"\nmark = "foo"\n', 'arenas.photos.mark', /invalid value "foo": expected own, keep or watch/)
    })

    it('mark own without a root', async function () {
      await assertBad('[arenas.photos]\nmark = "own"\n', 'arenas.photos.mark', /"own" needs a root/)
    })

    it('wrong type', async function () {
      await assertBad('[node]\nmdns = "yes"\n', 'node.mdns', /invalid value "yes": expected true or false/)
      await assertBad('arenas = 3\n', 'arenas', /invalid value 3: expected a table/)
    })

    it('overlapping arena names', async function () {
      await assertBad('[arenas.docs]\n[arenas."docs/office"]\n', 'arenas', /arena names overlap: "docs" is a prefix of "docs\/office"/)
    })

    it('invalid arena name', async function () {
      await assertBad('[arenas."a:b"]\n', 'arenas."a:b"', /invalid arena name "a:b"/)
      await assertBad('[arenas."a/../b"]\n', 'arenas."a/../b"', /invalid arena name/)
    })

    it('arena roots that overlap or hold the data directory', async function () {
      await assertBad('[arenas.a]\nroot = "/x"\n[arenas.b]\nroot = "/x/y"\n', 'arenas.b.root', /"\/x\/y" is inside the root of arena "a"/)
      await assertBad('[arenas.a]\nroot = "/x"\n[arenas.b]\nroot = "/x/"\n', 'arenas.a.root', /is also the root of arena "b"/)
      await assertBad('[arenas.a]\nroot = "/"\n', 'arenas.a.root', /contains the data directory/)
      await assertBad('[arenas.a]\nroot = "relative/dir"\n', 'arenas.a.root', /expected an absolute path or one starting with ~\//)
    })

    it('a FUSE mount point that overlaps an arena root or the data directory (the node would read its own mount)', async function () {
      await assertBad('[fuse]\nmountpoint = "/x/mnt"\n[arenas.a]\nroot = "/x"\n', 'fuse.mountpoint', /"\/x\/mnt" is inside the root of arena "a"/)
      await assertBad('[fuse]\nmountpoint = "/x"\n[arenas.a]\nroot = "/x/a"\n', 'fuse.mountpoint', /"\/x" contains the root of arena "a"/)
      await assertBad('[fuse]\nmountpoint = "/"\n', 'fuse.mountpoint', /contains the data directory/)
      await assertBad('[fuse]\nread_timeout = "soon"\n', 'fuse.read_timeout', /soon/)
    })

    it('bad metrics listen address', async function () {
      await assertBad('[metrics]\nlisten = "9772"\n', 'metrics.listen', /invalid listen address "9772": expected host:port like "127\.0\.0\.1:9772"/)
      await assertBad('[metrics]\nlisten = "[::1:9772"\n', 'metrics.listen', /invalid listen address/)
      await assertBad('[metrics]\nport = 9772\n', 'metrics.port', /unknown key "port" \(expected listen\)/)
    })

    it('[metrics] listen: host:port, [v6]:port or :port, written back as given', async function () {
      for (const listen of ['127.0.0.1:9772', '[::1]:9772', ':9772', 'localhost:0']) {
        const d = await dataDirWith(`[metrics]\nlisten = "${listen}"\n`)
        const c = await loadConfig(d, { home: '/home/me' })
        assert.deepEqual(c?.metrics, { listen })
        assert.match(serializeConfig(c as Config), new RegExp(`\\[metrics\\]\\nlisten = "${listen.replace(/[[\]]/g, '\\$&')}"`))
      }
      assert.equal((await loadConfig(await dataDirWith('')))?.metrics, undefined, 'off unless set')
    })

    it('bad sizes', async function () {
      await assertBad('[limits]\nupload = "12x"\n', 'limits.upload', /invalid size "12x": expected a number of bytes/)
      await assertBad('[limits]\nchurten_download = true\n', 'limits.churten_download', /invalid value true: expected a size/)
      await assertBad('[churten]\nbatch_bytes = "0"\n', 'churten.batch_bytes', /must be above 0/)
      await assertBad('[cache]\ncapacity = "120%"\n', 'cache.capacity', /invalid capacity "120%"/)
    })

    it('TOML syntax error, with its line', async function () {
      await assertBad('[node]\nmdns = true\nlisten = [\n', undefined, /invalid TOML at line \d+, column \d+/)
      await assertBad('[node]\nmdns = = true\n', undefined, /invalid TOML at line 2, column \d+/)
    })

    it('bad addresses', async function () {
      await assertBad('[node]\nlisten = ["0.0.0.0:9771"]\n', 'node.listen[0]', /invalid address "0.0.0.0:9771": expected a multiaddr/)
      await assertBad(`[peers.a]\nid = "${PEER_A}"\naddrs = ["laptop:99999"]\n`, 'peers.a.addrs[0]', /invalid address "laptop:99999"/)
    })

    it('bad or missing peer id', async function () {
      await assertBad('[peers.a]\nid = "12D3KooWfoo"\n', 'peers.a.id', /invalid PeerId "12D3KooWfoo"/)
      await assertBad('[peers.a]\naddrs = []\n', 'peers.a.id', /missing required key/)
    })

    it('duplicate peer ids', async function () {
      await assertBad(`[peers.a]\nid = "${PEER_A}"\n[peers.b]\nid = "${PEER_A}"\n`, 'peers.b.id', /already used by peer "a"/)
    })

    it('peer arenas naming an unknown arena', async function () {
      await assertBad(`[arenas.photos]\n[peers.a]\nid = "${PEER_A}"\narenas = ["photos", "music"]\n`, 'peers.a.arenas[1]', /unknown arena "music" \(known: photos\)/)
    })

    it('an unreadable config file (a directory)', async function () {
      const d = join(dir, `dirconf${n++}`)
      await mkdir(configPath(d), { recursive: true })
      await assert.rejects(loadConfig(d), (err: unknown) => err instanceof ConfigError && err.file === configPath(d) && /cannot read the config file/.test(err.message))
    })
  })

  it('[fuse] is off by default; mountpoint (~ expanded) and read_timeout read back after a write', async function () {
    assert.equal(parseConfig('', { file: 'x.toml', home: '/home/me' }).fuse, undefined)
    const c = parseConfig('[fuse]\nmountpoint = "~/Household"\nread_timeout = "45s"\n', { file: 'x.toml', home: '/home/me' })
    assert.deepEqual(c.fuse, { mountpoint: '/home/me/Household', readTimeoutMs: 45_000 })
    assert.deepEqual(parseConfig(serializeConfig(c), { file: 'x.toml', home: '/home/me' }), c)
  })

  it('[relay] is off unless set; serve and circuit limits ("0" = none) read back after a write; node.announce (issue 17)', function () {
    const opts = { file: 'x.toml', home: '/home/me' }
    assert.equal(parseConfig('', opts).relay, undefined)
    assert.equal(parseConfig('', opts).node.announce, undefined)
    assert.deepEqual(parseConfig('[relay]\nserve = true\n', opts).relay, { serve: true, maxCircuitDurationMs: 0, maxCircuitDataBytes: 0 })
    const c = parseConfig('[node]\nannounce = ["/dns4/home.example.org/tcp/9771"]\n[relay]\nserve = true\nmax_circuit_duration = "2h"\nmax_circuit_data = "4G"\n', opts)
    assert.deepEqual(c.relay, { serve: true, maxCircuitDurationMs: 7_200_000, maxCircuitDataBytes: 4 * 1024 ** 3 })
    assert.deepEqual(c.node.announce, ['/dns4/home.example.org/tcp/9771'])
    assert.deepEqual(parseConfig(serializeConfig(c), opts), c)
    const unlimited = parseConfig('[relay]\nserve = true\nmax_circuit_duration = "0"\nmax_circuit_data = "0"\n', opts)
    assert.deepEqual(parseConfig(serializeConfig(unlimited), opts), unlimited)
    assert.throws(() => parseConfig('[relay]\nmax_circuit_duration = "soon"\n', opts), /soon/)
    assert.throws(() => parseConfig('[relay]\nserve = "yes"\n', opts), /relay\.serve/)
    assert.throws(() => parseConfig('[node]\nannounce = ["home:9771"]\n', opts), /expected a multiaddr/)
  })

  it('peerAddrToMultiaddr turns host:port into a multiaddr', function () {
    assert.equal(peerAddrToMultiaddr('laptop.local:9771'), '/dns/laptop.local/tcp/9771')
    assert.equal(peerAddrToMultiaddr('192.168.1.5:9771'), '/ip4/192.168.1.5/tcp/9771')
    assert.equal(peerAddrToMultiaddr('[fe80::1]:9771'), '/ip6/fe80::1/tcp/9771')
    assert.equal(peerAddrToMultiaddr('/ip4/1.2.3.4/tcp/1'), '/ip4/1.2.3.4/tcp/1')
  })

  it('writes a file a person can read', async function () {
    const text = serializeConfig(defaultConfig('/home/me'))
    assert.match(text, /^# /)
    assert.match(text, /\[limits\]\nupload = "0"/)
    assert.match(text, /batch_bytes = "8M"/)
    assert.match(text, /capacity = "10%"/)
    assert.ok(!text.includes('[peers]'))
    const d = join(dir, `h${n++}`)
    await writeConfig(d, defaultConfig('/home/me'))
    assert.equal(await readFile(configPath(d), 'utf8'), text)
  })
})
