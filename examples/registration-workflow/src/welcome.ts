import { type MailInput, sendMail } from './store.ts';

interface Verified extends MailInput {
  /** The user.verified CloudEvent the workflow waited for. */
  verification: { id: string; source: string; time?: string };
}

/** The user verified in time: the welcome e-mail. */
export const handler = async (event: Verified) =>
  sendMail('welcome', event, 'Welcome aboard!', 'Your address is verified. Enjoy!', {
    verificationEvent: event.verification.id,
    verifiedBy: event.verification.source,
    verifiedAt: event.verification.time ?? new Date().toISOString(),
  });
