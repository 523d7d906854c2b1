/**
 * @module cli
 * `nimbus` — noun-verb commands, one file each; short aliases for the daily ones (deploy, invoke,
 * logs, info, remove), which take the Serverless CLI's flags (`-f`, `-d`, `-p`, `-l`, `-t`,
 * `--stage`). User errors print "what happened / how to fix" and exit 1, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { isNimbusError, NimbusError, toNimbusError } from '../core/errors.ts';
import * as alerts from './commands/alerts.ts';
import * as aliases from './commands/aliases.ts';
import * as audit from './commands/audit.ts';
import * as billing from './commands/billing.ts';
import * as deploy from './commands/deploy.ts';
import * as dev from './commands/dev.ts';
import * as doctor from './commands/doctor.ts';
import * as events from './commands/events.ts';
import * as functions from './commands/functions.ts';
import * as identity from './commands/identity.ts';
import * as info from './commands/info.ts';
import * as invoke from './commands/invoke.ts';
import * as logs from './commands/logs.ts';
import * as queues from './commands/queues.ts';
import * as remove from './commands/remove.ts';
import * as schedules from './commands/schedules.ts';
import * as secrets from './commands/secrets.ts';
import * as start from './commands/start.ts';
import * as timers from './commands/timers.ts';
import * as top from './commands/top.ts';
import * as versions from './commands/versions.ts';
import * as workflows from './commands/workflows.ts';
import { printError } from './output.ts';

export function buildProgram(): Command {
  const program = new Command('nimbus')
    .description('Nimbus: a self-hosted serverless platform')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  start.register(program);
  dev.register(program);
  const fns = program
    .command('functions')
    .description('manage functions (deploy, list, status, get, delete)');
  deploy.register(program, fns);
  invoke.register(program);
  logs.register(program);
  info.register(program);
  remove.register(program);
  functions.register(fns);
  versions.register(program.command('versions').description('publish and list immutable versions'));
  aliases.register(
    program.command('aliases').description('point aliases at versions, with weighted routing'),
  );
  queues.register(program);
  workflows.register(program);
  timers.register(program);
  schedules.register(program);
  secrets.register(program);
  events.register(program);
  identity.register(program);
  audit.register(program);
  doctor.register(program);
  top.register(program);
  billing.register(program);
  alerts.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0
        ? 0
        : 1;
    }
    const err = isNimbusError(e) ? e : toNimbusError(e);
    printError(err instanceof NimbusError ? err : toNimbusError(e), json);
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exitCode = code;
}
