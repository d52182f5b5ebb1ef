import { runCiSuite } from './run.js'

// Issue 18, "The fuzzer": blob, hash, rsync and history requests from a household peer,
// valid-looking and broken, against a real realize-node process (docs/fuzzing.md).
describe('fuzz: peer protocols against a real node', function () {
  this.timeout(180_000)

  it('after every generated request the node answers status in time, writes nothing outside its roots, stays under its RSS bound and fails typed', async () => {
    await runCiSuite('protocols')
  })
})
