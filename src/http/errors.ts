import { defineErrors } from '../core/errors.ts';

/** Wire-level request errors, the same on every listener (rendered in each listener's own format). */
export const HttpErrors = defineErrors('HTTP', {
  BAD_REQUEST: {
    status: 400,
    kind: 'user',
    message: 'malformed HTTP request: {reason}',
    hint: 'send a well-formed HTTP/1.1 request',
  },
  MALFORMED_URL: {
    status: 400,
    kind: 'user',
    message: 'invalid percent-encoding in the {part}',
    hint: 'percent-encode the UTF-8 bytes of reserved characters as %XX',
  },
  METHOD_NOT_ALLOWED: { status: 405, kind: 'user', message: 'method {method} is not supported here' },
  REQUEST_TIMEOUT: { status: 408, kind: 'user', message: 'the request was not received in time' },
  EXPECTATION_FAILED: {
    status: 417,
    kind: 'user',
    message: 'unsupported Expect header',
    hint: 'send no Expect header, or Expect: 100-continue',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    kind: 'user',
    message: 'the request line and headers exceed {limit} bytes',
  },
  CLIENT_ABORTED: {
    status: 400,
    kind: 'user',
    message: 'the client closed the connection before the request was complete',
  },
});
