import { nimbus } from '@nimbus/sdk';

interface HttpEvent {
  body?: string;
}

/** POST /verify {token} → cancels the pending confirmation e-mail. */
export const handler = async (event: HttpEvent, context: unknown) => {
  let token: unknown;
  try {
    token = JSON.parse(event.body ?? '{}').token;
  } catch {
    return { statusCode: 400, body: JSON.stringify({ error: 'body must be JSON' }) };
  }
  if (typeof token !== 'string' || token === '')
    return { statusCode: 400, body: JSON.stringify({ error: '"token" is required' }) };
  try {
    await nimbus(context).timers.cancel(token);
    return { statusCode: 200, body: JSON.stringify({ verified: true, confirmationEmail: 'cancelled' }) };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'NIMBUS_ERR_ASYNC_NOT_CANCELLABLE')
      return { statusCode: 200, body: JSON.stringify({ verified: true, confirmationEmail: 'already sent' }) };
    if (code === 'NIMBUS_ERR_CORE_NOT_FOUND')
      return { statusCode: 404, body: JSON.stringify({ error: 'unknown or expired token' }) };
    throw e;
  }
};
