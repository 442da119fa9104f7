// The environment the cold-start benchmarks give their child processes (run-bench.ts, read-api-bench.ts).

/**
 * The environment of a cold-start process: this one's, without NODE_EXTRA_CA_CERTS. Node reads and
 * parses those certificates at every process start (set to the system bundle on some machines,
 * ~150 certificates: ~37 ms of CPU, a third of the floor), in the floor's process as much as in the
 * handler's, which made the ratio look smaller than on a machine without it, or in Lambda
 * (bench/PROFILE.md, "Cold start", steps 5-7).
 */
export function coldStartEnv(): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _extraCaCerts, ...env } = process.env;
  return env;
}
