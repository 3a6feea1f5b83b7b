/**
 * A PNG's compressed pixel data may inflate to far more than its header's size needs: stb_image
 * (ZXing's decoder) inflates all of it into one growing buffer before it looks at the size, so a
 * 1 MB file could take gigabytes. This inflates the IDAT data once with node:zlib, never past what
 * its pixels need (plus slack; a large image as a stream, counting and discarding 16 KiB at a
 * time), and refuses the image as soon as it would go further. Errors: ERR_IMAGE.
 */
import { createInflateRaw, inflateRawSync } from 'node:zlib'
import { DccError } from '../errors.js'
import { inflatedSize, readPngChunks } from './png-chunks.js'

/** Slack over the exact size, for encoders that write a little more than needed (decoders ignore it). */
export const PNG_DATA_SLACK = 4 * 1024 * 1024

/**
 * DEFLATE's largest expansion (RFC 1951): a 258-byte match coded in 2 bits. Data that cannot reach
 * the bound even at this ratio is not inflated here: the QR images of the EU vectors (~2 KB of
 * IDAT for ~250 KB of pixels) cost nothing more.
 */
const MAX_DEFLATE_RATIO = 1032

/**
 * Up to this bound the data is inflated in one synchronous call that may allocate the bound (~2 ms
 * for a vector's QR image, a third of the stream's cost); above it, as a stream, 16 KiB at a time.
 */
const SYNC_BOUND = 32 * 1024 * 1024

/**
 * Resolves when the IDAT data inflates to at most its header's size (plus PNG_DATA_SLACK), or is cut
 * short (the decoder then says what is wrong); rejects with ERR_IMAGE when it inflates to more, or is
 * not valid DEFLATE (another decoder could read such data differently, so it is not passed on).
 */
export async function checkPngDataBound(bytes: Uint8Array, source: string): Promise<void> {
  const { header, cgbi, idat } = readPngChunks(bytes)
  if (!header || idat.length === 0) return // no size or no data: the decoder refuses it
  const needed = inflatedSize(header)
  if (needed === undefined) return
  const bound = needed + PNG_DATA_SLACK
  let compressed = 0
  for (const data of idat) compressed += data.length
  if ((compressed + 1) * MAX_DEFLATE_RATIO <= bound) return
  const bomb = (): DccError =>
    new DccError(
      'ERR_IMAGE',
      `image: the pixel data of the PNG file from ${source} inflates to more than the ${needed} bytes its ${header.width}x${header.height} pixels need; refusing it (a decompression bomb?)`,
    )
  // cut short: the decoder reports the file as broken; any other error: refused here
  const problem = (err: NodeJS.ErrnoException): DccError | undefined =>
    err.code === 'Z_BUF_ERROR'
      ? undefined
      : new DccError(
          'ERR_IMAGE',
          `image: the pixel data of the PNG file from ${source} is not valid DEFLATE (${err.message})`,
        )
  // raw DEFLATE after the 2-byte zlib header (stb_image does not hold the header's window size to
  // zlib's rules, so neither does this); a CgBI file has no header
  const skip = cgbi ? 0 : 2
  if (bound <= SYNC_BOUND) {
    const data = idat.length === 1 ? (idat[0] as Uint8Array) : Buffer.concat(idat)
    try {
      inflateRawSync(data.subarray(skip), { maxOutputLength: bound, chunkSize: 1024 * 1024 })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ERR_BUFFER_TOO_LARGE') throw bomb()
      const refused = problem(err as NodeJS.ErrnoException)
      if (refused) throw refused
    }
    return
  }
  const inflater = createInflateRaw()
  let total = 0
  let left = skip
  await new Promise<void>((resolve, reject) => {
    inflater.on('data', (chunk: Buffer) => {
      total += chunk.length
      if (total > bound) {
        inflater.destroy()
        reject(bomb())
      }
    })
    inflater.on('end', resolve)
    inflater.on('error', (err: NodeJS.ErrnoException) => {
      const refused = problem(err)
      if (refused) reject(refused)
      else resolve()
    })
    for (const data of idat) {
      const part = data.subarray(Math.min(left, data.length))
      left -= data.length - part.length
      if (part.length > 0) inflater.write(part)
    }
    inflater.end()
  })
}
