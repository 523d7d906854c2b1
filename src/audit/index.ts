/**
 * @module audit
 * The audit log: who did what, from where, with what result — every mutation, authentication
 * failure and denial on the API port. Append-only and hash-chained (chain.ts), written in group
 * commits (service.ts), pruned after a retention period to an anchor, verifiable end to end.
 */

export {
  type ChainPoint,
  ChainVerifier,
  GENESIS,
  GENESIS_HASH,
  linkHash,
  type VerifyResult,
  verifyChain,
} from './chain.ts';
export { AuditErrors } from './errors.ts';
export {
  type AuditService,
  type AuditServiceOptions,
  type AuditStats,
  type AuditVerification,
  createAuditService,
  MAX_DETAIL_CHARS,
} from './service.ts';
export { parseTimeBound } from './time.ts';
