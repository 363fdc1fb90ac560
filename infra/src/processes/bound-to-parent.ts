import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/** util-linux's setpriv (Debian's essential util-linux package). */
const SETPRIV = '/usr/bin/setpriv';

/**
 * The command line that runs `command` so that it gets SIGTERM when the process spawning it
 * dies, however it dies (kill -9 included): Linux's parent-death signal, set by setpriv just
 * before it execs the command, so the pid stays the command's. Without setpriv (not Linux), or
 * without the command (spawn then fails with ENOENT, as callers expect), it runs as given.
 */
export function boundToParent(command: string, args: string[]): [string, string[]] {
  const found = onPath(command);
  if (!existsSync(SETPRIV) || !found) return [command, args];
  return [SETPRIV, ['--pdeathsig', 'TERM', '--', found, ...args]];
}

function onPath(command: string): string | null {
  const candidates = command.includes('/')
    ? [command]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}
