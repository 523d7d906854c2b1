/** Test support: whether one of this machine's shared services (the brokers, CI's too) answers. */
import { connect as tcp } from 'node:net';

/** Whether something listens on 127.0.0.1:port (within 1.5 s). */
export const reachable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = tcp({ host: '127.0.0.1', port });
    s.setTimeout(1500, () => {
      s.destroy();
      resolve(false);
    });
    s.once('connect', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
