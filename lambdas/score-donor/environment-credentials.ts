// Stands in for @aws-sdk/credential-provider-node in the scoring function's bundle (an esbuild
// alias in lib/scoring-function.ts): Lambda always puts the role's credentials in the environment,
// so the default chain's other links (SSO, STS web identity, INI files, instance metadata, and
// the SSO/STS clients they carry, a tenth of the bundle) are never reached there and need not be
// compiled at every cold start. Outside Lambda, credentials must be in the environment too.
import { fromEnv } from '@aws-sdk/credential-provider-env';

type FromEnvInit = Parameters<typeof fromEnv>[0];

export const defaultProvider = (init?: FromEnvInit) => {
  const fromEnvironment = fromEnv(init);
  return async () => {
    try {
      return await fromEnvironment();
    } catch {
      const error = new Error(
        'no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): Lambda sets them from the function\'s role; the scoring bundle reads no other source',
      );
      error.name = 'CredentialsProviderError';
      throw error;
    }
  };
};
