/** Coded errors of starting the platform. */
import { defineErrors } from '../core/errors.ts';

export const ServerErrors = defineErrors('SERVER', {
  PORT_IN_USE: {
    status: 500,
    kind: 'user',
    message: 'the {what} port {host}:{port} is already in use ({reason})',
    hint: 'stop what listens there, or choose another port with {flag} (env {env}; 0 picks a free one)',
  },
});

/**
 * Listens, turning "address in use" (or "not permitted") into PORT_IN_USE naming the setting that
 * moves it, instead of an internal error with the socket's message.
 */
export async function listenOrExplain<T>(
  what: {
    readonly what: string;
    readonly flag: string;
    readonly env: string;
    readonly host: string;
    readonly port: number;
  },
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw e;
    throw ServerErrors.PORT_IN_USE({ ...what, port: String(what.port), reason: String(code) }, { cause: e });
  }
}
