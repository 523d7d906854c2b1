/** `nimbus timers schedule|list|get|cancel` — one-shot durable timers. */
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { functionName, type ServiceOpts, withService } from '../names.ts';
import { printJson, table } from '../output.ts';

export function register(program: Command): void {
  const timers = program.command('timers').description('one-shot timers: invoke a function later');
  withGlobals(
    withService(
      timers
        .command('schedule <function>')
        .description('invoke FUNCTION once at a time or after a delay')
        .option('--at <time>', 'ISO time, e.g. 2026-12-01T09:00:00Z')
        .option('--in <seconds>', 'delay in seconds')
        .option('-d, --data <json>', 'event JSON', '{}')
        .option('-q, --qualifier <q>', 'version or alias'),
    ),
  ).action(
    async (
      arg: string,
      o: GlobalOpts & ServiceOpts & { at?: string; in?: string; data: string; qualifier?: string },
    ) => {
      const fn = await functionName(arg, o, 'timers schedule');
      let payload: unknown;
      try {
        payload = JSON.parse(o.data);
      } catch (e) {
        throw CliErrors.BAD_ARGUMENT({
          reason: `--data is not valid JSON: ${(e as Error).message}`,
          command: 'timers schedule',
        });
      }
      const r = await clientFor(o).call<{ id: string; fireAt: string }>('POST', '/v1/timers', {
        target: { function: fn, ...(o.qualifier ? { qualifier: o.qualifier } : {}) },
        payload,
        ...(o.at !== undefined ? { at: o.at } : {}),
        ...(o.in !== undefined ? { delaySeconds: Number(o.in) } : {}),
      });
      if (o.json) printJson(r);
      else process.stdout.write(`${r.id} fires at ${r.fireAt}\n`);
    },
  );
  withGlobals(timers.command('list').description('pending timers').option('--function <name>')).action(
    async (o: GlobalOpts & { function?: string }) => {
      const r = await clientFor(o).call<{
        timers: { id: string; functionName: string; nextAttemptAt: string; status: string }[];
      }>('GET', `/v1/timers${o.function ? `?function=${encodeURIComponent(o.function)}` : ''}`);
      if (o.json) return printJson(r);
      const rows = [['ID', 'FUNCTION', 'FIRES AT', 'STATUS']];
      for (const t of r.timers) rows.push([t.id, t.functionName, t.nextAttemptAt, t.status]);
      process.stdout.write(`${table(rows)}\n`);
    },
  );
  withGlobals(timers.command('get <id>').description('a timer and, once fired, its invocation')).action(
    async (id: string, o: GlobalOpts) =>
      printJson(await clientFor(o).call('GET', `/v1/timers/${encodeURIComponent(id)}`)),
  );
  withGlobals(timers.command('cancel <id>').description('cancel a timer that has not fired')).action(
    async (id: string, o: GlobalOpts) => {
      await clientFor(o).call('DELETE', `/v1/timers/${encodeURIComponent(id)}`);
      if (o.json) printJson({ cancelled: id });
      else process.stdout.write(`cancelled ${id}\n`);
    },
  );
}
