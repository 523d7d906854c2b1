/**
 * @module api/aws-json
 * The AWS JSON protocols (awsJson1_0 / awsJson1_1) on the API port: `POST /` with
 * `X-Amz-Target: <prefix>.<Operation>`. One dispatcher serves every such service; each registers
 * its target prefix and operation table (Secrets Manager `secretsmanager.`; later SQS
 * `AmazonSQS.` on JSON 1.0, EventBridge `AWSEvents.`, Step Functions `AWSStepFunctions.`).
 *
 * It lives in its own encapsulated Fastify scope so its errors take the AWS JSON shape:
 * HTTP 4xx/5xx, `x-amzn-errortype: <Type>` and `{"__type": "<Type>", "message": "...", "code"}`. The SDKs
 * read the type from either and surface it as the error's `name`. Authentication runs in the app's
 * preHandler (SigV4 over the raw body bytes: `useRawBodies` keeps every content type, the
 * `application/x-amz-json-1.x` ones included, as a Buffer); each operation authorizes its own
 * action on its own ARN.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreErrors, defineErrors, type NimbusError } from '../core/errors.ts';
import { jsonTooDeep } from '../core/json.ts';
import { SecurityErrors } from '../security/errors.ts';
import type { AwsQueryDispatcher } from './aws-query.ts';
import { codedError, type ErrorReporting, publicError } from './http.ts';

export type AwsJsonInput = Readonly<Record<string, unknown>>;

/** One operation: the parsed JSON input in, the JSON output out (authorization is its own job). */
export type AwsJsonOperation = (input: AwsJsonInput, req: FastifyRequest) => Promise<object>;

/** The wire type (and status) a service gives one of its coded errors. */
export interface AwsErrorType {
  readonly type: string;
  readonly status: number;
  /**
   * Services that also speak the query protocol (SQS) send `x-amzn-query-error: <code>;Sender`,
   * which SDKs read as the error's code (`AWS.SimpleQueueService.NonExistentQueue`).
   */
  readonly queryCode?: string;
}

export interface AwsJsonService {
  /** The part of X-Amz-Target before the dot: `secretsmanager`, `AmazonSQS`, `AWSEvents`. */
  readonly targetPrefix: string;
  readonly jsonVersion: '1.0' | '1.1';
  readonly operations: Readonly<Record<string, AwsJsonOperation>>;
  /** The service's exception for a coded error; undefined falls back to the common mapping. */
  readonly errorType?: (e: NimbusError) => AwsErrorType | undefined;
  /** Its exception for platform failures (Secrets Manager: `InternalServiceError`). */
  readonly internalErrorType?: string;
  /**
   * Operations audited like reads (only when denied): reads and high-volume data events
   * (SQS send/receive/delete), which CloudTrail does not log by default either.
   */
  readonly dataOperations?: ReadonlySet<string>;
}

export interface AwsJsonDispatcher {
  /** Adds a service's target prefix; throws if the prefix is taken. */
  register(service: AwsJsonService): void;
}

export const AwsJsonErrors = defineErrors('AWSJSON', {
  UNKNOWN_OPERATION: {
    status: 400,
    kind: 'user',
    message: 'unknown operation {target}',
    hint: 'send X-Amz-Target: <service>.<Operation> of a service this endpoint serves (secretsmanager.*)',
  },
  SERIALIZATION: { status: 400, kind: 'user', message: 'the request body is not a JSON object: {reason}' },
});

/**
 * The exception every AWS JSON service answers for authentication, authorization and protocol
 * failures. `authorization` tells "no credentials at all" from a malformed signature.
 */
export function commonAwsErrorType(e: NimbusError, hasAuthorization: boolean): AwsErrorType {
  switch (e.code) {
    case CoreErrors.codes.FORBIDDEN:
      return { type: 'AccessDeniedException', status: 403 };
    case CoreErrors.codes.UNAUTHORIZED:
      return hasAuthorization
        ? { type: 'IncompleteSignatureException', status: 400 }
        : { type: 'MissingAuthenticationTokenException', status: 403 };
    case SecurityErrors.codes.KEY_INVALID:
      return { type: 'UnrecognizedClientException', status: 400 };
    case SecurityErrors.codes.TOKEN_EXPIRED:
      return { type: 'ExpiredTokenException', status: 400 };
    case SecurityErrors.codes.SIGNATURE_MISMATCH:
    case SecurityErrors.codes.REQUEST_EXPIRED:
    case SecurityErrors.codes.PRESIGNED_EXPIRED:
      return { type: 'InvalidSignatureException', status: 400 };
    case AwsJsonErrors.codes.UNKNOWN_OPERATION:
      return { type: 'UnknownOperationException', status: 400 };
    case AwsJsonErrors.codes.SERIALIZATION:
    case CoreErrors.codes.MALFORMED_JSON:
      return { type: 'SerializationException', status: 400 };
    case CoreErrors.codes.PAYLOAD_TOO_LARGE:
      return { type: 'RequestEntityTooLargeException', status: 413 };
  }
  if (e.status === 429) return { type: 'ThrottlingException', status: 400 };
  if (e.status === 404) return { type: 'ResourceNotFoundException', status: 400 };
  if (e.status >= 500) return { type: 'InternalFailure', status: 500 };
  return { type: 'ValidationException', status: 400 };
}

/** Parses the body as a JSON object without echoing the parser's message (it quotes the input). */
function parseInput(body: unknown): AwsJsonInput {
  const buf = body instanceof Buffer ? body : undefined;
  if (!buf || buf.length === 0) return {};
  if (jsonTooDeep(buf)) throw AwsJsonErrors.SERIALIZATION({ reason: 'nested too deeply' });
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    throw AwsJsonErrors.SERIALIZATION({ reason: 'it is not valid JSON' });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw AwsJsonErrors.SERIALIZATION({ reason: 'expected an object' });
  return v as AwsJsonInput;
}

const targetOf = (req: FastifyRequest) => {
  const t = req.headers['x-amz-target'];
  return (Array.isArray(t) ? t[0] : t) ?? '';
};

/**
 * Serves `POST /` in `scope` (pass an encapsulated scope: the error handler is set on it) and
 * returns the dispatcher services register with.
 */
export function installAwsJsonApi(
  scope: FastifyInstance,
  o: {
    readonly report?: ErrorReporting | undefined;
    /** Serves `POST /` requests in the query protocol (form bodies without X-Amz-Target). */
    readonly query?: AwsQueryDispatcher | undefined;
  } = {},
): AwsJsonDispatcher {
  const services = new Map<string, AwsJsonService>();
  const serviceOf = (req: FastifyRequest) => services.get(targetOf(req).split('.')[0] ?? '');

  scope.setErrorHandler((err, req, reply) => {
    const e = codedError(err, req, scope.initialConfig.bodyLimit ?? 0, o.report);
    if (o.query?.isQuery(req)) return o.query.sendError(e, req, reply);
    const svc = serviceOf(req);
    const mapped =
      svc?.errorType?.(e) ??
      (e.status >= 500 && svc?.internalErrorType
        ? { type: svc.internalErrorType, status: 500 }
        : commonAwsErrorType(e, req.headers.authorization !== undefined));
    if (e.retryAfterMs !== undefined)
      reply.header('retry-after', Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
    if (mapped.queryCode) reply.header('x-amzn-query-error', `${mapped.queryCode};Sender`);
    return reply
      .code(mapped.status)
      .header('x-amzn-errortype', mapped.type)
      .header('x-nimbus-error-code', e.code)
      .header('content-type', `application/x-amz-json-${svc?.jsonVersion ?? '1.1'}`)
      .send(
        Buffer.from(
          // `nimbusCode`: the Nimbus code, machine-readable. Not `code`: query-compatible SDKs
          // (SQS) take a `code` field as the error's name.
          JSON.stringify({
            __type: mapped.type,
            message: `[${e.code}] ${publicError(e).message}`,
            nimbusCode: e.code,
          }),
        ),
      );
  });

  scope.post('/', async (req, reply) => {
    if (o.query?.isQuery(req)) return o.query.handle(req, reply);
    const target = targetOf(req);
    const dot = target.indexOf('.');
    const svc = dot > 0 ? services.get(target.slice(0, dot)) : undefined;
    const op =
      svc && Object.hasOwn(svc.operations, target.slice(dot + 1))
        ? svc.operations[target.slice(dot + 1)]
        : undefined;
    if (!svc || !op)
      throw AwsJsonErrors.UNKNOWN_OPERATION({
        target: target.slice(0, 200) || '(no X-Amz-Target header)',
      });
    if (req.authz && svc.dataOperations?.has(target.slice(dot + 1))) req.authz.dataEvent = true;
    const out = await op(parseInput(req.body), req);
    // A Buffer: Fastify would append `; charset=utf-8` to a string, which AWS does not send.
    return reply
      .header('content-type', `application/x-amz-json-${svc.jsonVersion}`)
      .send(Buffer.from(JSON.stringify(out)));
  });

  return {
    register(service) {
      if (services.has(service.targetPrefix))
        throw CoreErrors.INTERNAL({
          reason: `AWS JSON target prefix ${service.targetPrefix} registered twice`,
        });
      services.set(service.targetPrefix, service);
    },
  };
}
