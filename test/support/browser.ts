import fs from 'node:fs';
import type { Page } from 'playwright-core';

/** Debian's headless Chromium (`apt-get install chromium`; .ci/run installs it), driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
/** Browser tests skip only outside CI without Chromium; .ci/run installs it, so under CI a missing browser fails. */
export const NO_BROWSER = !fs.existsSync(CHROMIUM) && process.env.CI !== 'true';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The UI renders some text (user metadata, payloads) in iframes, so look through every frame's text. */
export async function waitForRenderedText(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    const texts = await Promise.all(
      page.frames().map((frame) =>
        frame
          .locator('body')
          .innerText()
          .catch(() => ''),
      ),
    );
    seen = texts.join('\n---\n');
    if (seen.replace(/\s+/g, ' ').includes(text)) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`'${text}' did not render within ${timeoutMs} ms; the page showed:\n${seen}`);
}
