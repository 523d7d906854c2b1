/**
 * `nimbus tenants create|list|get|delete`, `nimbus keys create|list|get|rotate|revoke|delete|policies`,
 * `nimbus roles put|list|get|delete` — identity and access (docs/SECURITY.md).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { dim, printJson, table } from '../output.ts';

interface KeyView {
  keyId: string;
  tenant: string;
  kind: string;
  description: string;
  policies: unknown[];
  status: string;
  createdAt: string;
  expiresAt: string | null;
  previousSecretValidUntil: string | null;
}

const policyLabel = (ps: unknown[]) => ps.map((p) => (typeof p === 'string' ? p : '(inline)')).join(', ');

/** `--policy Developer --policy ./extra.json` → managed names and inline documents. */
async function policiesOf(list: string[] | undefined, command: string): Promise<unknown[] | undefined> {
  if (!list) return undefined;
  const out: unknown[] = [];
  for (const p of list) {
    if (!/\.json$/.test(p) && !p.trim().startsWith('{')) {
      out.push(p);
      continue;
    }
    const text = p.trim().startsWith('{') ? p : await readFile(p, 'utf8');
    try {
      out.push(JSON.parse(text));
    } catch (e) {
      throw CliErrors.BAD_ARGUMENT({ reason: `policy ${p} is not JSON: ${(e as Error).message}`, command });
    }
  }
  return out;
}
const collect = (v: string, prev: string[] = []) => [...prev, v];

function printKey(k: KeyView, secret?: string): void {
  process.stdout.write(
    `${k.keyId}  ${k.status}  ${policyLabel(k.policies)}${k.expiresAt ? `  expires ${k.expiresAt}` : ''}\n`,
  );
  if (secret) {
    process.stdout.write(`secret: ${secret}\n`);
    process.stdout.write(
      dim('(shown once: store it now; use it as NIMBUS_SECRET, or with the key id for SigV4)\n'),
    );
  }
}

export function register(program: Command): void {
  const tenants = program.command('tenants').description('tenants (accounts): operators only');
  withGlobals(
    tenants
      .command('create <id>')
      .description('create a tenant (lower-case id; its routes answer at <id>.<tenant domain> and /~<id>/)')
      .option('--account-id <digits>', '12-digit account id (default: generated)')
      .option('--description <text>'),
  ).action(async (id: string, o: GlobalOpts & { accountId?: string; description?: string }) => {
    const r = await clientFor(o).call<{ tenant: { id: string; accountId: string } }>('POST', '/v1/tenants', {
      id,
      ...(o.accountId ? { accountId: o.accountId } : {}),
      ...(o.description ? { description: o.description } : {}),
    });
    if (o.json) return printJson(r);
    process.stdout.write(`tenant ${r.tenant.id} (account ${r.tenant.accountId})\n`);
    process.stdout.write(
      dim(`give it a first key: nimbus keys create --tenant ${id} --policy AdministratorAccess\n`),
    );
  });
  withGlobals(tenants.command('list').description('every tenant')).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{ tenants: { id: string; accountId: string; createdAt: string }[] }>(
      'GET',
      '/v1/tenants',
    );
    if (o.json) return printJson(r);
    const rows = [['TENANT', 'ACCOUNT', 'CREATED']];
    for (const t of r.tenants) rows.push([t.id, t.accountId, t.createdAt]);
    process.stdout.write(`${table(rows)}\n`);
  });
  withGlobals(tenants.command('get <id>').description('a tenant and what it owns')).action(
    async (id: string, o: GlobalOpts) =>
      printJson(await clientFor(o).call('GET', `/v1/tenants/${encodeURIComponent(id)}`)),
  );
  withGlobals(
    tenants
      .command('delete <id>')
      .description('delete a tenant (refused while it owns resources, unless --force)')
      .option('--force', 'remove everything the tenant owns first'),
  ).action(async (id: string, o: GlobalOpts & { force?: boolean }) => {
    const r = await clientFor(o).call<{ removed: Record<string, number> }>(
      'DELETE',
      `/v1/tenants/${encodeURIComponent(id)}${o.force ? '?force=true' : ''}`,
    );
    if (o.json) return printJson(r);
    const removed = Object.entries(r.removed).map(([k, n]) => `${n} ${k}`);
    process.stdout.write(`deleted tenant ${id}${removed.length ? ` (removed ${removed.join(', ')})` : ''}\n`);
  });

  const keys = program.command('keys').description('access keys (Bearer and SigV4) with IAM policies');
  withGlobals(
    keys
      .command('create')
      .description('create a key; its secret is printed once')
      .option(
        '--policy <name|file.json|json>',
        'managed policy or policy document (repeatable; default Developer)',
        collect,
      )
      .option('--description <text>')
      .option('--service', 'a service key (for CI and machines) rather than a user key')
      .option('--expires-in <duration>', 'e.g. 90d, 12h')
      .option('--tenant <id>', 'another tenant (operators only)'),
  ).action(
    async (
      o: GlobalOpts & {
        policy?: string[];
        description?: string;
        service?: boolean;
        expiresIn?: string;
        tenant?: string;
      },
    ) => {
      const r = await clientFor(o).call<{ key: KeyView; secret: string }>('POST', '/v1/keys', {
        ...(o.policy ? { policies: await policiesOf(o.policy, 'keys create') } : {}),
        ...(o.description ? { description: o.description } : {}),
        ...(o.service ? { kind: 'service' } : {}),
        ...(o.expiresIn ? { expiresIn: o.expiresIn } : {}),
        ...(o.tenant ? { tenant: o.tenant } : {}),
      });
      if (o.json) return printJson(r);
      printKey(r.key, r.secret);
    },
  );
  withGlobals(keys.command('list').description("the tenant's keys").option('--tenant <id>')).action(
    async (o: GlobalOpts & { tenant?: string }) => {
      const r = await clientFor(o).call<{ keys: KeyView[] }>(
        'GET',
        `/v1/keys${o.tenant ? `?tenant=${encodeURIComponent(o.tenant)}` : ''}`,
      );
      if (o.json) return printJson(r);
      const rows = [['KEY', 'KIND', 'STATUS', 'POLICIES', 'EXPIRES', 'DESCRIPTION']];
      for (const k of r.keys)
        rows.push([k.keyId, k.kind, k.status, policyLabel(k.policies), k.expiresAt ?? '-', k.description]);
      process.stdout.write(`${table(rows)}\n`);
    },
  );
  withGlobals(keys.command('get <keyId>')).action(async (id: string, o: GlobalOpts) =>
    printJson(await clientFor(o).call('GET', `/v1/keys/${encodeURIComponent(id)}`)),
  );
  withGlobals(
    keys
      .command('rotate <keyId>')
      .description('a new secret; the old one keeps working for the grace period')
      .option('--grace <seconds>', 'how long the old secret stays valid', '86400'),
  ).action(async (id: string, o: GlobalOpts & { grace: string }) => {
    const r = await clientFor(o).call<{ key: KeyView; secret: string }>(
      'POST',
      `/v1/keys/${encodeURIComponent(id)}/rotate`,
      { graceSeconds: Number(o.grace) },
    );
    if (o.json) return printJson(r);
    printKey(r.key, r.secret);
    if (r.key.previousSecretValidUntil)
      process.stdout.write(dim(`the previous secret works until ${r.key.previousSecretValidUntil}\n`));
  });
  withGlobals(keys.command('revoke <keyId>').description('stop a key now (within a second)')).action(
    async (id: string, o: GlobalOpts) => {
      const r = await clientFor(o).call<{ key: KeyView }>(
        'POST',
        `/v1/keys/${encodeURIComponent(id)}/revoke`,
      );
      if (o.json) return printJson(r);
      process.stdout.write(`revoked ${id}\n`);
    },
  );
  withGlobals(keys.command('delete <keyId>')).action(async (id: string, o: GlobalOpts) => {
    await clientFor(o).call('DELETE', `/v1/keys/${encodeURIComponent(id)}`);
    if (o.json) printJson({ deleted: id });
    else process.stdout.write(`deleted ${id}\n`);
  });
  withGlobals(
    keys
      .command('policies <keyId>')
      .description("replace a key's policies")
      .requiredOption('--policy <name|file.json|json>', 'managed policy or document (repeatable)', collect),
  ).action(async (id: string, o: GlobalOpts & { policy: string[] }) => {
    const r = await clientFor(o).call<{ key: KeyView }>(
      'PUT',
      `/v1/keys/${encodeURIComponent(id)}/policies`,
      {
        policies: await policiesOf(o.policy, 'keys policies'),
      },
    );
    if (o.json) return printJson(r);
    printKey(r.key);
  });

  const roles = program
    .command('roles')
    .description("functions' execution roles (what their credentials may do)");
  withGlobals(
    roles
      .command('put <name>')
      .description('create or replace a role (running instances of its functions lose their old credentials)')
      .requiredOption('--policy <name|file.json|json>', 'managed policy or document (repeatable)', collect)
      .option('--description <text>'),
  ).action(async (name: string, o: GlobalOpts & { policy: string[]; description?: string }) => {
    const r = await clientFor(o).call<{ role: { arn: string; generation: number } }>(
      'PUT',
      `/v1/roles/${encodeURIComponent(name)}`,
      {
        policies: await policiesOf(o.policy, 'roles put'),
        ...(o.description ? { description: o.description } : {}),
      },
    );
    if (o.json) return printJson(r);
    process.stdout.write(`${r.role.arn} (generation ${r.role.generation})\n`);
  });
  withGlobals(roles.command('list')).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{ roles: { name: string; policies: unknown[]; updatedAt: string }[] }>(
      'GET',
      '/v1/roles',
    );
    if (o.json) return printJson(r);
    const rows = [['ROLE', 'POLICIES', 'UPDATED']];
    for (const x of r.roles) rows.push([x.name, policyLabel(x.policies), x.updatedAt]);
    process.stdout.write(`${table(rows)}\n`);
  });
  withGlobals(roles.command('get <name>')).action(async (name: string, o: GlobalOpts) =>
    printJson(await clientFor(o).call('GET', `/v1/roles/${encodeURIComponent(name)}`)),
  );
  withGlobals(roles.command('delete <name>')).action(async (name: string, o: GlobalOpts) => {
    await clientFor(o).call('DELETE', `/v1/roles/${encodeURIComponent(name)}`);
    if (o.json) printJson({ deleted: name });
    else process.stdout.write(`deleted role ${name}\n`);
  });
}
