/**
 * examples/registration end to end: deployed by the CLI, driven through the gateway, with a fake
 * clock standing in for the 30-second wait.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FakeClock } from '../src/core/clock.ts';
import { startTestPlatform, type TestPlatform } from './helpers.ts';
import { type Sink, type SinkRequest, startSink } from './support/sink.ts';

const run = promisify(execFile);

describe('examples/registration (fake clock)', () => {
  const clock = new FakeClock();
  const mails: { to: string; subject: string }[] = [];
  let relay: Sink;
  const onRelay = (r: SinkRequest) => {
    mails.push(JSON.parse(r.body));
  };
  let p: TestPlatform;
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${p.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, string> };
  };
  const advance = (ms: number) => {
    clock.advance(ms);
    p.async.kick();
  };
  const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
  const mailsTo = (to: string) => mails.filter((m) => m.to === to);

  before(async () => {
    relay = await startSink(onRelay);
    p = await startTestPlatform({}, { clock });
    const out = await run(process.execPath, ['bin/nimbus.mjs', 'deploy', 'examples/registration'], {
      env: {
        ...process.env,
        NIMBUS_ENDPOINT: p.apiUrl,
        NIMBUS_SECRET: p.secret,
        MAIL_WEBHOOK_URL: `${relay.url}/mail`,
      },
    });
    assert.match(out.stdout, /route POST \/register/);
  });
  after(async () => {
    await p?.stop();
    relay?.close();
  });

  it('sends the confirmation 30 s after registering unless the user verified', async () => {
    const ada = await post('/register', { email: 'ada@example.com' });
    assert.equal(ada.status, 202);
    assert.ok(ada.body.verificationToken);
    const bob = await post('/register', { email: 'bob@example.com' });
    // Registering twice schedules one e-mail.
    const again = await post('/register', { email: 'ada@example.com' });
    assert.equal(again.body.verificationToken, ada.body.verificationToken);

    const timers = await p.json<{ timers: { id: string }[] }>(
      'GET',
      '/v1/timers?function=registration-dev-send-confirmation',
    );
    assert.equal(timers.body.timers.length, 2);

    // Bob verifies within the 30 s: his e-mail is cancelled.
    const v = await post('/verify', { token: bob.body.verificationToken });
    assert.deepEqual(v.body, { verified: true, confirmationEmail: 'cancelled' });

    advance(29_000);
    await settle();
    assert.equal(mails.length, 0, 'nothing before 30 s');
    advance(1_000);
    const end = Date.now() + 15_000;
    while (mailsTo('ada@example.com').length === 0 && Date.now() < end) await settle(25);
    assert.equal(mailsTo('ada@example.com').length, 1);
    assert.equal(mailsTo('ada@example.com')[0]?.subject, 'Please confirm your e-mail address');
    await settle();
    assert.equal(mailsTo('bob@example.com').length, 0, 'verified user gets no e-mail');
    assert.equal(mails.length, 1);

    // Verifying after the e-mail went out still verifies.
    const late = await post('/verify', { token: ada.body.verificationToken });
    assert.deepEqual(late.body, { verified: true, confirmationEmail: 'already sent' });
    assert.equal((await post('/verify', { token: 'nope' })).status, 404);
    assert.equal((await post('/register', { email: 'not-an-email' })).status, 400);
  });
});
