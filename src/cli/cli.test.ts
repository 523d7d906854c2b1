import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseWeights } from './commands/aliases.ts';
import { endpointOf, gatewayUrl } from './commands/info.ts';
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

  it('finds the nearest .nimbus/ of the current folder or a parent (a service folder inside the project)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'nimbus-home-'));
    const project = await mkdtemp(join(tmpdir(), 'nimbus-project-'));
    const service = join(project, 'services', 'orders');
    await mkdir(join(project, '.nimbus'), { recursive: true });
    await mkdir(service, { recursive: true });
    await writeFile(join(project, '.nimbus', 'admin-credentials.json'), JSON.stringify({ secret: 'UP' }));
    const c = resolveCredentials({}, {}, home, service);
    assert.equal(c.secret, 'UP');
    assert.equal(c.source, join(project, '.nimbus', 'admin-credentials.json'));
    // An explicit data dir is relative to the current folder and is not searched upwards.
    assert.throws(
      () => resolveCredentials({ dataDir: 'elsewhere' }, {}, home, service),
      /no Nimbus credentials/,
    );
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

  it('derives the gateway URL and endpoints for info', () => {
    assert.equal(gatewayUrl({}, 'http://10.0.0.5:8080', {}), 'http://10.0.0.5:3000');
    assert.equal(
      gatewayUrl({}, 'http://h:8080', { NIMBUS_GATEWAY_URL: 'https://gw.example/' }),
      'https://gw.example',
    );
    assert.equal(
      gatewayUrl({ gateway: 'http://g:1' }, 'http://h:8080', { NIMBUS_GATEWAY_URL: 'x' }),
      'http://g:1',
    );
    assert.deepEqual(endpointOf('GET /user/{id}', 'http://g'), { method: 'GET', url: 'http://g/user/{id}' });
    assert.deepEqual(endpointOf('GET /a', 'http://g', 'dev'), { method: 'GET', url: 'http://g/dev/a' });
    assert.deepEqual(endpointOf('$default', 'http://g/~acme'), {
      method: 'ANY',
      url: 'http://g/~acme/{proxy+} ($default)',
    });
  });
});
