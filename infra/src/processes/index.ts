export {
  ChildProcesses,
  ChildProcessFailed,
  type ChildExit,
  type OwnedChild,
  type RunOptions,
  type SpawnOptions,
} from './child-processes.js';
export { boundToParent } from './bound-to-parent.js';
export {
  childPidsOf,
  identityOf,
  isRunning,
  processAlive,
  signalExactly,
  type ProcessIdentity,
} from './process-identity.js';
