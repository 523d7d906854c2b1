/**
 * Hostile battery, function logs: redaction patterns built to backtrack, filters carrying SQL
 * metacharacters, huge filter values, a JSON line nested 10,000 deep, a level field that is not
 * a level. Each is refused with a coded 400 or handled in bounded time, and the platform keeps
 * answering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from '../helpers.ts';

interface Line {
  message: string;
  level: string | null;
}

describe('hostile: function logs', () => {
  let p: TestPlatform;
  const invoke = async (body: unknown) => {
    const r = await p.json<{ ok: boolean; requestId: string }>('POST', '/v1/functions/hlogs/invoke', body);
    assert.equal(r.status, 200);
    return r.body;
  };
  const linesOf = (requestId: string) =>
    waitUntil('the record', async () => {
      const r = await p.json<{ lines: Line[] }>(
        'GET',
        `/v1/functions/hlogs/logs?requestId=${requestId}&limit=10000`,
      );
      return r.body.lines.some((l) => l.message.startsWith('REPORT')) ? r.body.lines : undefined;
    });
  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => {
        if (e.deep) console.log('{"level":"error","a":' + '{"a":'.repeat(10000) + '1' + '}'.repeat(10001));
        if (e.text) console.log(e.text);
        if (e.badLevel) console.log(JSON.stringify({ level: { toString: 1 }, msg: 'object level' }));
        if (e.longLevel) console.log(JSON.stringify({ level: 'E'.repeat(10000), msg: 'long level' }));
      };`,
    });
    assert.equal(
      (await p.deployDir('hlogs', dir, { runtime: 'nodejs22.x', handler: 'index.handler' })).status,
      201,
    );
    // Lines of 200 KB and 60 KB within a second: past the default flood cap (256 KiB/s).
    assert.equal(
      (await p.json('PUT', '/v1/settings/logs', { bytesPerSecond: 64 * 1024 * 1024 })).status,
      200,
    );
  });
  after(() => p?.stop());

  it('refuses backtracking redaction patterns, and bounds the ones it accepts', async () => {
    for (const bad of [
      '(a+)+$',
      '(a*)*b',
      '(a|aa)+c',
      '(.*a){2,}',
      '\\w+\\w+\\w+x',
      '(?=a)',
      '\\1',
      'x'.repeat(500),
    ]) {
      const r = await p.json<{ error: { code: string } }>('PUT', '/v1/settings/logs', { redact: [bad] });
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.error.code, 'NIMBUS_ERR_LOGS_BAD_PATTERN', bad);
    }
    const many = await p.json<{ error: { code: string } }>('PUT', '/v1/settings/logs', {
      redact: Array.from({ length: 50 }, (_, i) => `p${i}`),
    });
    assert.equal(many.status, 400);
    // Accepted (two repeats), cubic at worst: on a 200 KB line it costs a bounded time.
    assert.equal((await p.json('PUT', '/v1/settings/logs', { redact: ['[a-z]*[a-z]*=\\d'] })).status, 200);
    const t0 = performance.now();
    const { requestId } = await invoke({ text: 'a'.repeat(200_000) });
    const lines = await linesOf(requestId);
    assert.ok(performance.now() - t0 < 15_000);
    const line = lines.find((l) => l.message.startsWith('aaa') || l.message.startsWith('***'));
    assert.ok(line, JSON.stringify(lines.map((l) => l.message.slice(0, 40))));
    const health = performance.now();
    assert.equal((await fetch(`${p.apiUrl}/healthz`)).status, 200);
    assert.ok(performance.now() - health < 1000);
    await p.json('PUT', '/v1/settings/logs', { redact: [] });
  });

  it('takes SQL metacharacters in filters literally', async () => {
    const { requestId } = await invoke({ text: "50% off_sale it's \\ here" });
    await linesOf(requestId);
    for (const q of ['%', '_', "'", '\\', "' OR 1=1 --", "'; DROP TABLE log_lines; --", '%_%']) {
      const r = await p.json<{ lines: Line[] }>('GET', `/v1/functions/hlogs/logs?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200, q);
      for (const l of r.body.lines)
        assert.ok(l.message.toLowerCase().includes(q.toLowerCase()), `${q}: ${l.message}`);
    }
    const pct = await p.json<{ lines: Line[] }>(
      'GET',
      `/v1/functions/hlogs/logs?q=${encodeURIComponent('%')}`,
    );
    assert.deepEqual(
      pct.body.lines.map((l) => l.message),
      ["50% off_sale it's \\ here"],
    );
    const f = await p.json<{ lines: Line[] }>(
      'GET',
      `/v1/functions/hlogs/logs?filter=${encodeURIComponent("msg='; DROP TABLE log_lines; --")}`,
    );
    assert.equal(f.status, 200);
    // The table is still there.
    const again = await p.json<{ lines: Line[] }>('GET', '/v1/functions/hlogs/logs?limit=5');
    assert.equal(again.status, 200);
    assert.ok(again.body.lines.length > 0);
  });

  it('refuses huge filter values and too many filters with coded 400s', async () => {
    for (const qs of [
      `q=${'x'.repeat(5000)}`,
      `filter=${encodeURIComponent(`a=${'x'.repeat(5000)}`)}`,
      Array.from({ length: 40 }, (_, i) => `filter=k${i}%3D1`).join('&'),
      `filter=${encodeURIComponent(`${Array.from({ length: 40 }, () => 'a').join('.')}=1`)}`,
      'level=%00',
      'since=1e400',
    ]) {
      const r = await p.json<{ error: { code: string } }>('GET', `/v1/functions/hlogs/logs?${qs}`);
      assert.equal(r.status, 400, qs.slice(0, 60));
      assert.match(r.body.error.code, /^NIMBUS_ERR_(LOGS|CORE)_/);
    }
  });

  it('stores a JSON line nested 10,000 deep with its level, and field filters on it stay bounded', async () => {
    const { requestId } = await invoke({ deep: true, badLevel: true, longLevel: true });
    const lines = await linesOf(requestId);
    const deep = lines.find((l) => l.message.startsWith('{"level":"error"'));
    // Over 16 KiB a JSON line is not parsed for its level (bounded work per line): the stream's.
    assert.equal(deep?.level, 'INFO');
    assert.equal(
      lines.find((l) => l.message.includes('object level'))?.level,
      'INFO',
      JSON.stringify(lines.map((l) => [l.level, l.message.slice(0, 60)])),
    );
    assert.equal(lines.find((l) => l.message.includes('long level'))?.level, 'INFO');
    const deepPath = Array.from({ length: 16 }, () => 'a').join('.');
    for (const filter of ['a.a.a=1', `${deepPath}=1`, 'level=error', 'level!=error']) {
      const r = await p.json<{ lines: Line[] }>(
        'GET',
        `/v1/functions/hlogs/logs?requestId=${requestId}&filter=${encodeURIComponent(filter)}`,
      );
      assert.equal(r.status, 200, filter);
    }
    // The query's field filter reads lines up to 64 KiB: its `level` field matches.
    const err = await p.json<{ lines: Line[] }>(
      'GET',
      `/v1/functions/hlogs/logs?requestId=${requestId}&filter=level%3Derror`,
    );
    assert.equal(err.body.lines.length, 1);
  });
});
