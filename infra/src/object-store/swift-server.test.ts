import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopChild } from '../child-exit.js';
import { startSwift, swiftAccount, type SwiftServer } from './swift-server.js';

/** The account's listing, through the proxy, which asks the account server. */
async function accountStatus(swift: SwiftServer): Promise<number> {
  const account = (await swiftAccount(swift))!;
  return (await fetch(account.url, { headers: account.headers })).status;
}

describe('the private Swift store', () => {
  let dir = '';
  let swift: SwiftServer | null = null;
  afterEach(async () => {
    await swift?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves again as soon as a backend that came up after the proxy answers', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'showrec-swift-'));
    swift = await startSwift({ dir });
    expect(await accountStatus(swift)).toBe(204);
    // The account server goes away and the proxy sees it fail more often than Swift's default
    // error limit (10), as it does while its backends are still starting on a loaded machine.
    const accountServer = swift.pids()[1]!;
    process.kill(accountServer, 'SIGTERM');
    while ((await accountStatus(swift)) === 204) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 15; i++) expect(await accountStatus(swift)).toBe(503);

    const again = spawn('swift-account-server', [path.join(dir, 'etc', 'account-server.conf')], {
      stdio: 'ignore',
    });
    try {
      const back = Date.now();
      let status = 0;
      while (Date.now() - back < 15_000 && (status = await accountStatus(swift)) !== 204)
        await new Promise((r) => setTimeout(r, 200));
      expect(status, 'Swift still refused the account 15 s after its server was back').toBe(204);
    } finally {
      await stopChild(again, 'SIGTERM', 5000);
    }
  });
});
