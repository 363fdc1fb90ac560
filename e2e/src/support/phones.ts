import type { Browser, Page } from 'playwright-core';

/** A phone in its own browser context (its own storage, so its own participant), joined and standing by. */
export async function joinAs(
  browser: Browser,
  baseUrl: string,
  joinCode: string,
  name: string,
): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${baseUrl}/join/${joinCode}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join show' }).click();
  await page.locator('[data-phase="standby"]').waitFor({ timeout: 20_000 });
  return page;
}
