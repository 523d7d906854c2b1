/**
 * Coded errors of the secrets capability. Messages name secrets and key ids, never values: a
 * message travels to clients, the CLI and the platform log.
 */
import { defineErrors } from '../core/errors.ts';

export const SecretsErrors = defineErrors('SECRETS', {
  NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'secret {name} not found',
    hint: '`nimbus secrets list` shows the secrets of your tenant',
  },
  ALREADY_EXISTS: {
    status: 409,
    kind: 'user',
    message: 'secret {name} already exists',
    hint: 'put a new value with `nimbus secrets put` (PutSecretValue), or delete it first',
  },
  INVALID_NAME: {
    status: 400,
    kind: 'user',
    message: 'invalid secret name {name}: {reason}',
    hint: 'use 1-512 characters of A-Z a-z 0-9 / _ + = . @ -',
  },
  TOO_LARGE: {
    status: 400,
    kind: 'user',
    message: 'the secret value is {size} bytes; the limit is {limit} bytes',
    hint: 'store large material elsewhere (an object in a bucket) and keep its key in the secret',
  },
  INVALID_PARAMETER: { status: 400, kind: 'user', message: 'invalid {field}: {reason}' },
  INVALID_NEXT_TOKEN: {
    status: 400,
    kind: 'user',
    message: 'the pagination token is not valid',
    hint: 'pass the NextToken of the previous page unchanged, or start without one',
  },
  VERSION_CONFLICT: {
    status: 409,
    kind: 'user',
    message: 'version {versionId} of secret {name} was written with another value',
    hint: 'use a new client request token (version id) for a new value',
  },
  VERSION_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'secret {name} has no version {version}',
    hint: 'only the current version (AWSCURRENT) is kept',
  },
  CORRUPT: {
    status: 500,
    kind: 'system',
    message: 'secret {name} cannot be decrypted: {reason}',
  },
  KEK_NOT_FOUND: {
    status: 500,
    kind: 'system',
    message: 'key-encryption key {kekId} is not in the keyring',
    hint: 'the keyring in the settings table was replaced or the master key changed; restore it from a backup',
  },
  KEYRING_CORRUPT: {
    status: 500,
    kind: 'system',
    message: 'the secrets keyring cannot be opened: {reason}',
    hint: 'the master key must be the one that created the keyring (NIMBUS_MASTER_KEY / <data-dir>/master.key)',
  },
  KEYRING_CONFLICT: {
    status: 503,
    kind: 'system',
    message: 'the secrets keyring changed concurrently {attempts} times; try again',
    retryable: true,
  },
});
