import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, type ChromiumOptions } from './browser.js';
import { startTestStack, type TestStack } from './test-stack.js';

export interface StackAndBrowser {
  stack: TestStack;
  browser: Browser;
}

/** One stack and one Chromium for a test file, started before its tests and stopped after. */
export function useStackAndBrowser(chromium: ChromiumOptions = {}): StackAndBrowser {
  const env = {} as StackAndBrowser;
  beforeAll(async () => {
    env.stack = await startTestStack();
    env.browser = await launchChromium(chromium);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.stack?.stop();
  });
  return env;
}
