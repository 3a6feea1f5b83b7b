/**
 * The QR image writer, loaded when a run first writes an image: the qrcode library takes ~60 ms to
 * import, which every `hcert issue` and `hcert renew` without --qr-dir would otherwise pay at start-up.
 */
let loading: Promise<typeof import('./write-qr.js')> | undefined

export function qrWriter(): Promise<typeof import('./write-qr.js')> {
  loading ??= import('./write-qr.js')
  return loading
}
