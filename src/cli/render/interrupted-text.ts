/**
 * What an interrupted run (SIGINT/SIGTERM) committed, in words: `issue` and `renew` end with this
 * line on stderr. "the 0 renewals above" and "the 1 records above" read as a fault; a run stopped
 * before its first chunk committed says that nothing was, and the rerun advice is the same.
 */

/** issue's line: `committed` records (≥ 0) are in the ledger, the rest not; the rerun resumes. */
export function issueInterruptedText(signal: string, committed: number): string {
  const done =
    committed === 0
      ? 'no record was committed to the ledger, and no output file was written'
      : `${committed === 1 ? 'the 1 record above is' : `the ${committed} records above are`} committed to the ledger; the rest are not, and no output file was written`
  return `Interrupted (${signal}): ${done}. Run the same command again to resume: committed records are not signed twice.`
}

/** renew's line: `renewed` renewals (≥ 0) are committed (and in `out` when given). */
export function renewInterruptedText(signal: string, renewed: number, out: string | undefined): string {
  if (renewed === 0)
    return `Interrupted (${signal}): no renewal was committed; run the same command again to renew them.`
  const what = renewed === 1 ? 'the 1 renewal above is' : `the ${renewed} renewals above are`
  return `Interrupted (${signal}): ${what} committed${out ? ` and in ${out}` : ''}; run the same command again to renew the rest (it writes these out again too).`
}
