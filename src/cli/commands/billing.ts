/**
 * `nimbus usage` (what functions used and cost: per function, day, month or tenant; table, JSON
 * or CSV) and `nimbus budgets list|set|get|delete` (spending limits with hard caps).
 */
import type { Command } from 'commander';
import { formatUsd } from '../../observability/logs.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { printJson, red, table } from '../output.ts';
import { parseSince } from './logs.ts';

interface Group {
  key: string;
  invocations: number;
  errors: number;
  coldStarts: number;
  billedDurationMs: number;
  gbSeconds: number;
  costUsd: number;
}

interface Budget {
  name: string;
  functionName?: string;
  period: { kind: 'monthly' } | { kind: 'days'; days: number };
  limitUsd: number;
  thresholds: number[];
  action: 'block' | 'notify';
  topic?: string;
  periodStart: number;
  periodEnd: number;
  spentUsd: number;
  percent: number;
  blocking: boolean;
}

const usageRow = (g: Omit<Group, 'key'>, key: string) => [
  key,
  String(g.invocations),
  String(g.errors),
  String(g.coldStarts),
  g.gbSeconds.toFixed(3),
  `$${formatUsd(g.costUsd)}`,
];

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export function register(program: Command): void {
  withGlobals(
    program
      .command('usage')
      .description('invocations, GB-seconds and cost, grouped per function, day, month or tenant')
      .option('--by <group>', 'function | day | month | tenant (operator: every tenant)', 'function')
      .option('--since <when>', '30d, 12h, an ISO date or epoch ms', '30d')
      .option('--until <when>', 'end (exclusive): 1d, an ISO date or epoch ms')
      .option('-f, --function <name>', 'only this function')
      .option('--csv', 'print CSV (for a spreadsheet)'),
  ).action(
    async (
      o: GlobalOpts & { by: string; since: string; until?: string; function?: string; csv?: boolean },
    ) => {
      const c = clientFor(o);
      const q = new URLSearchParams({ by: o.by, since: String(parseSince(o.since)) });
      if (o.until) q.set('until', String(parseSince(o.until)));
      if (o.function) q.set('function', o.function);
      if (o.csv) {
        q.set('format', 'csv');
        process.stdout.write(await c.text(`/v1/usage?${q}`));
        return;
      }
      const r = await c.call<{ by: string; groups: Group[]; total: Omit<Group, 'key'>; currency: string }>(
        'GET',
        `/v1/usage?${q}`,
      );
      if (o.json) return printJson(r);
      process.stdout.write(
        table([
          [o.by, 'invocations', 'errors', 'cold', 'GB-s', `cost (${r.currency})`],
          ...r.groups.map((g) => usageRow(g, g.key)),
          usageRow(r.total, 'total'),
        ]),
      );
    },
  );

  const budgets = program
    .command('budgets')
    .description('spending limits per tenant or function, with hard caps');
  withGlobals(budgets.command('list').description('budgets with their spend this period')).action(
    async (o: GlobalOpts) => {
      const r = await clientFor(o).call<{ budgets: Budget[] }>('GET', '/v1/budgets');
      if (o.json) return printJson(r);
      if (r.budgets.length === 0) {
        process.stdout.write('no budgets\n');
        return;
      }
      process.stdout.write(
        table([
          ['name', 'scope', 'period', 'spent', 'limit', '%', 'action', 'state'],
          ...r.budgets.map((b) => [
            b.name,
            b.functionName ?? '(tenant)',
            `${day(b.periodStart)}..${day(b.periodEnd)}`,
            `$${formatUsd(b.spentUsd)}`,
            `$${b.limitUsd}`,
            b.percent.toFixed(1),
            b.action,
            b.blocking ? red('BLOCKING') : 'ok',
          ]),
        ]),
      );
    },
  );
  withGlobals(
    budgets
      .command('set <name>')
      .description('create or replace a budget')
      .requiredOption('--limit <usd>', 'the limit in dollars for one period')
      .option('--period <p>', 'monthly, or a number of days (7d)', 'monthly')
      .option('--thresholds <list>', 'percentages that send an event, e.g. 50,80,100', '50,80,100')
      .option('--action <a>', 'block (refuse invocations at the cap) or notify', 'block')
      .option('-f, --function <name>', 'only this function (default: the whole tenant)')
      .option('--topic <name>', 'a topic that receives the threshold events'),
  ).action(
    async (
      name: string,
      o: GlobalOpts & {
        limit: string;
        period: string;
        thresholds: string;
        action: string;
        function?: string;
        topic?: string;
      },
    ) => {
      const days = /^(\d+)d$/.exec(o.period);
      if (!days && o.period !== 'monthly')
        throw CliErrors.BAD_ARGUMENT({
          reason: `--period ${o.period}: monthly or 7d`,
          command: 'budgets set',
        });
      const body = {
        limitUsd: Number(o.limit),
        period: days ? { days: Number(days[1]) } : 'monthly',
        thresholds: o.thresholds
          .split(',')
          .filter(Boolean)
          .map((t) => Number(t)),
        action: o.action,
        ...(o.function ? { function: o.function } : {}),
        ...(o.topic ? { topic: o.topic } : {}),
      };
      const r = await clientFor(o).call<{ budget: Budget }>(
        'PUT',
        `/v1/budgets/${encodeURIComponent(name)}`,
        body,
      );
      if (o.json) return printJson(r);
      const b = r.budget;
      process.stdout.write(
        `budget ${b.name}: $${formatUsd(b.spentUsd)} of $${b.limitUsd} spent this period (${b.percent.toFixed(1)} %)${b.blocking ? `, ${red('blocking')}` : ''}\n`,
      );
    },
  );
  withGlobals(budgets.command('get <name>').description('one budget with its spend')).action(
    async (name: string, o: GlobalOpts) => {
      const r = await clientFor(o).call('GET', `/v1/budgets/${encodeURIComponent(name)}`);
      printJson(r);
    },
  );
  withGlobals(budgets.command('delete <name>').description('remove a budget (its cap stops at once)')).action(
    async (name: string, o: GlobalOpts) => {
      await clientFor(o).call('DELETE', `/v1/budgets/${encodeURIComponent(name)}`);
      if (o.json) return printJson({ deleted: name });
      process.stdout.write(`deleted budget ${name}\n`);
    },
  );
}
