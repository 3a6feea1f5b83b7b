/** The error `work` throws, for assertions on its code and message; a test fails when it throws none. */
export function failure(work: () => void): Error & { code?: string } {
  try {
    work()
  } catch (err) {
    return err as Error & { code?: string }
  }
  throw new Error('no error')
}
