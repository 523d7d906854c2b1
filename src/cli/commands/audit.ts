/** `nimbus audit list|verify` — who did what, from where, and whether the log is intact. */
import type { Command } from 'commander';
import { AuditErrors } from '../../audit/errors.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { green, printJson, table } from '../output.ts';

interface RecordView {
  seq: number;
  time: string;
  tenant: string;
  principal: string;
  action: string;
  resource: string;
  sourceIp: string;
  result: string;
  status: number;
  detail: string;
}

interface Verification {
  ok: boolean;
  checked: number;
  seq?: number;
  reason?: string;
  head: { seq: number; hash: string };
  anchor: { seq: number; hash: string };
}

interface ListOpts extends GlobalOpts {
  principal?: string;
  action?: string;
  result?: string;
  since?: string;
  until?: string;
  tenant?: string;
  limit?: string;
}

export function register(program: Command): void {
  const audit = program
    .command('audit')
    .description('the audit log: every change, failed authentication and denial (hash-chained)');
  withGlobals(
    audit
      .command('list')
      .description('audit records, oldest first')
      .option('--principal <who>', 'key/<key id>, role/<role>/<function>, or - (unauthenticated)')
      .option('--action <action>', 'e.g. lambda:CreateFunction, nimbus:PutSchedule')
      .option('--result <result>', 'ok | denied | unauthenticated | error')
      .option('--since <when>', '30m, 1h, 7d, an ISO time or epoch ms (default 24h)')
      .option('--until <when>', '30m, 1h, 7d, an ISO time or epoch ms')
      .option('--tenant <id>', 'operators only: another tenant, or * for every tenant')
      .option('--limit <n>', 'at most n records (default 100)'),
  ).action(async (o: ListOpts) => {
    const limit = Number(o.limit ?? '100');
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw CliErrors.BAD_ARGUMENT({
        reason: `--limit ${o.limit}: a positive integer`,
        command: 'audit list',
      });
    const base = new URLSearchParams();
    for (const k of ['principal', 'action', 'result', 'until', 'tenant'] as const) {
      const v = o[k];
      if (v !== undefined) base.set(k, v);
    }
    base.set('since', o.since ?? '24h');
    const records: RecordView[] = [];
    let next: number | undefined;
    do {
      const qs = new URLSearchParams(base);
      qs.set('limit', String(Math.min(1000, limit - records.length)));
      if (next !== undefined) qs.set('after', String(next));
      const page = await clientFor(o).call<{ records: RecordView[]; next?: number }>(
        'GET',
        `/v1/audit?${qs}`,
      );
      records.push(...page.records);
      next = page.next;
    } while (next !== undefined && records.length < limit);
    if (o.json) return printJson({ records, ...(next !== undefined ? { next } : {}) });
    const rows = [['SEQ', 'TIME', 'PRINCIPAL', 'ACTION', 'RESULT', 'STATUS', 'SOURCE', 'RESOURCE', 'DETAIL']];
    if (o.tenant) rows[0]!.splice(2, 0, 'TENANT');
    for (const r of records) {
      const row = [
        String(r.seq),
        r.time,
        r.principal,
        r.action,
        r.result,
        String(r.status),
        r.sourceIp,
        r.resource || '-',
        r.detail || '-',
      ];
      if (o.tenant) row.splice(2, 0, r.tenant);
      rows.push(row);
    }
    process.stdout.write(`${table(rows)}\n`);
    if (next !== undefined) process.stdout.write(`(more: --limit ${limit * 2} shows more)\n`);
  });
  withGlobals(
    audit
      .command('verify')
      .description(
        'check the hash chain end to end: exits 1 naming the first record that was changed or deleted',
      ),
  ).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<Verification>('POST', '/v1/audit/verify');
    if (o.json) {
      printJson(r);
      if (!r.ok) process.exitCode = 1;
      return;
    }
    if (!r.ok) throw AuditErrors.CHAIN_BROKEN({ seq: r.seq, reason: r.reason });
    const range = r.checked === 0 ? 'no records' : `seq ${r.head.seq - r.checked + 1}..${r.head.seq}`;
    process.stdout.write(
      `${green('✓')} audit log intact: ${r.checked} records verified (${range}); head ${r.head.hash}\n`,
    );
  });
}
