/**
 * 1,000 executions started at once all complete: each runs a Task on a real function, a Choice
 * and a Map of three items, so the executor interleaves thousands of transitions on one store.
 * Correctness only (every output right, every history whole); speed is bench/workflows.ts's job.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const T = 'default';
const N = 1000;

describe('workflows under load', { timeout: 600_000 }, () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({ 'index.mjs': 'export const handler = async (e) => ({ ...e, n: e.n + 1 });' });
    const r = await p.deployDir('inc', dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    assert.ok(r.status < 300, JSON.stringify(r.body));
    await p.workflows.putMachine(T, {
      name: 'busy',
      definition: {
        StartAt: 'Inc',
        States: {
          Inc: { Type: 'Task', Resource: 'inc', Next: 'Odd?' },
          'Odd?': {
            Type: 'Choice',
            Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 500, Next: 'High' }],
            Default: 'Low',
          },
          High: { Type: 'Pass', Result: 'high', ResultPath: '$.band', Next: 'Fan' },
          Low: { Type: 'Pass', Result: 'low', ResultPath: '$.band', Next: 'Fan' },
          Fan: {
            Type: 'Map',
            ItemsPath: '$.three',
            ItemSelector: { 'n.$': '$$.Map.Item.Value' },
            ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Task', Resource: 'inc', End: true } } },
            ResultPath: '$.three',
            End: true,
          },
        },
      },
    });
  });
  after(() => p?.stop());

  it(`${N} concurrent executions all succeed with the right output`, async () => {
    const arns: string[] = [];
    for (let i = 0; i < N; i += 100)
      arns.push(
        ...(
          await Promise.all(
            Array.from({ length: Math.min(100, N - i) }, (_, k) =>
              p.workflows.startExecution(T, {
                machine: 'busy',
                name: `run-${i + k}`,
                input: JSON.stringify({ n: i + k, three: [1, 2, 3] }),
              }),
            ),
          )
        ).map((e) => e.arn),
      );
    await waitUntil(
      `${N} executions to end`,
      async () => {
        const running = await p.workflows.listExecutions(T, { machine: 'busy', status: 'RUNNING', limit: 1 });
        return running.items.length === 0;
      },
      540_000,
    );
    const failed = await p.workflows.listExecutions(T, { machine: 'busy', status: 'FAILED', limit: 5 });
    assert.deepEqual(
      failed.items.map((e) => `${e.name}: ${e.error} ${e.cause}`),
      [],
    );
    for (const [i, arn] of arns.entries()) {
      const e = await p.workflows.describeExecution(T, arn);
      assert.equal(e.status, 'SUCCEEDED', e.name);
      const out = JSON.parse(e.output!) as { n: number; band: string; three: { n: number }[] };
      assert.equal(out.n, i + 1);
      assert.equal(out.band, i + 1 >= 500 ? 'high' : 'low');
      assert.deepEqual(
        out.three.map((x) => x.n),
        [2, 3, 4],
      );
    }
    const h = await p.workflows.history(T, arns[N - 1]!, {});
    assert.equal(h.items.at(-1)?.type, 'ExecutionSucceeded');
    assert.equal(h.items.filter((x) => x.type === 'MapIterationSucceeded').length, 3);
  });
});
