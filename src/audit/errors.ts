import { defineErrors } from '../core/errors.ts';

export const AuditErrors = defineErrors('AUDIT', {
  CHAIN_BROKEN: {
    status: 500,
    kind: 'system',
    message: 'the audit log chain is broken at seq {seq}: {reason}',
    hint:
      'records were changed or deleted outside Nimbus: treat it as a security incident. The records before seq ' +
      '{seq} are intact; compare the rest with a backup of the store (`nimbus audit list --json`), and find who ' +
      'can write to the store (the nimbus.db file, or the PostgreSQL role)',
  },
});
