import { runCiSuite } from './run.js'

// Issue 18, "The fuzzer": the control API (JSON-RPC 2.0 lines on the unix socket) with
// malformed JSON, wrong types, unknown methods, huge params, batches and floods.
describe('fuzz: control API of a real node', function () {
  this.timeout(180_000)

  it('answers every generated request with a typed JSON-RPC reply, then status in time, nothing outside its roots, RSS under its bound', async () => {
    await runCiSuite('control')
  })
})
