// Peer: Nimbus, isolate runtime — functions created with `isolation: 'isolate'` (V8 isolates in a
// shared host), served through HTTP routes on the Nimbus gateway. Skipped, with the reason, when
// this build does not support it (bench/support/probe-isolate.ts). See nimbus-lib.mjs.
import { nimbusPeer } from './nimbus-lib.mjs';

export default nimbusPeer({
  name: 'nimbus-isolate',
  title: 'Nimbus (isolate runtime), functions behind HTTP routes on its gateway',
  isolation: 'V8 isolate per function (isolate runtime)',
  runtime: 'isolate',
});
