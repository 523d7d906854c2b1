/** The workflow repo's part of the Store contract (contract.ts runs it against every adapter). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Store } from '../core/ports.ts';

const T = 'default';

export function workflowRepoCases(store: () => Store): void {
  it('stores workflows: machines, executions with a compare-and-set transition, history pages', async () => {
    const s = store();
    const m = {
      tenant: T,
      name: 'orders',
      type: 'STANDARD' as const,
      definition: '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}',
      roleArn: 'arn:aws:iam::000000000000:role/wf',
      description: '',
      tags: { team: 'a' },
      revisionId: 'r1',
      createdAt: 1,
      updatedAt: 1,
    };
    assert.equal(await s.workflows.createMachine(m), true);
    assert.equal(await s.workflows.createMachine(m), false, 'an existing machine is kept');
    assert.deepEqual(await s.workflows.getMachine(T, 'orders'), m);
    const u = { ...m, revisionId: 'r2', updatedAt: 2, tags: {} };
    assert.equal(await s.workflows.updateMachine(u), true);
    assert.deepEqual(await s.workflows.getMachine(T, 'orders'), u);
    assert.deepEqual(
      (await s.workflows.listMachines(T)).map((x) => x.name),
      ['orders'],
    );
    assert.deepEqual(await s.workflows.listMachines('other-t'), []);

    const exec = (name: string, startedAt: number) => ({
      tenant: T,
      arn: `arn:aws:states:r:1:execution:orders:${name}`,
      machine: 'orders',
      name,
      status: 'RUNNING' as const,
      input: '{}',
      output: null,
      error: null,
      cause: null,
      startedAt,
      stoppedAt: null,
      definition: m.definition,
      roleArn: m.roleArn,
      seq: 0,
      state: '{}',
      redriveCount: 0,
      redriveAt: null,
    });
    const ev = (id: number, type: string) => ({ id, previousEventId: id - 1, ts: id, type, details: '{}' });
    const e1 = exec('one', 10);
    assert.equal(await s.workflows.createExecution(e1, [ev(1, 'ExecutionStarted')]), true);
    assert.equal(await s.workflows.createExecution(e1, [ev(1, 'ExecutionStarted')]), false);
    assert.deepEqual(await s.workflows.getExecution(T, e1.arn), e1);
    assert.equal(await s.workflows.getExecution('other-t', e1.arn), undefined);

    const done = { ...e1, seq: 1, status: 'SUCCEEDED' as const, output: '{"ok":1}', stoppedAt: 20 };
    const more = Array.from({ length: 300 }, (_, i) => ev(i + 2, 'PassStateEntered'));
    assert.equal(await s.workflows.commitTransition(done, 0, more), true);
    assert.equal(
      await s.workflows.commitTransition({ ...done, seq: 2 }, 0, [ev(400, 'X')]),
      false,
      'stale seq',
    );
    assert.deepEqual(await s.workflows.getExecution(T, e1.arn), done);
    const page = await s.workflows.history(T, e1.arn, { limit: 5 });
    assert.deepEqual(
      page.map((x) => x.id),
      [1, 2, 3, 4, 5],
    );
    const next = await s.workflows.history(T, e1.arn, { after: 299, limit: 5 });
    assert.deepEqual(
      next.map((x) => x.id),
      [300, 301],
    );
    const rev = await s.workflows.history(T, e1.arn, { reverse: true, limit: 2 });
    assert.deepEqual(
      rev.map((x) => x.id),
      [301, 300],
    );
    const revNext = await s.workflows.history(T, e1.arn, { reverse: true, before: 300, limit: 1 });
    assert.deepEqual(
      revNext.map((x) => x.id),
      [299],
    );

    await s.workflows.createExecution(exec('two', 30), []);
    await s.workflows.createExecution(exec('three', 30), []);
    const newest = await s.workflows.listExecutions({ tenant: T, limit: 2 });
    assert.deepEqual(
      newest.map((x) => x.name),
      ['two', 'three'],
    );
    const last = newest[1]!;
    const rest = await s.workflows.listExecutions({
      tenant: T,
      limit: 5,
      before: { startedAt: last.startedAt, arn: last.arn },
    });
    assert.deepEqual(
      rest.map((x) => x.name),
      ['one'],
    );
    assert.deepEqual(
      (await s.workflows.listExecutions({ tenant: T, status: 'SUCCEEDED', limit: 5 })).map((x) => x.name),
      ['one'],
    );
    assert.equal(await s.workflows.deleteMachine(T, 'orders'), true);
    assert.equal(await s.workflows.deleteMachine(T, 'orders'), false);
    assert.ok(await s.workflows.getExecution(T, e1.arn), 'executions outlive their machine');
  });
}
