/** Environment variables set for the length of a synchronous piece of work, then put back as they were. */

/** Runs `work` with `vars` set (undefined: unset), restoring every one of them afterwards, even on a throw. */
export function withEnv<T>(vars: Record<string, string | undefined>, work: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  for (const [k, v] of Object.entries(vars))
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  try {
    return work()
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
  }
}
