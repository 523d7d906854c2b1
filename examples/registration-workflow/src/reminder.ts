import { type MailInput, sendMail } from './store.ts';

/** No verification within the wait (States.Timeout): the reminder e-mail. */
export const handler = async (event: MailInput & { waitedSeconds: number }) =>
  sendMail(
    'reminder',
    event,
    'Please verify your e-mail address',
    'You registered but have not verified your address yet: click the link in our first message.',
    { waitedSeconds: event.waitedSeconds },
  );
