import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './index.ts';

describe('config', () => {
  it('applies defaults and freezes', () => {
    const c = loadConfig({}, {});
    assert.equal(c.port, 3000);
    assert.equal(c.apiPort, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.store, 'sqlite');
    assert.ok(Object.isFrozen(c));
  });
  it('reads NIMBUS_* env and lets flags win', () => {
    const c = loadConfig({ port: '4000' }, { NIMBUS_PORT: '5000', NIMBUS_API_PORT: '9090' });
    assert.equal(c.port, 4000);
    assert.equal(c.apiPort, 9090);
  });
  it('lists every problem at once', () => {
    assert.throws(
      () => loadConfig({ port: 'x', store: 'mysql://a' }, { NIMBUS_POOL_SIZE: '-1' }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'NIMBUS_ERR_CONFIG_INVALID');
        assert.match(e.message, /port/);
        assert.match(e.message, /store/);
        assert.match(e.message, /poolSize \(NIMBUS_POOL_SIZE\)/);
        return true;
      },
    );
  });
  it('requires admin key id and secret together', () => {
    assert.throws(() => loadConfig({}, { NIMBUS_ADMIN_KEY_ID: 'AKIDEXAMPLE000000000' }), /both/);
  });
  it('cluster mode needs a postgres store, NATS and a shared master key, and names its roles', () => {
    assert.throws(
      () => loadConfig({ cluster: 'prod' }, {}),
      (e: Error) => /store/.test(e.message) && /nats/.test(e.message) && /NIMBUS_MASTER_KEY/.test(e.message),
    );
    const key = Buffer.alloc(32, 1).toString('base64');
    const c = loadConfig(
      {
        cluster: 'prod',
        store: 'postgres://db/nimbus',
        nats: 'nats://a:4222, nats://b:4222',
        roles: 'worker,api,worker',
      },
      { NIMBUS_MASTER_KEY: key },
    );
    assert.equal(c.cluster, 'prod');
    assert.deepEqual(c.roles, ['worker', 'api']);
    assert.deepEqual(loadConfig({}, {}).roles, ['gateway', 'api', 'worker', 'scheduler']);
    assert.throws(() => loadConfig({ cluster: 'Prod!' }, {}), /cluster/);
    assert.throws(() => loadConfig({ roles: 'chef' }, {}), /roles/);
    assert.throws(() => loadConfig({ roles: 'worker' }, {}), /only a cluster node/);
    assert.throws(() => loadConfig({ nats: 'http://x' }, {}), /nats/);
  });
});
