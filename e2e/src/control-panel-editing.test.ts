import { describe, expect, it } from 'vitest';
import type { ShowView } from '@showrec/protocol';
import { useStackAndBrowser } from './support/stack-and-browser.js';
import { createShow, waitFor } from './support/test-stack.js';

describe('editing the run of show in the control panel (real browser)', () => {
  const env = useStackAndBrowser();

  it('adds, edits, drags to reorder and deletes cues; invites crew; the show is in the admin’s list', async () => {
    const { stack, browser } = env;
    const show = await createShow(stack, 'Editing');
    const cues = async () =>
      (
        (await (
          await fetch(`${stack.baseUrl}/api/shows/${show.id}`, {
            headers: { authorization: `Bearer ${show.hostKey}` },
          })
        ).json()) as ShowView
      ).cues;
    const panel = await (
      await browser.newContext({ viewport: { width: 1400, height: 900 } })
    ).newPage();
    panel.on('dialog', (dialog) => void dialog.accept());
    await panel.goto(
      `${stack.baseUrl}${new URL(show.controlUrl).pathname}${new URL(show.controlUrl).hash}`,
    );

    const add = panel.getByRole('form', { name: 'Add cue' });
    for (const [kind, text] of [
      ['title', 'Welcome'],
      ['capture', 'First song'],
      ['credits', 'Thanks'],
    ] as const) {
      await add.getByLabel('Kind').selectOption(kind);
      await add.getByLabel('Text').fill(text);
      await add.getByRole('button', { name: 'Add cue' }).click();
      await panel
        .getByTestId(`cue-${text === 'Welcome' ? 0 : text === 'First song' ? 1 : 2}`)
        .getByText(text)
        .waitFor();
    }
    expect((await cues()).map((c) => [c.kind, c.text])).toEqual([
      ['title', 'Welcome'],
      ['capture', 'First song'],
      ['credits', 'Thanks'],
    ]);

    await panel.getByTestId('cue-1').getByRole('button', { name: 'Edit' }).click();
    const edit = panel.getByRole('form', { name: 'Edit cue' });
    await edit.getByLabel('Performer').fill('Nina');
    await edit.getByLabel('Host notes').fill('band ready?');
    await edit.getByRole('button', { name: 'Save cue' }).click();
    await panel.getByTestId('cue-1').getByText('band ready?').waitFor();
    expect((await cues())[1]).toMatchObject({
      text: 'First song',
      performer: 'Nina',
      notes: 'band ready?',
    });

    await panel.getByTestId('cue-2').dragTo(panel.getByTestId('cue-0'));
    await waitFor(
      'the new order',
      async () => (await cues()).map((c) => c.text).join() === 'Thanks,Welcome,First song',
    );

    // Act on what the panel shows: wait until it has redrawn the new order.
    await panel.getByTestId('cue-0').getByText('Thanks').waitFor();
    await panel.getByTestId('cue-0').getByRole('button', { name: 'Delete' }).click();
    await waitFor(
      'the deletion',
      async () => (await cues()).map((c) => c.text).join() === 'Welcome,First song',
    );
    await panel.getByTestId('cue-0').getByText('Welcome').waitFor();
    await expect(panel.getByTestId('cue-1').textContent()).resolves.toContain('First song');
    expect(await panel.getByTestId('cue-2').count()).toBe(0);

    // The host invites a named crew member from the panel: their review link is shown once.
    const crew = panel.getByTestId('crew-invites');
    await crew.getByLabel('Crew member’s name').fill('Sam');
    await crew.getByRole('button', { name: 'Invite' }).click();
    await expect(panel.getByTestId('crew-invite-link').textContent()).resolves.toMatch(
      new RegExp(`Sam’s review link \\(shown once\\): .*/review/${show.id}#key=`),
    );
    await crew.getByText('Sam').first().waitFor();

    // The admin finds the show again in the list on /control, with its cues counted.
    const home = await (await browser.newContext()).newPage();
    await home.goto(`${stack.baseUrl}/control`);
    await home.getByLabel('Admin token').fill(stack.adminToken);
    await home.getByLabel('Admin token').blur();
    const row = home.locator(`[data-testid="shows-list"] tr[data-id="${show.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect(row.textContent()).resolves.toMatch(/Editing.*not started2/);
  });
});
