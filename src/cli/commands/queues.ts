/** `nimbus queues stats` and `nimbus queues dlq list|show|replay|purge`; `nimbus invocations get`. */
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { printJson, table } from '../output.ts';

interface View {
  id: string;
  functionName: string;
  status: string;
  attempts: number;
  submittedAt: string;
  updatedAt: string;
  error?: { reason?: string; errorType?: string; errorMessage?: string };
}

const selector = (ids: string[], o: { function?: string; all?: boolean }, command: string) => {
  if (ids.length === 0 && !o.function && !o.all)
    throw CliErrors.BAD_ARGUMENT({ reason: 'give dead-letter ids, --function NAME or --all', command });
  return {
    ...(ids.length ? { ids } : {}),
    ...(o.function ? { function: o.function } : {}),
    ...(o.all ? { all: true } : {}),
  };
};

export function register(program: Command): void {
  const queues = program.command('queues').description('async queues: depth, lag and dead letters');
  withGlobals(
    queues.command('stats').description('waiting, delayed, running and dead events per function'),
  ).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{
      queues: {
        functionName: string;
        ready: number;
        delayed: number;
        inflight: number;
        dead: number;
        oldestAgeMs: number;
      }[];
    }>('GET', '/v1/queues');
    if (o.json) return printJson(r);
    const rows = [['FUNCTION', 'READY', 'DELAYED', 'RUNNING', 'DEAD', 'LAG']];
    for (const q of r.queues)
      rows.push([
        q.functionName,
        String(q.ready),
        String(q.delayed),
        String(q.inflight),
        String(q.dead),
        `${(q.oldestAgeMs / 1000).toFixed(1)} s`,
      ]);
    process.stdout.write(`${table(rows)}\n`);
  });

  const dlq = queues.command('dlq').description('dead letters: list, show, replay, purge');
  withGlobals(
    dlq
      .command('list')
      .description('list dead letters')
      .option('--function <name>')
      .option('--limit <n>', 'at most n', '100'),
  ).action(async (o: GlobalOpts & { function?: string; limit?: string }) => {
    const qs = new URLSearchParams({ limit: o.limit ?? '100' });
    if (o.function) qs.set('function', o.function);
    const r = await clientFor(o).call<{ deadLetters: View[] }>('GET', `/v1/queues/dlq?${qs}`);
    if (o.json) return printJson(r);
    const rows = [['ID', 'FUNCTION', 'ATTEMPTS', 'REASON', 'ERROR', 'FAILED AT']];
    for (const d of r.deadLetters)
      rows.push([
        d.id,
        d.functionName,
        String(d.attempts),
        d.error?.reason ?? '',
        `${d.error?.errorType ?? ''}: ${d.error?.errorMessage ?? ''}`.slice(0, 60),
        d.updatedAt,
      ]);
    process.stdout.write(`${table(rows)}\n`);
  });
  withGlobals(dlq.command('show <id>').description('show one dead letter with its payload and error')).action(
    async (id: string, o: GlobalOpts) => {
      printJson(await clientFor(o).call('GET', `/v1/queues/dlq/${encodeURIComponent(id)}`));
    },
  );
  for (const [verb, description, past] of [
    ['replay', 'queue dead letters again (failure count reset)', 'replayed'],
    ['purge', 'delete dead letters for good', 'purged'],
  ] as const) {
    withGlobals(
      dlq
        .command(`${verb} [ids...]`)
        .description(description)
        .option('--function <name>', 'all dead letters of a function')
        .option('--all', 'every dead letter'),
    ).action(async (ids: string[], o: GlobalOpts & { function?: string; all?: boolean }) => {
      const r = await clientFor(o).call<Record<string, number>>(
        'POST',
        `/v1/queues/dlq/${verb}`,
        selector(ids, o, `queues dlq ${verb}`),
      );
      if (o.json) printJson(r);
      else process.stdout.write(`${past} ${r[past]}\n`);
    });
  }

  withGlobals(
    program
      .command('invocations')
      .description('async invocations')
      .command('get <id>')
      .description('status, attempts, result or error'),
  ).action(async (id: string, o: GlobalOpts) => {
    printJson(await clientFor(o).call('GET', `/v1/invocations/${encodeURIComponent(id)}`));
  });
}
