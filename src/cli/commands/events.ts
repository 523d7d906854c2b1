/**
 * `nimbus topics list|create|delete`, `nimbus publish TOPIC`, `nimbus subscriptions list|delete`,
 * `nimbus webhooks create|list|delete`, `nimbus sources list|delete` — the event-driven side.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { printJson, table } from '../output.ts';

const enc = encodeURIComponent;

export function register(program: Command): void {
  const topics = program.command('topics').description('event bus topics');
  withGlobals(topics.command('list').description('topics')).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{ topics: { name: string; description: string }[] }>(
      'GET',
      '/v1/topics',
    );
    if (o.json) return printJson(r);
    process.stdout.write(
      `${table([['TOPIC', 'DESCRIPTION'], ...r.topics.map((t) => [t.name, t.description])])}\n`,
    );
  });
  withGlobals(
    topics.command('create <name>').description('create a topic').option('--description <text>'),
  ).action(async (name: string, o: GlobalOpts & { description?: string }) => {
    const r = await clientFor(o).call('PUT', `/v1/topics/${enc(name)}`, { description: o.description });
    if (o.json) printJson(r);
    else process.stdout.write(`topic ${name}\n`);
  });
  withGlobals(topics.command('delete <name>').description('delete a topic and its subscriptions')).action(
    async (name: string, o: GlobalOpts) => {
      await clientFor(o).call('DELETE', `/v1/topics/${enc(name)}`);
      if (!o.json) process.stdout.write(`deleted ${name}\n`);
    },
  );

  withGlobals(
    program
      .command('publish <topic>')
      .description('publish a CloudEvent to a topic')
      .requiredOption('--type <type>', 'event type, e.g. order.placed')
      .option('-d, --data <json>', 'event data JSON', '{}')
      .option('--source <uri>', 'event source', '/cli')
      .option('--subject <s>')
      .option('--id <id>', 'event id (default: a UUID)'),
  ).action(
    async (
      topic: string,
      o: GlobalOpts & { type: string; data: string; source: string; subject?: string; id?: string },
    ) => {
      let data: unknown;
      try {
        data = JSON.parse(o.data);
      } catch (e) {
        throw CliErrors.BAD_ARGUMENT({
          reason: `--data is not JSON: ${(e as Error).message}`,
          command: 'publish',
        });
      }
      const event = {
        specversion: '1.0',
        id: o.id ?? randomUUID(),
        source: o.source,
        type: o.type,
        time: new Date().toISOString(),
        ...(o.subject ? { subject: o.subject } : {}),
        datacontenttype: 'application/json',
        data,
      };
      const r = await clientFor(o).call<{ events: { id: string; deliveries: number }[] }>(
        'POST',
        `/v1/topics/${enc(topic)}/events`,
        JSON.stringify(event),
        { 'content-type': 'application/cloudevents+json' },
      );
      if (o.json) printJson(r);
      else for (const e of r.events) process.stdout.write(`${e.id} → ${e.deliveries} subscription(s)\n`);
    },
  );

  const subs = program.command('subscriptions').description('topic subscriptions (content filters)');
  withGlobals(subs.command('list').description('subscriptions').option('--topic <name>')).action(
    async (o: GlobalOpts & { topic?: string }) => {
      const r = await clientFor(o).call<{
        subscriptions: {
          id: string;
          topic: string;
          target: Record<string, string>;
          pattern: unknown;
          origin: string;
        }[];
      }>('GET', `/v1/subscriptions${o.topic ? `?topic=${enc(o.topic)}` : ''}`);
      if (o.json) return printJson(r);
      const rows = [['ID', 'TOPIC', 'TARGET', 'PATTERN', 'ORIGIN']];
      for (const s of r.subscriptions)
        rows.push([
          s.id,
          s.topic,
          Object.entries(s.target)
            .map(([k, v]) => `${k}:${v}`)
            .join(' '),
          JSON.stringify(s.pattern ?? '*').slice(0, 50),
          s.origin,
        ]);
      process.stdout.write(`${table(rows)}\n`);
    },
  );
  withGlobals(subs.command('delete <id>').description('delete a subscription')).action(
    async (id: string, o: GlobalOpts) => {
      await clientFor(o).call('DELETE', `/v1/subscriptions/${enc(id)}`);
      if (!o.json) process.stdout.write(`deleted ${id}\n`);
    },
  );

  const hooks = program.command('webhooks').description('inbound webhooks (/hooks/{id} → topic)');
  withGlobals(
    hooks
      .command('create <topic>')
      .description('create an inbound webhook that publishes to TOPIC')
      .option('--id <id>', 'the id in the URL')
      .option('--verify <scheme>', 'github | stripe | standard | shared-secret | none', 'standard')
      .option('--secret <secret>', 'signing secret (default: generated and shown once)')
      .option('--header <name>', 'shared-secret: header carrying the secret'),
  ).action(
    async (
      topic: string,
      o: GlobalOpts & { id?: string; verify: string; secret?: string; header?: string },
    ) => {
      const r = await clientFor(o).call<{ id: string; url: string; secret?: string }>(
        'POST',
        '/v1/webhooks',
        {
          topic,
          verification: o.verify,
          ...(o.id ? { id: o.id } : {}),
          ...(o.secret ? { secret: o.secret } : {}),
          ...(o.header ? { header: o.header } : {}),
        },
      );
      if (o.json) return printJson(r);
      process.stdout.write(`${r.url}\n${r.secret ? `secret (shown once): ${r.secret}\n` : ''}`);
    },
  );
  withGlobals(hooks.command('list').description('webhooks')).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{
      webhooks: { id: string; url: string; topic: string; verification: string }[];
    }>('GET', '/v1/webhooks');
    if (o.json) return printJson(r);
    process.stdout.write(
      `${table([['ID', 'URL', 'TOPIC', 'VERIFY'], ...r.webhooks.map((w) => [w.id, w.url, w.topic, w.verification])])}\n`,
    );
  });
  withGlobals(hooks.command('delete <id>').description('delete a webhook')).action(
    async (id: string, o: GlobalOpts) => {
      await clientFor(o).call('DELETE', `/v1/webhooks/${enc(id)}`);
      if (!o.json) process.stdout.write(`deleted ${id}\n`);
    },
  );

  const sources = program
    .command('sources')
    .description('broker event sources (RabbitMQ, NATS, JetStream, MQTT, Redis Streams)');
  withGlobals(sources.command('list').description('sources with their status')).action(
    async (o: GlobalOpts) => {
      const r = await clientFor(o).call<{
        sources: {
          id: string;
          function: string;
          kind: string;
          config: Record<string, unknown>;
          status: { connected: boolean; succeeded: number; deadLettered: number } | null;
        }[];
      }>('GET', '/v1/sources');
      if (o.json) return printJson(r);
      const rows = [['ID', 'FUNCTION', 'KIND', 'CONFIG', 'CONNECTED', 'OK', 'DEAD']];
      for (const s of r.sources)
        rows.push([
          s.id,
          s.function,
          s.kind,
          JSON.stringify(s.config).slice(0, 60),
          String(s.status?.connected ?? false),
          String(s.status?.succeeded ?? 0),
          String(s.status?.deadLettered ?? 0),
        ]);
      process.stdout.write(`${table(rows)}\n`);
    },
  );
  withGlobals(sources.command('delete <id>').description('stop and delete a source')).action(
    async (id: string, o: GlobalOpts) => {
      await clientFor(o).call('DELETE', `/v1/sources/${enc(id)}`);
      if (!o.json) process.stdout.write(`deleted ${id}\n`);
    },
  );
}
