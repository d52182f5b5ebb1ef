import { runCiSuite } from './run.js'

// Issue 18, "The fuzzer": histories a household peer publishes to the node (catch-up files,
// removals, live entries, valid-looking and broken), whose files the node then installs.
describe('fuzz: histories published to a real node', function () {
  this.timeout(180_000)

  it('after every generated history the node answers status in time, writes nothing outside its roots, stays under its RSS bound and fails typed', async () => {
    await runCiSuite('publish')
  })
})
