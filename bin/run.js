#!/usr/bin/env node
// cbor-x's optional native decoder costs ~20 ms to load and brings nothing measurable for
// certificate-sized payloads (npm run bench): start-up is what CI scripts pay per call.
process.env.CBOR_NATIVE_ACCELERATION_DISABLED ??= 'true'

const { execute } = await import('@oclif/core/execute')
await execute({ dir: import.meta.url })
