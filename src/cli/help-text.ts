/**
 * Help text as paragraphs: oclif wraps each line to the terminal's width, so a description written
 * with line breaks at ~100 columns came out ragged in an 80-column terminal (a full line, then a
 * word or two). Lines are joined into paragraphs; a line break is kept after a sentence or a label
 * ends ('.', ':'), before an indented line, and around a blank line.
 */
export function helpParagraphs(text: string): string {
  return text
    .split('\n\n')
    .map((paragraph) => {
      const lines: string[] = []
      for (const line of paragraph.split('\n')) {
        const previous = lines.at(-1)
        if (previous !== undefined && !/[.:]$/.test(previous) && !/^\s/.test(line))
          lines[lines.length - 1] = `${previous} ${line}`
        else lines.push(line)
      }
      return lines.join('\n')
    })
    .join('\n\n')
}
