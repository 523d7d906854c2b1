/**
 * `nimbus remove [dir] [--stage s]` (like `serverless remove`): deletes the service's state
 * machines (serverless-step-functions, with their routes, schedules and rules) and every function of the
 * service at that stage — with what hangs off them (versions, aliases, routes, schedules, event
 * sources, subscriptions, bucket notifications go with DELETE /v1/functions/{name}) — and the
 * execution roles and SQS queues the manifest created. A role another function still uses, or a
 * queue another function's event source reads, is kept and said so.
 */
import type { Command } from 'commander';
import type { NimbusError } from '../../core/errors.ts';
import { SqsErrors } from '../../sqs/errors.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { removeStateMachines } from '../deploy-workflows.ts';
import { CliErrors } from '../errors.ts';
import { type ServiceOpts, serviceManifest, withService } from '../names.ts';
import { dim, printJson } from '../output.ts';

interface Outcome {
  removed: string[];
  /** Not there (never deployed at this stage, or already removed). */
  missing: string[];
  /** Still used by something outside the service: name → why. */
  kept: Record<string, string>;
}

const outcome = (): Outcome => ({ removed: [], missing: [], kept: {} });
const notFound = (e: unknown) => (e as NimbusError).status === 404;

export function register(program: Command): void {
  withGlobals(
    withService(
      program
        .command('remove [dir]')
        .description(
          "delete a service's functions at a stage (with their routes, schedules, sources, subscriptions and bucket events) and the roles and queues its manifest created",
        ),
    ),
  ).action(async (dir: string | undefined, o: GlobalOpts & ServiceOpts) => {
    const manifest = await serviceManifest(dir, o, 'remove');
    if (manifest.source === 'inferred') {
      throw CliErrors.BAD_ARGUMENT({
        reason: `no serverless.yml or nimbus.yml in ${manifest.dir}: nothing says which functions are the service's`,
        command: 'remove',
      });
    }
    const client = clientFor(o);
    const say = (line: string) => {
      if (!o.json) process.stdout.write(`${line}\n`);
    };
    say(dim(`${manifest.service} · stage ${manifest.stage} (${manifest.source})`));

    // State machines first (their definitions name the functions), with their routes,
    // schedules and event rules.
    const stateMachines = await removeStateMachines(client, manifest, (line) =>
      say(line.startsWith('removed') ? line : dim(line)),
    );

    const functions = outcome();
    for (const f of manifest.functions) {
      try {
        await client.call('DELETE', `/v1/functions/${encodeURIComponent(f.name)}`);
        functions.removed.push(f.name);
        say(`removed function ${f.name}`);
      } catch (e) {
        if (!notFound(e)) throw e;
        functions.missing.push(f.name);
        say(dim(`function ${f.name} was not deployed`));
      }
    }

    const roles = outcome();
    if (manifest.roles?.length) {
      const left = await client.call<{ functions: { name: string; role: string | null }[] }>(
        'GET',
        '/v1/functions',
      );
      for (const r of manifest.roles) {
        const users = left.functions.filter((f) => f.role === r.name).map((f) => f.name);
        if (users.length > 0) {
          roles.kept[r.name] = `used by ${users.join(', ')}`;
          say(dim(`kept role ${r.name} (used by ${users.join(', ')})`));
          continue;
        }
        try {
          await client.call('DELETE', `/v1/roles/${encodeURIComponent(r.name)}`);
          roles.removed.push(r.name);
          say(`removed role ${r.name}`);
        } catch (e) {
          if (!notFound(e)) throw e;
          roles.missing.push(r.name);
        }
      }
    }

    const queues = outcome();
    if (manifest.queues?.length) {
      // The service's own sources went with its functions: an sqs source left reads for another.
      const left = await client.call<{
        sources: { function: string; kind: string; config: Record<string, unknown> }[];
      }>('GET', '/v1/sources');
      for (const q of manifest.queues) {
        const readers = left.sources
          .filter((s) => s.kind === 'sqs' && s.config.queue === q.name)
          .map((s) => s.function);
        if (readers.length > 0) {
          queues.kept[q.name] = `event source of ${readers.join(', ')}`;
          say(dim(`kept queue ${q.name} (event source of ${readers.join(', ')})`));
          continue;
        }
        let url: string | undefined;
        try {
          url = (await client.aws<{ QueueUrl: string }>('AmazonSQS.GetQueueUrl', { QueueName: q.name }))
            .QueueUrl;
        } catch (e) {
          if ((e as NimbusError).code !== SqsErrors.codes.QUEUE_NOT_FOUND) throw e;
        }
        if (!url) {
          queues.missing.push(q.name);
          continue;
        }
        await client.aws('AmazonSQS.DeleteQueue', { QueueUrl: url });
        queues.removed.push(q.name);
        say(`removed queue ${q.name}`);
      }
    }
    if (o.json) {
      printJson({
        service: manifest.service,
        stage: manifest.stage,
        functions,
        roles,
        queues,
        ...(manifest.stateMachines?.length ? { stateMachines } : {}),
      });
    }
  });
}
