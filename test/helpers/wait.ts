// The harness in scripts/ and the tests share one waiting helper.
export { until } from '../../scripts/harness/wait.js'
