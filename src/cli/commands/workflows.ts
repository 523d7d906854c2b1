/**
 * `nimbus workflows deploy|list|describe|delete` — state machines (Amazon States Language, JSON
 * or YAML) — and `nimbus executions start|describe|list|stop|history|redrive` — their runs.
 * Every command takes `--json`. Executions are named by their ARN (as `start` and `list` print).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ApiClient } from '../client.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { bold, dim, green, printJson, red, table } from '../output.ts';

interface MachineView {
  name: string;
  arn: string;
  type: string;
  status: string;
  definition: unknown;
  roleArn: string;
  description: string;
  revisionId: string;
  createdAt: string;
  updatedAt: string;
}

interface ExecutionView {
  arn: string;
  name: string;
  workflow: string;
  workflowArn: string;
  status: string;
  input: unknown;
  output: unknown;
  error: string | null;
  cause: string | null;
  startedAt: string;
  stoppedAt: string | null;
  redriveCount: number;
  redrivenAt: string | null;
  redriveStatus: string;
}

interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  state: string | null;
  details: Record<string, unknown>;
}

interface Page<T> {
  nextToken: string | null;
  executions?: T[];
  events?: T[];
}

/** How long one `GET /v1/executions/:arn?wait=` may hold (the server caps it at 60 s). */
const WAIT_SLICE_S = 20;

const machinePath = (name: string) => `/v1/workflows/${encodeURIComponent(name)}`;
const executionPath = (arn: string) => `/v1/executions/${encodeURIComponent(arn)}`;

async function readArgFile(path: string, what: string, command: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw CliErrors.BAD_ARGUMENT({ reason: `cannot read ${what} ${path}: ${(e as Error).message}`, command });
  }
}

function parseJsonArg(text: string, what: string, command: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw CliErrors.BAD_ARGUMENT({ reason: `${what} is not valid JSON: ${(e as Error).message}`, command });
  }
}

const paintStatus = (s: string) =>
  s === 'SUCCEEDED' ? green(s) : s === 'RUNNING' || s === 'PENDING_REDRIVE' ? s : red(s);
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function printExecution(v: ExecutionView): void {
  const lines: [string, string][] = [
    ['execution', v.arn],
    ['workflow', v.workflow],
    ['status', paintStatus(v.status)],
    ['started', v.startedAt],
  ];
  if (v.stoppedAt) lines.push(['stopped', v.stoppedAt]);
  lines.push(['input', show(v.input)]);
  if (v.output !== null) lines.push(['output', show(v.output)]);
  if (v.error !== null) lines.push(['error', v.error]);
  if (v.cause !== null) lines.push(['cause', v.cause]);
  if (v.redriveCount > 0) lines.push(['redriven', `${v.redriveCount}× (last ${v.redrivenAt ?? '-'})`]);
  lines.push(['redrive', v.redriveStatus]);
  for (const [k, val] of lines) process.stdout.write(`${`${k}:`.padEnd(11)}${val}\n`);
}

/** Long-polls the execution until it is no longer RUNNING. */
async function waitForEnd(client: ApiClient, arn: string): Promise<ExecutionView> {
  for (;;) {
    const v = await client.call<ExecutionView>('GET', `${executionPath(arn)}?wait=${WAIT_SLICE_S}`);
    if (v.status !== 'RUNNING') return v;
  }
}

export function register(program: Command): void {
  registerWorkflows(program);
  registerExecutions(program);
}

function registerWorkflows(program: Command): void {
  const workflows = program
    .command('workflows')
    .description('state machines (Amazon States Language): deploy, list, describe, delete');

  withGlobals(
    workflows
      .command('deploy <name> <definition-file>')
      .description('create or update a workflow from an ASL definition (.json, .yaml or .yml)')
      .option('--role <arn>', 'the role its tasks run with (default: the tenant workflow role)')
      .option('--type <type>', 'STANDARD (default) or EXPRESS')
      .option('--description <text>', 'a description'),
  ).action(
    async (
      name: string,
      file: string,
      o: GlobalOpts & { role?: string; type?: string; description?: string },
    ) => {
      const type = o.type?.toUpperCase();
      if (type !== undefined && type !== 'STANDARD' && type !== 'EXPRESS')
        throw CliErrors.BAD_ARGUMENT({
          reason: '--type is STANDARD or EXPRESS',
          command: 'workflows deploy',
        });
      // JSON or YAML text: the platform parses both and names the state and field of any problem.
      const definition = await readArgFile(file, 'the definition file', 'workflows deploy');
      const m = await clientFor(o).call<MachineView>('PUT', machinePath(name), {
        definition,
        ...(o.role ? { roleArn: o.role } : {}),
        ...(type ? { type } : {}),
        ...(o.description !== undefined ? { description: o.description } : {}),
      });
      if (o.json) return printJson(m);
      process.stdout.write(
        `${bold(m.name)}: deployed (${m.type}, revision ${m.revisionId})\n${dim(m.arn)}\n`,
      );
    },
  );

  withGlobals(workflows.command('list').description('every workflow')).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{ workflows: MachineView[] }>('GET', '/v1/workflows');
    if (o.json) return printJson(r);
    const rows = [['NAME', 'TYPE', 'UPDATED', 'ARN']];
    for (const m of r.workflows) rows.push([m.name, m.type, m.updatedAt, m.arn]);
    process.stdout.write(`${table(rows)}\n`);
  });

  withGlobals(workflows.command('describe <name>').description('a workflow with its definition')).action(
    async (name: string, o: GlobalOpts) => {
      const m = await clientFor(o).call<MachineView>('GET', machinePath(name));
      if (o.json) return printJson(m);
      const lines: [string, string][] = [
        ['name', m.name],
        ['arn', m.arn],
        ['type', m.type],
        ['status', m.status],
        ['role', m.roleArn],
        ['revision', m.revisionId],
        ['created', m.createdAt],
        ['updated', m.updatedAt],
      ];
      if (m.description) lines.push(['description', m.description]);
      for (const [k, v] of lines) process.stdout.write(`${`${k}:`.padEnd(13)}${v}\n`);
      process.stdout.write(`definition:\n${JSON.stringify(m.definition, null, 2)}\n`);
    },
  );

  withGlobals(
    workflows.command('delete <name>').description('delete a workflow (its executions stay describable)'),
  ).action(async (name: string, o: GlobalOpts) => {
    await clientFor(o).call('DELETE', machinePath(name));
    if (o.json) printJson({ deleted: name });
    else process.stdout.write(`deleted workflow ${name}\n`);
  });
}

function registerExecutions(program: Command): void {
  const executions = program
    .command('executions')
    .description('runs of workflows: start, describe, list, stop, history, redrive');

  withGlobals(
    executions
      .command('start <workflow>')
      .description('start an execution (prints its ARN; --wait also waits for its end)')
      .option('--input <json>', 'the input JSON (default {})')
      .option('--input-file <file>', 'read the input JSON from a file')
      .option('--name <name>', 'the execution name (default: a UUID); the same name and input start once')
      .option('--wait', 'wait until it ends and print its output (exit 1 unless it succeeded)'),
  ).action(
    async (
      workflow: string,
      o: GlobalOpts & { input?: string; inputFile?: string; name?: string; wait?: boolean },
    ) => {
      const command = 'executions start';
      if (o.input !== undefined && o.inputFile !== undefined)
        throw CliErrors.BAD_ARGUMENT({
          reason: 'give the input with --input or --input-file, not both',
          command,
        });
      const text =
        o.inputFile !== undefined ? await readArgFile(o.inputFile, 'the input file', command) : o.input;
      const input = text === undefined ? undefined : parseJsonArg(text, 'the input', command);
      const client = clientFor(o);
      let v = await client.call<ExecutionView>('POST', `${machinePath(workflow)}/executions`, {
        ...(o.name ? { name: o.name } : {}),
        ...(input !== undefined ? { input } : {}),
      });
      if (o.wait) {
        v = await waitForEnd(client, v.arn);
        if (v.status !== 'SUCCEEDED') process.exitCode = 1;
      }
      if (o.json) return printJson(v);
      if (!o.wait) {
        process.stdout.write(`started ${v.arn}\n`);
        return;
      }
      printExecution(v);
    },
  );

  withGlobals(
    executions
      .command('describe <execution-arn>')
      .description('status, input, output, error of an execution'),
  ).action(async (arn: string, o: GlobalOpts) => {
    const v = await clientFor(o).call<ExecutionView>('GET', executionPath(arn));
    if (o.json) return printJson(v);
    printExecution(v);
  });

  withGlobals(
    executions
      .command('list <workflow>')
      .description('executions of a workflow, newest first')
      .option('--status <status>', 'RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE')
      .option('--limit <n>', 'at most n', '100')
      .option('--next-token <token>', 'the next page (as a previous list printed)'),
  ).action(
    async (workflow: string, o: GlobalOpts & { status?: string; limit?: string; nextToken?: string }) => {
      const qs = new URLSearchParams({ limit: o.limit ?? '100' });
      if (o.status) qs.set('status', o.status.toUpperCase());
      if (o.nextToken) qs.set('nextToken', o.nextToken);
      const r = await clientFor(o).call<Page<ExecutionView>>(
        'GET',
        `${machinePath(workflow)}/executions?${qs}`,
      );
      if (o.json) return printJson(r);
      const rows = [['NAME', 'STATUS', 'STARTED', 'STOPPED', 'ARN']];
      for (const v of r.executions ?? [])
        rows.push([v.name, v.status, v.startedAt, v.stoppedAt ?? '-', v.arn]);
      process.stdout.write(`${table(rows)}\n`);
      if (r.nextToken) process.stdout.write(dim(`more: --next-token ${r.nextToken}\n`));
    },
  );

  withGlobals(
    executions
      .command('stop <execution-arn>')
      .description('stop a running execution (it ends ABORTED)')
      .option('--error <code>', 'the error it ends with (default States.Aborted)')
      .option('--cause <text>', 'a longer explanation'),
  ).action(async (arn: string, o: GlobalOpts & { error?: string; cause?: string }) => {
    const v = await clientFor(o).call<ExecutionView>('POST', `${executionPath(arn)}/stop`, {
      ...(o.error !== undefined ? { error: o.error } : {}),
      ...(o.cause !== undefined ? { cause: o.cause } : {}),
    });
    if (o.json) return printJson(v);
    process.stdout.write(`stopped ${v.arn}: ${paintStatus(v.status)}\n`);
  });

  withGlobals(
    executions
      .command('history <execution-arn>')
      .description('the events of an execution: id, time, type, state')
      .option('--reverse', 'newest first'),
  ).action(async (arn: string, o: GlobalOpts & { reverse?: boolean }) => {
    const client = clientFor(o);
    const events: HistoryEvent[] = [];
    let token: string | null = null;
    do {
      const qs = new URLSearchParams({ limit: '1000' });
      if (o.reverse) qs.set('reverse', '1');
      if (token) qs.set('nextToken', token);
      const r: Page<HistoryEvent> = await client.call<Page<HistoryEvent>>(
        'GET',
        `${executionPath(arn)}/history?${qs}`,
      );
      events.push(...(r.events ?? []));
      token = r.nextToken;
    } while (token);
    if (o.json) return printJson({ events });
    const rows = [['ID', 'TIME', 'TYPE', 'STATE']];
    for (const e of events) rows.push([String(e.id), e.timestamp, e.type, e.state ?? '']);
    process.stdout.write(`${table(rows)}\n`);
  });

  withGlobals(
    executions
      .command('redrive <execution-arn>')
      .description('run a FAILED, TIMED_OUT or ABORTED execution again from the state that failed'),
  ).action(async (arn: string, o: GlobalOpts) => {
    const v = await clientFor(o).call<ExecutionView>('POST', `${executionPath(arn)}/redrive`);
    if (o.json) return printJson(v);
    process.stdout.write(`redriven ${v.arn} (redrive ${v.redriveCount}): ${paintStatus(v.status)}\n`);
  });
}
