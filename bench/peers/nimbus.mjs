// Peer: Nimbus, process runtime — each function instance is a sandboxed Node process
// (bubblewrap + cgroups), served through an HTTP route on the Nimbus gateway. See nimbus-lib.mjs.
import { nimbusPeer } from './nimbus-lib.mjs';

export default nimbusPeer({
  name: 'nimbus',
  title: 'Nimbus (process runtime), functions behind HTTP routes on its gateway',
  isolation: 'sandboxed process per instance (bubblewrap + cgroups)',
  runtime: 'process',
});
