/**
 * Every action the console asks about is one a REST route authorizes: a typo or a renamed
 * action would otherwise hide a page or a button for every key, silently.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTIONS } from '../console/src/actions.ts';
import { ROUTES } from '../src/api/openapi-routes.ts';

describe('console actions', () => {
  it('names only actions the REST routes authorize', () => {
    const authorized = new Set(Object.values(ROUTES).map((r) => r.action));
    assert.deepEqual(
      ACTIONS.filter((a) => !authorized.has(a)),
      [],
    );
    assert.equal(new Set(ACTIONS).size, ACTIONS.length, 'no action twice');
  });
});
