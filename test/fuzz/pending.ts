/**
 * Generator arms that find defects being fixed on other branches (issue 18,
 * items 1-7). The fuzz suite keeps generating everything else; an arm listed
 * here is left out of the CI budget until its fix is merged. The lead empties
 * this list as the fixes land — nothing else should be added to it without a
 * defect to point at.
 *
 *   arm                         defect (issue 18)                                   lane
 *   rsync-weak-chain            1: equal weak sums freeze the event loop            wt-harden-cpu
 *   hash-amplification          2: hash requests of many large ranges freeze it     wt-harden-cpu
 *   publish-symlinked-dir       4: mkdir -p through a symlinked dir component       wt-harden-paths
 *   control-mark-symlinked-dir  5: `mark` xattr written through a symlinked dir     wt-harden-paths
 *   control-slow-reader         6: replies buffered without bound for a slow reader wt-harden-paths
 *   publish-deep-path           7: deep peer paths overflow the stack (resolveDir)  wt-harden-paths
 *
 * `npm run fuzz -- --all` runs the listed arms too, `--pending ARM,...` some of them (scripts/fuzz.ts).
 */
export const PENDING_FIXES: readonly string[] = []

/**
 * Whether an arm runs: not pending, or asked for anyway (`--all` sets
 * REALIZE_FUZZ_PENDING=all, `--pending A,B` names some).
 */
export function armEnabled (arm: string, asked = process.env.REALIZE_FUZZ_PENDING ?? ''): boolean {
  return !PENDING_FIXES.includes(arm) || asked === 'all' || asked.split(',').includes(arm)
}
