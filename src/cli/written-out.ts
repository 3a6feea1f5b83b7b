/**
 * Waiting for what a process wrote to stdout and stderr to be out before it exits. A pipe whose
 * reader is slower than the run (`| less`, `| tee log`, a CI runner) holds at most 64 KB; the rest
 * waits in the stream, and `process.exit` drops it: a long report lost its end.
 */

/**
 * Resolves once every write made to `stream` so far is out, or has failed (the failure is the
 * stream's own 'error' event; nothing is thrown here). An empty write's callback runs after the
 * writes before it; 'drain' is not used, as it comes only after a write that filled the buffer.
 */
export async function writtenOut(stream: NodeJS.WritableStream & { writableLength: number }): Promise<void> {
  if (stream.writableLength === 0) return
  await new Promise<void>((resolve) => stream.write('', () => resolve()))
}

/** stdout's and stderr's writes so far are out (or failed): then the process may exit. */
export async function outputsWrittenOut(): Promise<void> {
  await Promise.all([writtenOut(process.stdout), writtenOut(process.stderr)])
}
