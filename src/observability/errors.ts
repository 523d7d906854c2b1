import { defineErrors } from '../core/errors.ts';

/** Coded errors of function-log queries and the tenant's logs setting. */
export const LogErrors = defineErrors('LOGS', {
  BAD_FILTER: {
    status: 400,
    kind: 'user',
    message: 'invalid log filter {filter}: {reason}',
    hint: 'use key=value, key!=value, key>n, key>=n, key<n or key<=n (key: a dotted path into a JSON line, or level), or plain text',
  },
  BAD_LEVEL: {
    status: 400,
    kind: 'user',
    message: 'invalid log level {level}',
    hint: 'use one of trace, debug, info, warn, error, fatal',
  },
  BAD_QUERY: { status: 400, kind: 'user', message: 'invalid log query: {reason}' },
  BAD_PATTERN: {
    status: 400,
    kind: 'user',
    message: 'redaction pattern {pattern} is refused: {reason}',
    hint: 'patterns are JavaScript regexes of at most 200 characters, without nested quantifiers, backreferences or lookarounds, with at most 2 repeating quantifiers',
  },
});
