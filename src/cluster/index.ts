/**
 * @module cluster
 * Coordination of a Nimbus cluster's nodes over the shared Store: a leader per named duty
 * (LeaderElector over lease rows with fencing tokens) and the membership list kept by heartbeats
 * (NodeMembership over the node registry). Both read time from the injected Clock only.
 */
export { ClusterErrors } from './errors.ts';
export {
  type ClusterLog,
  LeaderElector,
  type LeaderElectorOptions,
  type LeadershipHandlers,
} from './leader.ts';
export { NodeMembership, type NodeMembershipOptions } from './nodes.ts';
