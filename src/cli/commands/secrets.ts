/**
 * `nimbus secrets put|get|list|delete|rotate|rotate-master-key` — tenant secrets (envelope
 * encrypted at rest). Only `get` prints a value; every other message names the secret and its
 * version, never the value.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { printJson, table } from '../output.ts';

interface View {
  name: string;
  arn: string;
  description: string;
  versionId: string;
  createdAt: string;
  updatedAt: string;
}

interface ValueOpts extends GlobalOpts {
  value?: string;
  fromFile?: string;
}

const path = (name: string) => `/v1/secrets/${encodeURIComponent(name)}`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The value from --value, --from-file (exact bytes) or stdin (one trailing newline dropped). */
export async function readValue(
  o: ValueOpts,
  command: string,
  stdinIsTty = process.stdin.isTTY,
): Promise<string> {
  if (o.value !== undefined && o.fromFile !== undefined)
    throw CliErrors.BAD_ARGUMENT({ reason: 'give either --value or --from-file, not both', command });
  if (o.value !== undefined) return o.value;
  if (o.fromFile !== undefined) {
    try {
      return await readFile(o.fromFile, 'utf8');
    } catch (e) {
      throw CliErrors.BAD_ARGUMENT({
        reason: `cannot read ${o.fromFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        command,
      });
    }
  }
  if (stdinIsTty)
    throw CliErrors.BAD_ARGUMENT({
      reason: 'no value given: pass --value, --from-file <file>, or pipe the value on stdin',
      command,
    });
  return (await readStdin()).replace(/\r?\n$/, '');
}

const withValue = (cmd: Command) =>
  cmd
    .option('--value <value>', 'the value (visible in shell history and `ps`: prefer --from-file or stdin)')
    .option('--from-file <file>', 'read the value from a file, byte for byte');

export function register(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('secrets: encrypted at rest, readable by your functions and the Secrets Manager API');

  withGlobals(
    withValue(
      secrets
        .command('put <name>')
        .description('create a secret or write a new version (value from --value, --from-file or stdin)')
        .option('--description <text>', 'what the secret is for'),
    ),
  ).action(async (name: string, o: ValueOpts & { description?: string }) => {
    const value = await readValue(o, 'secrets put');
    const r = await clientFor(o).call<View>('PUT', path(name), {
      value,
      ...(o.description !== undefined ? { description: o.description } : {}),
    });
    if (o.json) printJson(r);
    else process.stdout.write(`stored secret ${r.name} (version ${r.versionId})\n`);
  });

  withGlobals(
    secrets.command('get <name>').description('print the value (--json: metadata and value)'),
  ).action(async (name: string, o: GlobalOpts) => {
    const r = await clientFor(o).call<View & { value: string }>('GET', `${path(name)}/value`);
    if (o.json) return printJson(r);
    // Byte for byte when piped; a newline after it on a terminal.
    process.stdout.write(process.stdout.isTTY ? `${r.value}\n` : r.value);
  });

  withGlobals(secrets.command('list').description('names and versions (never values)')).action(
    async (o: GlobalOpts) => {
      const r = await clientFor(o).call<{ secrets: View[] }>('GET', '/v1/secrets');
      if (o.json) return printJson(r);
      const rows = [['NAME', 'VERSION', 'UPDATED', 'DESCRIPTION']];
      for (const s of r.secrets) rows.push([s.name, s.versionId, s.updatedAt, s.description]);
      process.stdout.write(`${table(rows)}\n`);
    },
  );

  withGlobals(
    secrets.command('delete <name>').description('delete a secret now (no recovery window)'),
  ).action(async (name: string, o: GlobalOpts) => {
    await clientFor(o).call('DELETE', path(name));
    if (o.json) printJson({ deleted: name });
    else process.stdout.write(`deleted secret ${name}\n`);
  });

  withGlobals(
    withValue(
      secrets
        .command('rotate <name>')
        .description('write a new version of an existing secret (value from --value, --from-file or stdin)'),
    ),
  ).action(async (name: string, o: ValueOpts) => {
    const value = await readValue(o, 'secrets rotate');
    const r = await clientFor(o).call<View>('POST', `${path(name)}/rotate`, { value });
    if (o.json) printJson(r);
    else process.stdout.write(`rotated secret ${r.name}: new version ${r.versionId}\n`);
  });

  withGlobals(
    secrets
      .command('rotate-master-key')
      .description('new key-encryption key; re-wraps every secret of every tenant (platform admins)'),
  ).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{
      kekId: string;
      rewrapped: number;
      raced: number;
      failed: { tenant: string; name: string; code: string }[];
    }>('POST', '/v1/secrets/rotate-master-key');
    if (o.json) return printJson(r);
    process.stdout.write(
      `new key-encryption key ${r.kekId}: re-wrapped ${r.rewrapped} secret(s)` +
        (r.raced ? `, ${r.raced} rewritten meanwhile` : '') +
        '\n',
    );
    for (const f of r.failed) process.stderr.write(`not re-wrapped: ${f.tenant}/${f.name} (${f.code})\n`);
    if (r.failed.length > 0) process.exitCode = 1;
  });
}
