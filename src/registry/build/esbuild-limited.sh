#!/bin/sh
# esbuild's Go binary under an address-space limit; set up by worker.ts (ESBUILD_BINARY_PATH).
exec "$NIMBUS_PRLIMIT" --as="$NIMBUS_ESBUILD_AS_BYTES" -- "$NIMBUS_ESBUILD_BIN" "$@"
