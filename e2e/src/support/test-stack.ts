import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeTcpPort, startStack, type Stack } from '@showrec/infra';

export { waitFor } from '@showrec/infra';
import type { ShowCreated } from '@showrec/protocol';

export interface TestStack extends Stack {
  dataDir: string;
}

/** How test stacks run: on loopback, without the OSC port, with a low disk floor. */
export const TEST_STACK_ENV: Record<string, string> = {
  SHOWREC_RTC_LISTEN_IP: '127.0.0.1',
  SHOWREC_RTC_ANNOUNCED_IP: '127.0.0.1',
  SHOWREC_OSC_PORT: 'off',
  // CI machines may have little disk; only the disk-floor test sets a real floor.
  SHOWREC_MIN_FREE_MB: '16',
};

/** The whole stack as `npm start` runs it, on free ports, with its data in a temp dir. */
export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-e2e-'));
  const stack = await startStack({
    dataDir,
    port: await freeTcpPort(),
    logDir: path.join(dataDir, 'logs'),
    env: { ...TEST_STACK_ENV, ...env },
  });
  return Object.assign(stack, { dataDir });
}

export async function createShow(stack: Stack, title: string): Promise<ShowCreated> {
  const res = await fetch(`${stack.baseUrl}/api/shows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  if (res.status !== 201)
    throw new Error(`creating a show failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as ShowCreated;
}
