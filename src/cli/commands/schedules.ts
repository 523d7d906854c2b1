/** `nimbus schedules list|set|delete` — recurring schedules (manifest ones come from `nimbus deploy`). */
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { functionName, type ServiceOpts, withService } from '../names.ts';
import { printJson, table } from '../output.ts';

interface View {
  name: string;
  /** null: the schedule starts executions of `stateMachine`. */
  function: string | null;
  stateMachine?: string;
  expression: string;
  timezone: string;
  enabled: boolean;
  origin: string;
  nextFireAt: string | null;
}

export function register(program: Command): void {
  const schedules = program.command('schedules').description('recurring schedules: rate(...) / cron(...)');
  withGlobals(schedules.command('list').description('every schedule with its next tick')).action(
    async (o: GlobalOpts) => {
      const r = await clientFor(o).call<{ schedules: View[] }>('GET', '/v1/schedules');
      if (o.json) return printJson(r);
      const rows = [['NAME', 'FUNCTION', 'EXPRESSION', 'TZ', 'ENABLED', 'ORIGIN', 'NEXT']];
      for (const s of r.schedules)
        rows.push([
          s.name,
          s.function ?? `state machine ${s.stateMachine}`,
          s.expression,
          s.timezone,
          String(s.enabled),
          s.origin,
          s.nextFireAt ?? '-',
        ]);
      process.stdout.write(`${table(rows)}\n`);
    },
  );
  withGlobals(
    withService(
      schedules
        .command('set <name> <function> <expression>')
        .description('create or replace a schedule, e.g. set nightly report "cron(0 2 * * ? *)"')
        .option('--timezone <tz>', 'IANA timezone for cron expressions (default UTC)')
        .option('--input <json>', 'constant event JSON (default: an EventBridge Scheduled Event)')
        .option('--disabled', 'create it disabled')
        .option('--misfire <policy>', 'fireOnce (default) or skip: what to do with ticks missed while down'),
    ),
  ).action(
    async (
      name: string,
      arg: string,
      expression: string,
      o: GlobalOpts &
        ServiceOpts & { timezone?: string; input?: string; disabled?: boolean; misfire?: string },
    ) => {
      const fn = await functionName(arg, o, 'schedules set');
      let input: unknown;
      if (o.input !== undefined) {
        try {
          input = JSON.parse(o.input);
        } catch (e) {
          throw CliErrors.BAD_ARGUMENT({
            reason: `--input is not JSON: ${(e as Error).message}`,
            command: 'schedules set',
          });
        }
      }
      const r = await clientFor(o).call<View>('PUT', `/v1/schedules/${encodeURIComponent(name)}`, {
        function: fn,
        expression,
        ...(o.timezone ? { timezone: o.timezone } : {}),
        ...(input !== undefined ? { input } : {}),
        ...(o.disabled ? { enabled: false } : {}),
        ...(o.misfire ? { misfire: o.misfire } : {}),
      });
      if (o.json) printJson(r);
      else
        process.stdout.write(`${r.name}: ${r.expression} → ${r.function}, next ${r.nextFireAt ?? 'never'}\n`);
    },
  );
  withGlobals(schedules.command('delete <name>').description('delete a schedule')).action(
    async (name: string, o: GlobalOpts) => {
      await clientFor(o).call('DELETE', `/v1/schedules/${encodeURIComponent(name)}`);
      if (o.json) printJson({ deleted: name });
      else process.stdout.write(`deleted ${name}\n`);
    },
  );
}
