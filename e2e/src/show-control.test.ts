import { describe, expect, it } from 'vitest';
import { joinAs } from './support/phones.js';
import { useStackAndBrowser } from './support/stack-and-browser.js';
import { createShow } from './support/test-stack.js';

describe('show control in real browsers: control panel → stage display and phones', () => {
  const env = useStackAndBrowser();

  it('GO in the control panel changes the stage display and the phone’s prompt; messages reach both', async () => {
    const { stack, browser } = env;
    const show = await createShow(stack, 'Open Stage Night');
    const addCue = (cue: object) =>
      fetch(`${stack.baseUrl}/api/shows/${show.id}/cues`, {
        method: 'POST',
        headers: { authorization: `Bearer ${show.hostKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(cue),
      });
    await addCue({ kind: 'join', text: 'Get your phones out' });
    await addCue({
      kind: 'capture',
      text: 'Opening song',
      performer: 'Nina',
      prompt: 'Film the stage now',
      notes: 'cue the band',
    });
    await addCue({
      kind: 'capture',
      text: 'The room',
      prompt: 'Turn around and film the audience',
    });

    const stage = await (
      await browser.newContext({ viewport: { width: 1280, height: 720 } })
    ).newPage();
    await stage.goto(`${stack.baseUrl}/stage/${show.id}`);
    await expect(stage.locator('.stage-cue .cue-text').textContent()).resolves.toBe(
      'Open Stage Night',
    );

    const phone = await joinAs(browser, stack.baseUrl, show.joinCode, 'Ada');
    const panel = await (
      await browser.newContext({ viewport: { width: 1400, height: 900 } })
    ).newPage();
    await panel.goto(
      new URL(show.controlUrl).pathname.replace(/^/, stack.baseUrl) + new URL(show.controlUrl).hash,
    );
    await panel.getByTestId('live-cue').waitFor();
    // The host key left the address bar once read.
    expect(panel.url()).not.toContain('#key=');
    await expect(panel.getByTestId('phones-count').textContent()).resolves.toBe(
      '1 phone · 0 recording',
    );

    await panel.keyboard.press('Space');
    await stage.getByTestId('stage-join-code').waitFor();
    await expect(stage.getByTestId('stage-join-code').textContent()).resolves.toBe(show.joinCode);

    await panel.getByRole('button', { name: 'GO', exact: true }).click();
    await stage.getByText('● RECORDING').waitFor();
    await expect(stage.locator('.stage-cue .cue-text').textContent()).resolves.toBe('Opening song');
    await stage.getByText('1 phone recording').waitFor();
    await phone.getByTestId('prompt').getByText('Film the stage now').waitFor();
    await phone.locator('[data-phase="recording"]').waitFor();
    await expect(stage.locator('body').textContent()).resolves.not.toContain('cue the band');
    await expect(panel.getByTestId('live-cue').textContent()).resolves.toContain('cue the band');

    await panel.keyboard.press('Space');
    await phone.getByTestId('prompt').getByText('Turn around and film the audience').waitFor();
    await stage.locator('.stage-cue .cue-text', { hasText: /^The room$/ }).waitFor();

    await panel.getByLabel('Message to every phone').fill('Two minutes to the finale');
    await panel.keyboard.press('Enter');
    await phone.getByTestId('host-message').getByText('Two minutes to the finale').waitFor();
    await stage.getByTestId('stage-message').getByText('Two minutes to the finale').waitFor();

    await addCue({ kind: 'countdown', text: 'Back in', plannedDurationSec: 90 });
    await addCue({ kind: 'credits', text: 'Filmed by' });
    // GO names the cue the panel shows as live, and the server refuses a GO from a stale one (two
    // desks, a double press): the host presses it again once the panel shows the move, as here.
    await panel.getByTestId('live-cue').getByText('The room').waitFor();
    await panel.keyboard.press('Space');
    await expect(stage.getByTestId('countdown').textContent()).resolves.toMatch(/^1:(29|30)$/);
    await panel.getByTestId('live-cue').getByText('Back in').waitFor();
    await panel.keyboard.press('Space');
    await expect(stage.getByTestId('credits').textContent()).resolves.toBe('Ada');

    await panel.screenshot({ path: `${stack.dataDir}/control-panel.png` });
    await stage.screenshot({ path: `${stack.dataDir}/stage.png` });
    await phone.screenshot({ path: `${stack.dataDir}/phone.png` });
    console.log(`screenshots in ${stack.dataDir}`);
  });
});
