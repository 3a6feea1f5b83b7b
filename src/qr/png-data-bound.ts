/**
 * A PNG's compressed pixel data may inflate to far more than its header's size needs: stb_image
 * (ZXing's decoder) inflates all of it into one growing buffer before it looks at the size, so a
 * 1 MB file could take gigabytes. This inflates the IDAT data once with node:zlib, counting and
 * discarding 16 KiB at a time, and refuses the image as soon as the count passes what its pixels
 * need. Errors: ERR_IMAGE.
 */
import { createInflateRaw } from 'node:zlib'
import { DccError } from '../errors.js'
import { inflatedSize, readPngChunks } from './png-chunks.js'

/** Slack over the exact size, for encoders that write a little more than needed (decoders ignore it). */
export const PNG_DATA_SLACK = 1024 * 1024

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
  // raw DEFLATE after the 2-byte zlib header (stb_image does not hold the header's window size to
  // zlib's rules, so neither does this); a CgBI file has no header
  const inflater = createInflateRaw()
  let total = 0
  let skip = cgbi ? 0 : 2
  await new Promise<void>((resolve, reject) => {
    inflater.on('data', (chunk: Buffer) => {
      total += chunk.length
      if (total > bound) {
        inflater.destroy()
        reject(
          new DccError(
            'ERR_IMAGE',
            `image: the pixel data of the PNG file from ${source} inflates to more than the ${needed} bytes its ${header.width}x${header.height} pixels need; refusing it (a decompression bomb?)`,
          ),
        )
      }
    })
    inflater.on('end', resolve)
    inflater.on('error', (err: NodeJS.ErrnoException) => {
      // cut short: the decoder reports the file as broken
      if (err.code === 'Z_BUF_ERROR') resolve()
      else
        reject(
          new DccError(
            'ERR_IMAGE',
            `image: the pixel data of the PNG file from ${source} is not valid DEFLATE (${err.message})`,
          ),
        )
    })
    for (const data of idat) {
      const part = data.subarray(Math.min(skip, data.length))
      skip -= data.length - part.length
      if (part.length > 0) inflater.write(part)
    }
    inflater.end()
  })
}
