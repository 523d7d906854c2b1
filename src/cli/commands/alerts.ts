/** `nimbus alerts list|set|get|delete`: alert rules on metrics, with their state (ok, pending, firing). */
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { green, printJson, red, table } from '../output.ts';

interface Alert {
  name: string;
  metric: string;
  function?: string;
  budget?: string;
  op: string;
  threshold: number;
  windowSec: number;
  forSec: number;
  notify: ({ topic: string } | { function: string } | { webhook: string })[];
  state: 'ok' | 'pending' | 'firing';
  since: number;
  value: number | null;
}

const stateText = (s: Alert['state']) =>
  s === 'firing' ? red('FIRING') : s === 'pending' ? 'pending' : green('ok');

export function register(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('alert rules on metrics: error rate, p99, throttles, dead letters, queue age, budgets');
  withGlobals(alerts.command('list').description('rules with their state and last value')).action(
    async (o: GlobalOpts) => {
      const r = await clientFor(o).call<{ alerts: Alert[] }>('GET', '/v1/alerts');
      if (o.json) return printJson(r);
      if (r.alerts.length === 0) {
        process.stdout.write('no alert rules\n');
        return;
      }
      process.stdout.write(
        table([
          ['name', 'condition', 'scope', 'window', 'value', 'state', 'since'],
          ...r.alerts.map((a) => [
            a.name,
            `${a.metric} ${a.op} ${a.threshold}`,
            a.function ?? a.budget ?? '(tenant)',
            `${a.windowSec}s${a.forSec ? ` for ${a.forSec}s` : ''}`,
            a.value === null ? '-' : String(Math.round(a.value * 1000) / 1000),
            stateText(a.state),
            a.since ? new Date(a.since).toISOString() : '-',
          ]),
        ]),
      );
    },
  );
  withGlobals(
    alerts
      .command('set <name>')
      .description(
        'create or replace a rule, e.g. --metric error_rate --op ">" --threshold 5 --window 300 --for 60 --topic ops',
      )
      .requiredOption(
        '--metric <m>',
        'invocations | errors | error_rate | throttles | cold_starts | duration_p99 | duration_avg | dead_letters | queue_age_sec | budget_percent',
      )
      .requiredOption('--threshold <n>', 'the value compared with')
      .option('--op <op>', '> >= < <= ==', '>')
      .option('--window <sec>', 'window of windowed metrics, a multiple of 60', '300')
      .option('--for <sec>', 'how long it must hold before firing', '0')
      .option('-f, --function <name>', 'the function watched (default: all, summed)')
      .option('--budget <name>', 'for budget_percent: the budget')
      .option('--topic <name...>', 'topics that receive nimbus.alert.firing / .resolved events')
      .option('--notify-function <name...>', 'functions invoked (async) on firing and resolved')
      .option('--webhook <url...>', 'URLs POSTed the CloudEvent (retried; under the egress policy)')
      .option('--description <text>', 'what to do when it fires'),
  ).action(
    async (
      name: string,
      o: GlobalOpts & {
        metric: string;
        threshold: string;
        op: string;
        window: string;
        for: string;
        function?: string;
        budget?: string;
        topic?: string[];
        notifyFunction?: string[];
        webhook?: string[];
        description?: string;
      },
    ) => {
      const threshold = Number(o.threshold);
      if (!Number.isFinite(threshold))
        throw CliErrors.BAD_ARGUMENT({
          reason: `--threshold ${o.threshold} is not a number`,
          command: 'alerts set',
        });
      const body = {
        metric: o.metric,
        op: o.op,
        threshold,
        windowSec: Number(o.window),
        forSec: Number(o.for),
        ...(o.function ? { function: o.function } : {}),
        ...(o.budget ? { budget: o.budget } : {}),
        notify: [
          ...(o.topic ?? []).map((topic) => ({ topic })),
          ...(o.notifyFunction ?? []).map((f) => ({ function: f })),
          ...(o.webhook ?? []).map((webhook) => ({ webhook })),
        ],
        ...(o.description ? { description: o.description } : {}),
      };
      const r = await clientFor(o).call<{ alert: Alert }>(
        'PUT',
        `/v1/alerts/${encodeURIComponent(name)}`,
        body,
      );
      if (o.json) return printJson(r);
      process.stdout.write(
        `alert ${r.alert.name}: ${r.alert.metric} ${r.alert.op} ${r.alert.threshold} (${stateText(r.alert.state)})\n`,
      );
    },
  );
  withGlobals(alerts.command('get <name>').description('one rule with its state')).action(
    async (name: string, o: GlobalOpts) => {
      printJson(await clientFor(o).call('GET', `/v1/alerts/${encodeURIComponent(name)}`));
    },
  );
  withGlobals(alerts.command('delete <name>').description('remove a rule')).action(
    async (name: string, o: GlobalOpts) => {
      await clientFor(o).call('DELETE', `/v1/alerts/${encodeURIComponent(name)}`);
      if (o.json) return printJson({ deleted: name });
      process.stdout.write(`deleted alert ${name}\n`);
    },
  );
}
