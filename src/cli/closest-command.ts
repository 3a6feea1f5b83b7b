/**
 * The command a mistyped one most likely meant ("isue" -> "issue", "keys:generat" -> "keys:generate"),
 * or undefined when nothing is close: a word that starts a command, else the command within
 * max(2, length/3) single-character edits (Levenshtein distance).
 */
export function closestCommand(typed: string, commands: readonly string[]): string | undefined {
  const word = typed.toLowerCase()
  const started = commands.filter((id) => id.startsWith(word))
  if (word.length >= 2 && started.length === 1) return started[0]
  const limit = Math.max(2, Math.floor(word.length / 3))
  let best: { id: string; distance: number } | undefined
  for (const id of commands) {
    const distance = editDistance(word, id)
    if (distance <= limit && (!best || distance < best.distance)) best = { id, distance }
  }
  return best?.id
}

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
