import { defineErrors } from '../core/errors.ts';

export const SecurityErrors = defineErrors('SECURITY', {
  MASTER_KEY_INVALID: {
    status: 500,
    kind: 'user',
    message: 'master key is invalid: {reason}',
    hint: 'set NIMBUS_MASTER_KEY to 32 random bytes in base64, or remove the master.key file only if no secrets exist yet',
  },
  SECRET_CORRUPT: {
    status: 500,
    kind: 'system',
    message: 'a stored secret cannot be decrypted: {reason}',
  },
  SIGNATURE_MISMATCH: {
    status: 403,
    kind: 'user',
    message: 'the request signature does not match: {reason}',
    hint: 'check the key id and secret (NIMBUS_KEY_ID / NIMBUS_SECRET) and the region/endpoint used to sign',
  },
  PRESIGNED_EXPIRED: {
    status: 403,
    kind: 'user',
    message: 'Request has expired (signed at {date}, valid {seconds} s)',
    hint: 'presign the URL again',
  },
  REQUEST_EXPIRED: {
    status: 403,
    kind: 'user',
    message: 'request time {date} is more than {skewMin} minutes from the server time',
    hint: 'fix the client clock',
  },
  KEY_INVALID: {
    status: 403,
    kind: 'user',
    message: 'the security token included in the request is invalid: {reason}',
    hint: 'check the access key id; it may have been revoked, disabled or deleted',
  },
  TOKEN_EXPIRED: {
    status: 403,
    kind: 'user',
    message: 'the security token included in the request is expired: {reason}',
    hint: 'create or rotate the key, or let the SDK refresh temporary credentials',
  },
});
