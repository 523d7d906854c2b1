/**
 * The workflow examples end to end, as a user runs them: each deployed by the real CLI from its
 * serverless.yml (functions + `stepFunctions.stateMachines` in the serverless-step-functions
 * plugin format), then driven from outside: an S3 upload (examples/image-workflow), an HTTP POST
 * and a published CloudEvent (examples/registration-workflow), `nimbus executions start`
 * (examples/order-saga). Outcomes are read back where a user would look: bucket objects,
 * executions and their history.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { cliRunner, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

interface Execution {
  arn: string;
  name: string;
  workflow: string;
  status: string;
  input: Record<string, unknown>;
  output: Record<string, unknown> | null;
  error: string | null;
  cause: string | null;
}

interface HistoryEvent {
  id: number;
  type: string;
  state: string | null;
  details: Record<string, Record<string, unknown>>;
}

describe('workflow examples (image-workflow, registration-workflow, order-saga)', {
  timeout: 600_000,
}, () => {
  let p: TestPlatform;
  let s3: S3Client;
  const cli = cliRunner(() => ({ ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret }));

  before(async () => {
    p = await startTestPlatform();
    s3 = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
  });
  after(async () => {
    s3?.destroy();
    await p?.stop();
  });

  const deploy = async (dir: string) => {
    const d = await cli('deploy', dir);
    assert.equal(d.code, 0, `${d.stdout}\n${d.stderr}`);
    return d.stdout;
  };

  /** An object's bytes, or undefined while it does not exist. */
  const object = (bucket: string, key: string): Promise<Buffer | undefined> =>
    s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      .then(async (r) => Buffer.from(await r.Body!.transformToByteArray()))
      .catch((e: Error) => {
        if (e.name === 'NoSuchKey') return undefined;
        throw e;
      });
  const jsonObject = async <T = Record<string, unknown>>(bucket: string, key: string) => {
    const b = await object(bucket, key);
    return b === undefined ? undefined : (JSON.parse(b.toString('utf8')) as T);
  };

  /** Waits for the execution to end (no fixed sleep: the platform answers once it has). */
  const ended = (arn: string) =>
    waitUntil(
      `execution ${arn} to end`,
      async () => {
        const r = await p.json<Execution>('GET', `/v1/executions/${encodeURIComponent(arn)}?wait=5`);
        return r.body.status !== 'RUNNING' && r.body;
      },
      90_000,
    );
  const history = async (arn: string): Promise<HistoryEvent[]> => {
    const r = await p.json<{ events: HistoryEvent[] }>(
      'GET',
      `/v1/executions/${encodeURIComponent(arn)}/history?limit=1000`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.events;
  };
  /** The states an execution entered, in order. */
  const entered = (events: HistoryEvent[]) =>
    events.filter((e) => e.type.endsWith('StateEntered')).map((e) => e.state);
  const executionsOf = async (workflow: string): Promise<Execution[]> => {
    const r = await p.json<{ executions: Execution[] }>('GET', `/v1/workflows/${workflow}/executions`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.executions;
  };
  /** The deployed definition's Task resources (the plugin's Fn::GetAtt resolved to function ARNs). */
  const taskResources = async (workflow: string): Promise<string[]> => {
    const r = await p.json<{ definition: unknown }>('GET', `/v1/workflows/${workflow}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const out: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === 'Resource' && typeof x === 'string') out.push(x);
          else walk(x);
        }
    };
    walk(r.body.definition);
    return out.sort();
  };
  const fnArn = (name: string) => `arn:aws:lambda:local-1:000000000000:function:${name}`;

  describe('examples/image-workflow: upload → compress → (analyse ‖ thumbnail) → summarise', () => {
    const RESULTS = 'image-workflow-results';
    before(async () => {
      const out = await deploy('examples/image-workflow');
      assert.match(out, /bucket image-workflow-uploads/);
      assert.match(out, /stateMachine:image-workflow\b/);
      assert.deepEqual(
        await taskResources('image-workflow'),
        ['analyse', 'compress', 'notifyFailure', 'summarise', 'thumbnail'].map((f) =>
          fnArn(`image-workflow-dev-${f}`),
        ),
      );
    });

    /** Uploads an object and answers the execution its upload started. */
    const upload = async (key: string, body: Buffer) => {
      await s3.send(
        new PutObjectCommand({
          Bucket: 'image-workflow-uploads',
          Key: key,
          Body: body,
          ContentType: 'image/png',
        }),
      );
      const started = await waitUntil(
        `an execution for ${key}`,
        async () => (await executionsOf('image-workflow')).find((e) => e.input.key === key),
        60_000,
      );
      return ended(started.arn);
    };

    it('an upload runs the whole workflow: compressed copy, analysis, thumbnail and summary', async () => {
      // A "PNG": the signature, then a repetitive body (compressible, with known statistics).
      const image = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.alloc(4000, 'nimbus-image-workflow '),
      ]);
      const done = await upload('photos/cat 1.png', image);
      assert.equal(done.status, 'SUCCEEDED', `${done.error}: ${done.cause}`);
      assert.equal(done.input.bucket, 'image-workflow-uploads');
      assert.equal(done.input.size, image.length);

      const summary = await jsonObject<{
        source: { key: string };
        compressed: { originalBytes: number; compressedBytes: number; location: { key: string } };
        analysis: { bytes: number; sha256: string; distinctBytes: number };
        thumbnail: { bytes: number; location: { key: string } };
      }>(RESULTS, 'summaries/photos/cat 1.png.json');
      assert.ok(summary, 'the summary is written');
      assert.equal(summary.source.key, 'photos/cat 1.png');
      assert.equal(summary.analysis.bytes, image.length);
      assert.equal(summary.analysis.sha256, createHash('sha256').update(image).digest('hex'));
      assert.equal(summary.analysis.distinctBytes, new Set(image).size);
      assert.equal(summary.compressed.originalBytes, image.length);
      assert.ok(summary.compressed.compressedBytes < image.length / 10, 'the repetitive body compresses');
      assert.equal(summary.thumbnail.bytes, 64);
      assert.deepEqual(done.output?.summary, { bucket: RESULTS, key: 'summaries/photos/cat 1.png.json' });

      const gz = await object(RESULTS, summary.compressed.location.key);
      assert.ok(gz, 'the compressed copy is written');
      assert.deepEqual(gunzipSync(gz), image);
      assert.deepEqual(await object(RESULTS, summary.thumbnail.location.key), image.subarray(0, 64));
      assert.equal(await object(RESULTS, 'failures/photos/cat 1.png.json'), undefined);

      const events = await history(done.arn);
      const states = entered(events);
      assert.deepEqual(states.slice(0, 2), ['Compress', 'Process']);
      assert.deepEqual(states.slice(2, 4).sort(), ['Analyse', 'Thumbnail'], 'both branches ran');
      assert.deepEqual(states.slice(4), ['Summarise']);
      assert.equal(events.filter((e) => e.type === 'LambdaFunctionSucceeded').length, 4);
      assert.equal(events.at(-1)?.type, 'ExecutionSucceeded');
    });

    it('a corrupt upload takes the Catch: the failure notifier runs and the execution ends FAILED', async () => {
      const done = await upload('photos/corrupt-dog.png', Buffer.from('not really an image'));
      assert.equal(done.status, 'FAILED');
      assert.equal(done.error, 'Image.Corrupt', 'the Fail state keeps the original error');
      assert.match(done.cause ?? '', /photos\/corrupt-dog\.png is not a readable image/);

      const failure = await jsonObject<{
        source: { key: string };
        error: string;
        cause: { errorMessage: string };
      }>(RESULTS, 'failures/photos/corrupt-dog.png.json');
      assert.ok(failure, 'the notifier wrote failures/<key>.json');
      assert.equal(failure.source.key, 'photos/corrupt-dog.png');
      assert.equal(failure.error, 'Image.Corrupt');
      assert.match(failure.cause.errorMessage, /not a readable image/);
      assert.equal(await object(RESULTS, 'summaries/photos/corrupt-dog.png.json'), undefined);

      const events = await history(done.arn);
      assert.deepEqual(entered(events), ['Compress', 'NotifyFailure', 'Failed']);
      assert.equal(events.filter((e) => e.type === 'LambdaFunctionFailed').length, 1);
      assert.equal(events.at(-1)?.type, 'ExecutionFailed');
    });
  });

  describe('examples/registration-workflow: register → wait for user.verified → welcome | reminder', () => {
    const DATA = 'registration-workflow-data';
    before(async () => {
      const out = await deploy('examples/registration-workflow');
      assert.match(out, /stateMachine:registration-workflow\b/);
      assert.match(out, /POST \/register/);
    });

    /** POST /register through the gateway: the state machine's httpApi event starts an execution. */
    const register = async (body: unknown) => {
      const r = await fetch(`${p.gatewayUrl}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      assert.equal(r.status, 200, text);
      const answer = JSON.parse(text) as { executionArn: string; startDate: unknown };
      assert.match(
        answer.executionArn,
        /^arn:aws:states:local-1:000000000000:execution:registration-workflow:/,
      );
      return answer.executionArn;
    };
    /** Publishes one CloudEvent to the `users` topic (structured mode), as a verification service would. */
    const publish = async (type: string, userId: string) => {
      const r = await p.api(
        'POST',
        '/v1/topics/users/events',
        JSON.stringify({
          specversion: '1.0',
          id: `${type}-${userId}`,
          source: 'test/verifier',
          type,
          data: { userId },
        }),
        { 'content-type': 'application/cloudevents+json' },
      );
      assert.equal(r.status, 202, await r.text());
    };
    /** The wait is subscribed (an event published before it would not count). */
    const waiting = (arn: string) =>
      waitUntil(`${arn} to wait for its event`, async () =>
        (await history(arn)).some((e) => e.type === 'TaskStarted'),
      );

    it('a user who verifies within the wait gets the welcome e-mail; one who does not, the reminder', async () => {
      // Bob's wait is 2 s (the input may shorten the default 30 s); Ada waits the default.
      const bob = await register({ userId: 'bob', email: 'bob@example.com', verifyWithinSeconds: 2 });
      const ada = await register({ userId: 'ada', email: 'ada@example.com' });
      await waiting(ada);
      const scheduled = (await history(ada)).find((e) => e.type === 'TaskScheduled');
      assert.equal(scheduled?.details.taskScheduledEventDetails?.timeoutInSeconds, 30, 'the default wait');
      assert.equal((await jsonObject(DATA, 'users/ada.json'))?.status, 'pending-verification');

      await publish('user.created', 'ada'); // not the awaited type
      await publish('user.verified', 'ada');
      const welcomed = await ended(ada);
      assert.equal(welcomed.status, 'SUCCEEDED', `${welcomed.error}: ${welcomed.cause}`);
      assert.deepEqual(welcomed.output, { bucket: DATA, key: 'mail/ada.json', kind: 'welcome' });
      const welcome = await jsonObject(DATA, 'mail/ada.json');
      assert.equal(welcome?.kind, 'welcome');
      assert.equal(welcome?.to, 'ada@example.com');
      assert.equal(welcome?.verificationEvent, 'user.verified-ada');
      assert.deepEqual(entered(await history(ada)), ['Register', 'WaitForVerification', 'SendWelcome']);

      const reminded = await ended(bob);
      assert.equal(reminded.status, 'SUCCEEDED', `${reminded.error}: ${reminded.cause}`);
      const reminder = await jsonObject(DATA, 'mail/bob.json');
      assert.equal(reminder?.kind, 'reminder');
      assert.equal(reminder?.waitedSeconds, 2);
      const bobEvents = await history(bob);
      assert.ok(
        bobEvents.some((e) => e.type === 'TaskTimedOut'),
        'the wait timed out (States.Timeout)',
      );
      assert.deepEqual(entered(bobEvents), ['Register', 'WaitForVerification', 'SendReminder']);
    });

    it('an invalid registration fails the execution with the function’s error', async () => {
      const arn = await register({ userId: 'carol', email: 'not-an-address' });
      const done = await ended(arn);
      assert.equal(done.status, 'FAILED');
      assert.equal(done.error, 'Registration.Invalid');
      assert.equal(await object(DATA, 'users/carol.json'), undefined);
    });
  });

  describe('examples/order-saga: reserve → charge → ship, compensated in reverse order', () => {
    const LEDGER = 'order-saga-ledger';
    before(async () => {
      assert.match(await deploy('examples/order-saga'), /stateMachine:order-saga\b/);
    });

    /** `nimbus executions start order-saga --input … --wait --json`, as the README runs it. */
    const order = async (input: Record<string, unknown>) => {
      const r = await cli(
        'executions',
        'start',
        'order-saga',
        '--input',
        JSON.stringify(input),
        '--wait',
        '--json',
      );
      assert.ok(r.stdout, r.stderr);
      const v = JSON.parse(r.stdout) as Execution;
      assert.equal(r.code, v.status === 'SUCCEEDED' ? 0 : 1, r.stderr);
      return v;
    };
    const journal = async (orderId: string) =>
      ((await jsonObject<{ step: string }[]>(LEDGER, `orders/${orderId}/journal.json`)) ?? []).map(
        (e) => e.step,
      );
    const status = async (kind: string, orderId: string) =>
      (await jsonObject<{ status: string }>(LEDGER, `${kind}/${orderId}.json`))?.status;

    it('runs all three paths: success (after a retried transient error), charge fails, ship fails', async () => {
      const item = { items: [{ sku: 'book', qty: 2 }], amount: 42 };
      const [ok, declined, noShip] = await Promise.all([
        order({ orderId: 'o-ok', ...item, flakyPayment: true }),
        order({ orderId: 'o-declined', ...item, failAt: 'charge' }),
        order({ orderId: 'o-noship', ...item, failAt: 'ship' }),
      ]);

      // Success: the first charge failed with Payment.Transient and the Retry absorbed it.
      assert.equal(ok.status, 'SUCCEEDED', `${ok.error}: ${ok.cause}`);
      assert.deepEqual(ok.output?.shipment, { trackingNumber: 'TRK-O-OK' });
      assert.deepEqual(await journal('o-ok'), ['reserve', 'charge:transient', 'charge', 'ship']);
      assert.equal(await status('inventory', 'o-ok'), 'reserved');
      assert.equal(await status('payments', 'o-ok'), 'charged');
      assert.equal(await status('shipments', 'o-ok'), 'shipped');
      const okEvents = await history(ok.arn);
      assert.deepEqual(entered(okEvents), [
        'ReserveInventory',
        'ChargePayment',
        'ShipOrder',
        'OrderCompleted',
      ]);
      const failures = okEvents.filter((e) => e.type === 'LambdaFunctionFailed');
      assert.equal(failures.length, 1, 'one failed attempt, retried');
      assert.equal(failures[0]?.details.lambdaFunctionFailedEventDetails?.error, 'Payment.Transient');

      // The charge fails: the reservation is released, nothing was charged or shipped.
      assert.equal(declined.status, 'FAILED');
      assert.equal(declined.error, 'Payment.Declined');
      assert.deepEqual(await journal('o-declined'), ['reserve', 'charge:declined', 'release']);
      assert.equal(await status('inventory', 'o-declined'), 'released');
      assert.equal(await status('payments', 'o-declined'), undefined);
      assert.equal(await status('shipments', 'o-declined'), undefined);
      assert.deepEqual(entered(await history(declined.arn)), [
        'ReserveInventory',
        'ChargePayment',
        'ReleaseInventory',
        'OrderFailed',
      ]);

      // Shipping fails: refund, then release — the reverse order of the steps done.
      assert.equal(noShip.status, 'FAILED');
      assert.equal(noShip.error, 'Shipping.Unavailable');
      assert.match(noShip.cause ?? '', /no carrier accepts the parcel/);
      assert.deepEqual(await journal('o-noship'), ['reserve', 'charge', 'ship:failed', 'refund', 'release']);
      assert.equal(await status('payments', 'o-noship'), 'refunded');
      assert.equal(await status('inventory', 'o-noship'), 'released');
      assert.equal(await status('shipments', 'o-noship'), undefined);
      assert.deepEqual(entered(await history(noShip.arn)), [
        'ReserveInventory',
        'ChargePayment',
        'ShipOrder',
        'RefundPayment',
        'ReleaseInventory',
        'OrderFailed',
      ]);

      // `nimbus executions history` shows the same path.
      const h = await cli('executions', 'history', noShip.arn);
      assert.equal(h.code, 0, h.stderr);
      assert.match(h.stdout, /RefundPayment[\s\S]*ReleaseInventory[\s\S]*ExecutionFailed/);
    });
  });
});
