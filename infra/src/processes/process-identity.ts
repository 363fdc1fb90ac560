import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * A process named so that it cannot be mistaken for another: pids are reused, but a pid with the
 * same start time (clock ticks after boot, from /proc) on the same host is the same process.
 */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
  host: string;
}

/**
 * The fields of /proc/<pid>/stat from the third (the state) on; the command name before them may
 * hold spaces and parentheses.
 */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat. */
function startTimeOf(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[19]) : null;
}

export function identityOf(pid: number): ProcessIdentity | null {
  const startTime = startTimeOf(pid);
  return startTime === null ? null : { pid, startTime, host: hostname() };
}

/** Whether that very process still runs (on this host; another host's processes are not ours to see). */
export function isRunning(identity: ProcessIdentity): boolean {
  return identity.host === hostname() && startTimeOf(identity.pid) === identity.startTime;
}

/** Signals that very process, never one that took its pid since; says whether it did. */
export function signalExactly(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isRunning(identity)) return false;
  try {
    process.kill(identity.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Pids of a process's direct children whose command line includes `name` (from /proc). */
export function childPidsOf(parentPid: number, name: string): number[] {
  let children: string;
  try {
    children = readFileSync(`/proc/${parentPid}/task/${parentPid}/children`, 'utf8');
  } catch {
    return [];
  }
  return children
    .split(' ')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(name);
      } catch {
        return false;
      }
    });
}

/**
 * Whether a process with this pid still runs (signal 0 checks without signalling). A zombie does
 * not: it has exited and only waits for a parent to read its status, which an orphan's may do late
 * (PID 1 in a container reaps when it gets round to it).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return statFields(pid)?.[0] !== 'Z';
}
