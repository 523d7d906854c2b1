import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteRecord } from '../core/types.ts';
import { buildEventV1, buildEventV2, type GatewayRequest } from './events.ts';

const req = (rawPath: string, requestPath?: string): GatewayRequest => ({
  method: 'GET',
  rawPath,
  ...(requestPath === undefined ? {} : { requestPath }),
  rawQueryString: '',
  headers: [['Host', 'api.example']],
  body: undefined,
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  requestId: 'r1',
  timeEpoch: 0,
  accountId: '000000000000',
  apiId: 'nimbus',
});
const route = (stage?: string, payloadFormat: '1.0' | '2.0' = '1.0'): RouteRecord => ({
  tenant: 'default',
  id: 'rt_1',
  routeKey: 'GET /users/{id}',
  functionName: 'users',
  payloadFormat,
  stage,
  createdAt: 0,
});

describe('events of staged routes', () => {
  it('1.0 at /<stage>/<path>: path without the stage, requestContext.path with it', () => {
    const e = buildEventV1(req('/users/42', '/dev/users/42'), route('dev'), { id: '42' });
    assert.equal(e.path, '/users/42');
    assert.equal(e.resource, '/users/{id}');
    assert.equal(e.requestContext.stage, 'dev');
    assert.equal(e.requestContext.path, '/dev/users/42');
    assert.equal(e.requestContext.resourcePath, '/users/{id}');
  });

  it('1.0 at the alias: the stage stays, requestContext.path is the unstaged path', () => {
    const e = buildEventV1(req('/users/42'), route('dev'), { id: '42' });
    assert.equal(e.path, '/users/42');
    assert.equal(e.requestContext.stage, 'dev');
    assert.equal(e.requestContext.path, '/users/42');
  });

  it('unstaged routes keep $default, and 2.0 keeps the stage in rawPath', () => {
    const e = buildEventV1(req('/users/42'), route(), { id: '42' });
    assert.equal(e.requestContext.stage, '$default');
    assert.equal(e.requestContext.path, '/users/42');
    const v2 = buildEventV2(req('/users/42', '/dev/users/42'), route('dev', '2.0'), { id: '42' });
    assert.equal(v2.rawPath, '/dev/users/42');
    assert.equal(v2.requestContext.http.path, '/dev/users/42');
    assert.equal(v2.requestContext.stage, 'dev');
  });
});
