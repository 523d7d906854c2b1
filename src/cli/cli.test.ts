import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseWeights } from './commands/aliases.ts';
import { parseSince } from './commands/logs.ts';
import { resolveCredentials } from './credentials.ts';

describe('cli helpers', () => {
  it('resolves credentials from env, then profile, then the data dir', async () => {
    const home = await mkdtemp(join(tmpdir(), 'nimbus-home-'));
    const data = await mkdtemp(join(tmpdir(), 'nimbus-data-'));
    assert.throws(() => resolveCredentials({ dataDir: data }, {}, home), /no Nimbus credentials/);
    await writeFile(
      join(data, 'admin-credentials.json'),
      JSON.stringify({ keyId: 'K', secret: 'S', endpoint: 'http://127.0.0.1:1234' }),
    );
    assert.deepEqual(resolveCredentials({ dataDir: data }, {}, home), {
      endpoint: 'http://127.0.0.1:1234',
      keyId: 'K',
      secret: 'S',
      source: join(data, 'admin-credentials.json'),
    });
    await mkdir(join(home, '.nimbus'));
    await writeFile(
      join(home, '.nimbus', 'credentials'),
      JSON.stringify({
        profiles: { default: { endpoint: 'http://p:1', keyId: 'PK', secret: 'PS' }, other: { secret: 'OS' } },
      }),
    );
    assert.equal(resolveCredentials({ dataDir: data }, {}, home).secret, 'PS');
    assert.equal(resolveCredentials({ dataDir: data, profile: 'other' }, {}, home).secret, 'OS');
    assert.throws(() => resolveCredentials({ profile: 'missing' }, {}, home), /profile missing/);
    const env = resolveCredentials(
      {},
      { NIMBUS_KEY_ID: 'EK', NIMBUS_SECRET: 'ES', NIMBUS_ENDPOINT: 'http://e:2' },
      home,
    );
    assert.deepEqual([env.endpoint, env.keyId, env.secret], ['http://e:2', 'EK', 'ES']);
  });

  it('parses --since and --weight', () => {
    assert.equal(parseSince('10m', 1_000_000), 400_000);
    assert.equal(parseSince('2h', 10_000_000), 10_000_000 - 7_200_000);
    assert.equal(parseSince('1700000000000'), 1_700_000_000_000);
    assert.equal(parseSince('2026-01-01T00:00:00Z'), Date.UTC(2026, 0, 1));
    assert.throws(() => parseSince('yesterday'), /--since/);
    assert.deepEqual(parseWeights(['2=0.1']), { '2': 0.1 });
    assert.throws(() => parseWeights(['two=0.1']), /VERSION=WEIGHT/);
    assert.throws(() => parseWeights(['2=1.5']), /VERSION=WEIGHT/);
  });
});
