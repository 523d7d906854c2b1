/**
 * @module secrets
 * Tenant secrets with envelope encryption: a data key per version, wrapped by a KeyProvider (the
 * local keyring sealed under the master key; a KMS or Vault provider fits the same port).
 */
export { SecretsErrors } from './errors.ts';
export { createLocalKeyProvider, type LocalKeyProviderOptions } from './key-provider.ts';
export {
  createSecretsService,
  MAX_SECRET_BYTES,
  type PutOptions,
  type RewrapResult,
  SECRET_NAME,
  type SecretMetadata,
  type SecretsService,
  type SecretValue,
  validateSecretName,
} from './service.ts';
