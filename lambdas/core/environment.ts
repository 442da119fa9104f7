// Reads a function's environment into a typed config, naming every missing variable at once.

export function readEnvironment<K extends string>(what: string, variables: Record<K, string>, env: NodeJS.ProcessEnv): Record<K, string> {
  const missing = Object.values<string>(variables).filter((name) => !env[name]);
  if (missing.length) {
    throw new Error(`${what} is missing environment variables ${missing.join(', ')}: deploy it with the stack (npx cdk deploy), which sets them`);
  }
  return Object.fromEntries(Object.entries<string>(variables).map(([key, name]) => [key, env[name]!])) as Record<K, string>;
}
