#!/usr/bin/env node
// cbor-x's optional native decoder costs ~20 ms to load and brings nothing measurable for
// certificate-sized payloads (npm run bench): start-up is what CI scripts pay per call.
process.env.CBOR_NATIVE_ACCELERATION_DISABLED ??= 'true'

const { fileURLToPath } = await import('node:url')
const { execute } = await import('@oclif/core/execute')
// hcert has no user-installed (or linked, or dev) plugins: oclif must not read a package.json from
// its data folder ($XDG_DATA_HOME/hcert), which would load code from there and, when that folder
// cannot be read, print a Node warning before hcert's own message.
await execute({
  loadOptions: { root: fileURLToPath(import.meta.url), userPlugins: false, devPlugins: false },
})
