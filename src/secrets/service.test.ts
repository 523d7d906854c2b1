import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import { isNimbusError } from '../core/errors.ts';
import type { KeyProvider, SecretRepo, Store } from '../core/ports.ts';
import { decryptSecret } from '../security/secrets.ts';
import { openStore } from '../store/index.ts';
import { SecretsErrors } from './errors.ts';
import { createLocalKeyProvider, KEYRING_KEY, KEYRING_TENANT } from './key-provider.ts';
import { createSecretsService, type SecretsService } from './service.ts';

const T = 'default';
const OTHER = 'acme';

/** Asserts a coded rejection and that the message does not carry `mustNotContain`. */
async function rejectsWith(p: Promise<unknown>, code: string, mustNotContain?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isNimbusError(e), `expected a NimbusError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (mustNotContain !== undefined) {
      assert.ok(!e.message.includes(mustNotContain), 'the error message holds the secret value');
      assert.ok(!(e.hint ?? '').includes(mustNotContain));
    }
    return true;
  });
}

describe('secrets service (real SQLite store, local key provider)', () => {
  let dir: string;
  let store: Store;
  let keys: KeyProvider;
  let svc: SecretsService;
  const masterKey = randomBytes(32);
  const clock = new FakeClock();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-secrets-'));
    store = await openStore({ url: 'sqlite', dataDir: dir });
    keys = await createLocalKeyProvider({ masterKey, settings: store.settings, clock });
    svc = createSecretsService({ repo: store.secrets, keys, clock, pageSize: 7 });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a value; metadata never carries it', async () => {
    const value = `pg://app:${randomBytes(8).toString('hex')}@db/app`;
    const m = await svc.put(T, 'app/db-url', value, 'the database URL');
    assert.equal(m.created, true);
    assert.equal(m.name, 'app/db-url');
    assert.equal(m.description, 'the database URL');
    assert.match(m.versionId, /^[0-9a-f-]{36}$/);
    assert.ok(!JSON.stringify(m).includes(value));
    const got = await svc.get(T, 'app/db-url');
    assert.equal(got.value, value);
    assert.equal(got.versionId, m.versionId);
    const d = await svc.describe(T, 'app/db-url');
    assert.deepEqual(Object.keys(d).sort(), ['createdAt', 'description', 'name', 'updatedAt', 'versionId']);
    const list = await svc.list(T);
    assert.ok(list.some((s) => s.name === 'app/db-url'));
    assert.ok(!JSON.stringify(list).includes(value));
    // Unicode and the size limit are counted in bytes.
    await svc.put(T, 'u', 'é'.repeat(32_768));
    assert.equal((await svc.get(T, 'u')).value, 'é'.repeat(32_768));
    await rejectsWith(svc.put(T, 'u', `${'é'.repeat(32_768)}x`), SecretsErrors.codes.TOO_LARGE, 'éé');
    await svc.put(T, 'empty', '');
    assert.equal((await svc.get(T, 'empty')).value, '');
  });

  it('a new value is a new version; created time and description stay', async () => {
    const a = await svc.put(T, 'v', 'one', 'desc');
    clock.advance(1000);
    const b = await svc.put(T, 'v', 'two');
    assert.notEqual(a.versionId, b.versionId);
    assert.equal(b.created, false);
    assert.equal(b.createdAt, a.createdAt);
    assert.equal(b.updatedAt, a.updatedAt + 1000);
    assert.equal(b.description, 'desc');
    const c = await svc.rotate(T, 'v', 'three');
    assert.notEqual(c.versionId, b.versionId);
    assert.equal((await svc.get(T, 'v')).value, 'three');
    await rejectsWith(svc.rotate(T, 'nope', 'x'), SecretsErrors.codes.NOT_FOUND);
    await rejectsWith(
      svc.put(T, 'v', 'x', undefined, { mode: 'create' }),
      SecretsErrors.codes.ALREADY_EXISTS,
    );
    await rejectsWith(svc.put(T, 'v2', 'x', undefined, { mode: 'update' }), SecretsErrors.codes.NOT_FOUND);
  });

  it('a retried write with the same version id is a no-op; another value under it is a conflict', async () => {
    const token = 'a'.repeat(8) + '-0000-4000-8000-' + 'b'.repeat(12);
    const first = await svc.put(T, 'tok', 'v1', undefined, { mode: 'create', versionId: token });
    assert.equal(first.versionId, token);
    const again = await svc.put(T, 'tok', 'v1', undefined, { mode: 'create', versionId: token });
    assert.equal(again.created, false);
    assert.equal(again.updatedAt, first.updatedAt);
    await rejectsWith(
      svc.put(T, 'tok', 'v2-secret', undefined, { versionId: token }),
      SecretsErrors.codes.VERSION_CONFLICT,
      'v2-secret',
    );
    await rejectsWith(
      svc.put(T, 'tok', 'x', undefined, { versionId: 'short' }),
      SecretsErrors.codes.INVALID_PARAMETER,
    );
  });

  it('validates names with the Secrets Manager charset', async () => {
    for (const ok of ['a', 'A-z_0.9/+=@-', 'x'.repeat(512)]) await svc.put(T, ok, 'v');
    for (const bad of ['', 'x'.repeat(513), 'has space', 'colon:no', 'ü', 'a\nb'])
      await rejectsWith(svc.put(T, bad, 'v'), SecretsErrors.codes.INVALID_NAME);
    await rejectsWith(svc.get(T, '../x y'), SecretsErrors.codes.INVALID_NAME);
    await rejectsWith(svc.put(T, 'd', 'v', 'x'.repeat(2049)), SecretsErrors.codes.INVALID_PARAMETER);
  });

  it('another tenant neither reads, lists, describes nor deletes a secret', async () => {
    await svc.put(T, 'shared-name', 'default-value');
    await rejectsWith(svc.get(OTHER, 'shared-name'), SecretsErrors.codes.NOT_FOUND);
    await rejectsWith(svc.describe(OTHER, 'shared-name'), SecretsErrors.codes.NOT_FOUND);
    await rejectsWith(svc.delete(OTHER, 'shared-name'), SecretsErrors.codes.NOT_FOUND);
    assert.deepEqual(await svc.list(OTHER), []);
    // Same name in two tenants: two independent secrets.
    await svc.put(OTHER, 'shared-name', 'acme-value');
    assert.equal((await svc.get(T, 'shared-name')).value, 'default-value');
    assert.equal((await svc.get(OTHER, 'shared-name')).value, 'acme-value');
    // A ciphertext moved to another tenant's row does not open (the tenant is associated data).
    const mine = (await store.secrets.get(T, 'shared-name'))!;
    await store.secrets.put({ ...mine, tenant: OTHER });
    await rejectsWith(svc.get(OTHER, 'shared-name'), SecretsErrors.codes.CORRUPT, 'default-value');
    await svc.delete(OTHER, 'shared-name');
    assert.equal((await svc.get(T, 'shared-name')).value, 'default-value');
  });

  it('stores no value in clear: not in the row, not in the database files', async () => {
    const value = `plaintext-marker-${randomBytes(12).toString('hex')}`;
    await svc.put(T, 'marker', value, 'a description');
    const db = new DatabaseSync(join(dir, 'nimbus.db'), { readOnly: true });
    try {
      const row = db.prepare('SELECT * FROM secrets WHERE tenant = ? AND name = ?').get(T, 'marker');
      assert.ok(row, 'the row exists');
      const text = JSON.stringify(row);
      for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')])
        assert.ok(!text.includes(form), `the stored row holds the value (${form.slice(0, 8)}…)`);
      // The keyring row is sealed too: only a version and one ciphertext.
      const ring = db
        .prepare('SELECT value FROM settings WHERE tenant = ? AND key = ?')
        .get(KEYRING_TENANT, KEYRING_KEY) as { value: string } | undefined;
      assert.deepEqual(Object.keys(JSON.parse(ring!.value)).sort(), ['sealed', 'v']);
    } finally {
      db.close();
    }
    for (const f of ['nimbus.db', 'nimbus.db-wal', 'nimbus-records.db', 'nimbus-records.db-wal']) {
      const bytes = await readFile(join(dir, f)).catch(() => Buffer.alloc(0));
      assert.equal(bytes.indexOf(value), -1, `${f} holds the value in clear`);
    }
  });

  it('tampered ciphertext, wrapped key or version is a coded error without the value', async () => {
    await svc.put(T, 'tamper', 'tamper-value-123');
    const r = (await store.secrets.get(T, 'tamper'))!;
    const [v, iv, tag, ct] = r.ciphertext.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    await store.secrets.put({ ...r, ciphertext: [v, iv, tag, flipped.toString('base64url')].join('.') });
    await rejectsWith(svc.get(T, 'tamper'), SecretsErrors.codes.CORRUPT, 'tamper-value-123');
    await store.secrets.put({ ...r, versionId: 'another-version' });
    await rejectsWith(svc.get(T, 'tamper'), SecretsErrors.codes.CORRUPT);
    await store.secrets.put({ ...r, wrappedKey: `${r.wrappedKey.slice(0, -2)}AA` });
    await rejectsWith(svc.get(T, 'tamper'), SecretsErrors.codes.CORRUPT);
    await store.secrets.put({ ...r, ciphertext: 'garbage' });
    await rejectsWith(svc.get(T, 'tamper'), SecretsErrors.codes.CORRUPT);
    await store.secrets.put({ ...r, kekId: 'feedfacecafe' });
    await rejectsWith(svc.get(T, 'tamper'), SecretsErrors.codes.KEK_NOT_FOUND);
    await store.secrets.put(r);
    assert.equal((await svc.get(T, 'tamper')).value, 'tamper-value-123');
    await svc.delete(T, 'tamper');
    await rejectsWith(svc.get(T, 'tamper'), SecretsErrors.codes.NOT_FOUND);
  });

  it('rotating the key-encryption key re-wraps every secret (page by page); all still decrypt', async () => {
    const values = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const tenant = i % 2 ? T : OTHER;
      const name = `rot/${i}`;
      const value = `value-${i}-${randomBytes(4).toString('hex')}`;
      values.set(`${tenant}|${name}`, value);
      await svc.put(tenant, name, value);
    }
    const old = keys.activeKeyId();
    const total = (await store.secrets.list(T)).length + (await store.secrets.list(OTHER)).length;
    const r = await svc.rotateKeys();
    assert.notEqual(r.kekId, old);
    assert.equal(keys.activeKeyId(), r.kekId);
    assert.equal(r.rewrapped, total);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(await store.secrets.listNotWrappedBy(r.kekId, 1000), []);
    for (const [k, value] of values) {
      const [tenant, name] = k.split('|') as [string, string];
      assert.equal((await svc.get(tenant, name)).value, value);
      assert.equal((await store.secrets.get(tenant, name))!.kekId, r.kekId);
    }
    // A second run has nothing to do.
    assert.equal((await svc.rewrapAll()).rewrapped, 0);
    // After a restart (a new provider over the same settings row) everything still opens.
    const keys2 = await createLocalKeyProvider({ masterKey, settings: store.settings, clock });
    assert.equal(keys2.activeKeyId(), r.kekId);
    const svc2 = createSecretsService({ repo: store.secrets, keys: keys2, clock });
    for (const [k, value] of values) {
      const [tenant, name] = k.split('|') as [string, string];
      assert.equal((await svc2.get(tenant, name)).value, value);
    }
  });

  it('a put racing the re-wrap is not clobbered', async () => {
    await svc.put(T, 'race/a', 'a-old');
    await svc.put(T, 'race/b', 'b-old');
    await keys.rotate();
    let raced = false;
    // The real SQLite repo; just before the first conditional re-wrap of race/a, a writer puts
    // a new value (a new data key wrapped by the new key).
    const repo: SecretRepo = {
      ...store.secrets,
      async rewrap(tenant, name, expect, wrapped, kekId) {
        if (!raced && name === 'race/a') {
          raced = true;
          await svc.put(T, 'race/a', 'a-new');
        }
        return store.secrets.rewrap(tenant, name, expect, wrapped, kekId);
      },
    };
    const racing = createSecretsService({ repo, keys, clock, pageSize: 1 });
    const r = await racing.rewrapAll();
    assert.ok(raced);
    assert.ok(r.raced >= 1, `expected a raced re-wrap, got ${JSON.stringify(r)}`);
    assert.deepEqual(r.failed, []);
    assert.equal((await svc.get(T, 'race/a')).value, 'a-new');
    assert.equal((await svc.get(T, 'race/b')).value, 'b-old');
    assert.deepEqual(await store.secrets.listNotWrappedBy(keys.activeKeyId(), 1000), []);
  });

  it('re-wrap reports secrets whose key is gone and still finishes', async () => {
    await svc.put(T, 'orphan-src', 'x');
    const src = (await store.secrets.get(T, 'orphan-src'))!;
    for (let i = 0; i < 9; i++)
      await store.secrets.put({ ...src, name: `orphan/${i}`, kekId: `0000000000${i}0` });
    await keys.rotate();
    const r = await svc.rewrapAll(); // pageSize 7 < 9 failures: the page grows past them
    assert.equal(r.failed.length, 9);
    assert.ok(r.failed.every((f) => f.code === SecretsErrors.codes.KEK_NOT_FOUND));
    assert.deepEqual(
      (await store.secrets.listNotWrappedBy(keys.activeKeyId(), 1000)).map((s) => s.name).sort(),
      r.failed.map((f) => f.name).sort(),
    );
    for (let i = 0; i < 9; i++) await store.secrets.delete(T, `orphan/${i}`);
  });

  it('providers sharing the keyring see each other’s rotations; another master key cannot open it', async () => {
    const a = await createLocalKeyProvider({ masterKey, settings: store.settings, clock });
    const b = await createLocalKeyProvider({ masterKey, settings: store.settings, clock });
    assert.equal(a.activeKeyId(), b.activeKeyId());
    const newId = await a.rotate();
    const dk = randomBytes(32);
    const w = await a.wrap(dk);
    assert.equal(w.kekId, newId);
    assert.deepEqual(await b.unwrap(w.wrapped, w.kekId), dk); // b reloads on the unknown id
    assert.equal((await b.wrap(dk)).kekId, newId); // and wraps with the new active key
    await assert.rejects(b.unwrap(w.wrapped, 'nosuchkek000'), /not in the keyring/);
    await rejectsWith(
      createLocalKeyProvider({ masterKey: randomBytes(32), settings: store.settings, clock }),
      SecretsErrors.codes.KEYRING_CORRUPT,
    );
    // Concurrent rotations on two providers lose no key (the settings row has no compare-and-set).
    const before = a.activeKeyId();
    const [x, y] = await Promise.all([a.rotate(), b.rotate()]);
    const row = await store.settings.get<{ sealed: string }>(KEYRING_TENANT, KEYRING_KEY);
    const ring = JSON.parse(decryptSecret(masterKey, row!.sealed, 'secrets.keyring')) as {
      keys: Record<string, unknown>;
    };
    for (const id of [before, newId, x, y]) assert.ok(ring.keys[id], `key ${id} was lost`);
  });
});
