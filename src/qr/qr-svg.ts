/**
 * A QR matrix as an SVG document, the one the qrcode library writes (since hcert 0.1): a white
 * square, then one path stroking each run of dark modules in a row (`M<x> <y>.5h<n>`, then
 * `m<dx> 0h<n>` along the row), in user units of one module, with a quiet zone of `margin` modules.
 */
import type { QrMatrix } from './qr-matrix.js'

export function qrSvg(matrix: QrMatrix, margin: number): string {
  const { size, modules } = matrix
  const side = size + 2 * margin
  const parts: string[] = []
  for (let row = 0; row < size; row++) {
    let last = -1
    for (let col = 0; col < size;) {
      if (!modules[row * size + col]) {
        col++
        continue
      }
      let end = col + 1
      while (end < size && modules[row * size + end]) end++
      parts.push(
        last < 0 ? `M${col + margin} ${row + margin}.5h${end - col}` : `m${col - last} 0h${end - col}`,
      )
      last = end
      col = end
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<path fill="#ffffff" d="M0 0h${side}v${side}H0z"/><path stroke="#000000" d="${parts.join('')}"/></svg>\n`
  )
}
