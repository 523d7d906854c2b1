/**
 * Serves the built console at `/console` on the API port: hashed assets with a long cache, every
 * other `/console/*` path answered with index.html (the app routes in the browser). The files are
 * public (src/api/auth.ts lets GET/HEAD `/console…` through): the app itself logs in with a key.
 */
import { existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type ConsolePaths, consoleBuilder, consolePaths } from './build.ts';

export interface ConsoleOptions {
  readonly paths?: ConsolePaths;
  readonly log: { info(msg: string): void; error(e: unknown, msg: string): void };
}

export const CONSOLE_PREFIX = '/console';

export async function registerConsole(app: FastifyInstance, o: ConsoleOptions): Promise<void> {
  const paths = o.paths ?? consolePaths();
  const builder = consoleBuilder(paths, o.log);
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root: paths.dist, serve: false, decorateReply: true });
    const index = (reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', paths.dist, { cacheControl: false });
    scope.get(CONSOLE_PREFIX, async (_req, reply) => reply.redirect(`${CONSOLE_PREFIX}/`, 302));
    scope.get(`${CONSOLE_PREFIX}/*`, async (req, reply) => {
      try {
        await builder.ensure();
      } catch (e) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(`${(e as Error).message}\n\n${(e as { hint?: string }).hint ?? ''}\n`);
      }
      const rel = normalize((req.params as { '*': string })['*'] || 'index.html');
      if (rel.startsWith('..') || rel.includes('\0'))
        return reply.code(404).type('text/plain').send('not found\n');
      if (rel !== 'index.html' && existsSync(join(paths.dist, rel))) {
        // Vite names assets by content hash: they never change under their name.
        const hashed = rel.startsWith('assets/');
        return reply.sendFile(rel, paths.dist, {
          cacheControl: true,
          immutable: hashed,
          maxAge: hashed ? 365 * 24 * 3600 * 1000 : 0,
        });
      }
      // An asset that does not exist is a 404, not the app (a stale tab asks for old hashes).
      if (rel.startsWith('assets/')) return reply.code(404).type('text/plain').send('not found\n');
      return index(reply);
    });
  });
}
