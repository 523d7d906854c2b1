import { defineErrors } from '../../core/errors.ts';

export const IamErrors = defineErrors('IAM', {
  POLICY_INVALID: {
    status: 400,
    kind: 'user',
    message: 'policy is invalid: statement {statement}, field {field}: {reason}',
    hint:
      'an identity policy is {"Version": "2012-10-17", "Statement": [{"Effect": "Allow" | "Deny", ' +
      '"Action" | "NotAction": ..., "Resource" | "NotResource": ..., "Condition": {...}}]}; ' +
      'statements are numbered from 0',
  },
});
