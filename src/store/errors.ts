import { defineErrors } from '../core/errors.ts';

export const StoreErrors = defineErrors('STORE', {
  MIGRATION_FAILED: { status: 500, kind: 'system', message: 'store migration failed: {reason}' },
  UNAVAILABLE: {
    status: 503,
    kind: 'system',
    message: 'store is unavailable: {reason}',
    hint: 'check the --store URL and that the database is running',
    retryable: true,
  },
});
