// Runs after `npm install` / `npm ci` (the `postinstall` script), on the
// project's own Node 22 (npm puts node_modules/.bin first on PATH).
//
// Why it exists: npm itself runs on the machine's Node (20 here) and warns
// (EBADENGINE) about every package that needs Node 22, about 45 lines on
// a fresh install, although the code never runs on Node 20. npm 11 cannot
// be told which Node the project runs on (the `node-version` setting is
// gone), so `.npmrc` sets `loglevel=error`, and this script says what
// those warnings would have said that is true: a package whose engines the
// project's Node does not satisfy, or whose install script npm skipped
// because package.json's `allowScripts` does not list it. Silent when all
// is well. Plain JavaScript: nothing is built yet when it runs.
import { readFileSync } from 'node:fs'

const root = new URL('../', import.meta.url)
const read = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8'))
const lock = read('package-lock.json')
const pkg = read('package.json')
const problems = []

let semver
try {
  semver = (await import('semver')).default
} catch {
  // --omit=dev: no semver, no engines check (the install scripts check still runs).
}
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  if (path === '') continue
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
  const range = entry.engines?.node
  if (semver != null && typeof range === 'string' && !semver.satisfies(process.version, range, { includePrerelease: true })) {
    problems.push(`${name}@${entry.version} needs Node ${range}; the project runs on ${process.version}`)
  }
  // `false` in allowScripts is a decision (prebuilt binaries suffice); only an unlisted one is news.
  if (entry.hasInstallScript === true && pkg.allowScripts?.[name] == null) {
    problems.push(`${name}@${entry.version} has an install script that npm did not run (not in package.json allowScripts)`)
  }
}
for (const p of problems) process.stderr.write(`warning: ${p}\n`)
