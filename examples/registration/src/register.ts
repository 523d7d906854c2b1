import { nimbus } from '@nimbus/sdk';

interface HttpEvent {
  body?: string;
}

/** POST /register {email} → schedules the confirmation e-mail and answers with a verification token. */
export const handler = async (event: HttpEvent, context: unknown) => {
  let email: unknown;
  try {
    email = JSON.parse(event.body ?? '{}').email;
  } catch {
    return { statusCode: 400, body: JSON.stringify({ error: 'body must be JSON' }) };
  }
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email))
    return { statusCode: 400, body: JSON.stringify({ error: 'a valid "email" is required' }) };
  const timer = await nimbus(context).timers.schedule({
    // send-confirmation as deployed: registration-<stage>-send-confirmation (serverless.yml).
    target: process.env.CONFIRMATION_FUNCTION ?? 'send-confirmation',
    delaySeconds: Number(process.env.CONFIRM_DELAY_SECONDS ?? 30),
    payload: { email },
    // Registering twice does not send two e-mails.
    idempotencyKey: `register:${email.toLowerCase()}`,
  });
  return {
    statusCode: 202,
    body: JSON.stringify({ email, verificationToken: timer.id, confirmationAt: timer.fireAt }),
  };
};
