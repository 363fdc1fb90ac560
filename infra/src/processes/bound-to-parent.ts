import { existsSync } from 'node:fs';

/** util-linux's setpriv (Debian's essential util-linux package). */
const SETPRIV = '/usr/bin/setpriv';

/**
 * The command line that runs `command` so that it gets SIGTERM when the process spawning it
 * dies, however it dies (kill -9 included): Linux's parent-death signal, set by setpriv just
 * before it execs the command, so the pid stays the command's. Without setpriv (not Linux) the
 * command runs as given.
 */
export function boundToParent(command: string, args: string[]): [string, string[]] {
  if (!existsSync(SETPRIV)) return [command, args];
  return [SETPRIV, ['--pdeathsig', 'TERM', '--', command, ...args]];
}
