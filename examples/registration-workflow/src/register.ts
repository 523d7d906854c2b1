import { putJson } from './store.ts';

interface Registration {
  userId?: unknown;
  email?: unknown;
}

/** An error the state machine sees by name. */
function invalid(message: string): Error {
  const e = new Error(message);
  e.name = 'Registration.Invalid';
  return e;
}

/** Stores users/<userId>.json; the workflow then waits for the user's verification. */
export const handler = async (event: Registration) => {
  const { userId, email } = event;
  if (typeof userId !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(userId))
    throw invalid('"userId" is required (1-64 of A-Z a-z 0-9 _ . -)');
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email))
    throw invalid('a valid "email" is required');
  const user = { userId, email, registeredAt: new Date().toISOString() };
  await putJson(`users/${userId}.json`, { ...user, status: 'pending-verification' });
  return user;
};
