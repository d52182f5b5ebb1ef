import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { tempDir } from './helpers/tmp.js'

const exec = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The machine's own npm and Node, as a fresh checkout meets them: the project's node_modules/.bin off PATH. */
function machineEnv (): NodeJS.ProcessEnv {
  const PATH = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')).join(delimiter)
  const env: NodeJS.ProcessEnv = { ...process.env, PATH }
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k]
  return env
}

async function run (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number, out: string }> {
  try {
    const r = await exec(cmd, args, { cwd, env, maxBuffer: 1 << 24 })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (err) {
    const e = err as { code?: number, stdout?: string, stderr?: string }
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

/**
 * The first install (issue 16): npm runs on the machine's Node, which may
 * be older than the project's, and must not print a warning per package
 * that needs the project's Node 22; the real problems are still said, by
 * scripts/check-install.mjs on Node 22.
 */
describe('npm install (the first hour)', function () {
  let tmp: { dir: string, cleanup: () => Promise<void> }
  before(async function () { tmp = await tempDir('rz-install-') })
  after(async function () { await tmp.cleanup() })

  async function project (dir: string, options: { npmrc: boolean }): Promise<void> {
    await mkdir(join(dir, 'scripts'), { recursive: true })
    for (const f of ['package.json', 'package-lock.json', 'scripts/check-install.mjs']) await copyFile(join(ROOT, f), join(dir, f))
    if (options.npmrc) await copyFile(join(ROOT, '.npmrc'), join(dir, '.npmrc'))
  }

  it('npm ci prints no EBADENGINE warnings with the project .npmrc (and does without it on an older Node)', async () => {
    const env = machineEnv()
    const quiet = join(tmp.dir, 'quiet')
    await project(quiet, { npmrc: true })
    // --dry-run: npm resolves the tree from the lock file and checks engines, but fetches nothing.
    const r = await run('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], quiet, env)
    assert.doesNotMatch(r.out, /EBADENGINE/, r.out)
    const { stdout: machineNode } = await exec('node', ['--version'], { env })
    if (Number(/^v(\d+)/.exec(machineNode)?.[1]) < 22) {
      // The control: the same install without .npmrc is what a new user saw.
      const loud = join(tmp.dir, 'loud')
      await project(loud, { npmrc: false })
      const l = await run('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], loud, env)
      assert.ok((l.out.match(/EBADENGINE Unsupported engine/g) ?? []).length >= 5, l.out)
    }
  })

  it('check-install says what is really wrong, on the project Node: an engine it does not meet, an install script npm skipped', async () => {
    const dir = join(tmp.dir, 'checked')
    await mkdir(join(dir, 'scripts'), { recursive: true })
    await copyFile(join(ROOT, 'scripts/check-install.mjs'), join(dir, 'scripts/check-install.mjs'))
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'x', allowScripts: { built: true, prebuilt: false } }))
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify({
      packages: {
        '': { name: 'x' },
        'node_modules/fine': { version: '1.0.0', engines: { node: '>=22' } },
        'node_modules/future': { version: '2.0.0', engines: { node: '>=99' } },
        'node_modules/built': { version: '1.0.0', hasInstallScript: true },
        'node_modules/prebuilt': { version: '1.0.0', hasInstallScript: true },
        'node_modules/a/node_modules/unlisted': { version: '3.0.0', hasInstallScript: true }
      }
    }))
    const r = await run(process.execPath, ['scripts/check-install.mjs'], dir, process.env)
    assert.equal(r.code, 0)
    assert.equal(r.out, `warning: future@2.0.0 needs Node >=99; the project runs on ${process.version}\nwarning: unlisted@3.0.0 has an install script that npm did not run (not in package.json allowScripts)\n`)
  })
})
