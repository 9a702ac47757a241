// The status page in a real headless Chromium (Debian `chromium`, driven by playwright-core): the
// grade, the demo cluster's planted problems, keyboard access, a phone-sized viewport, a screenshot.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../local/gateway/index.ts';
import type { Gateway } from '../../local/gateway/index.ts';
import { PLANTED } from '../../local/demo-cluster/index.ts';
import { removeTempDirs, tempDir } from './helpers.ts';

const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

let gateway: Gateway;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  gateway = await startGateway({ port: 0, demo: true, cron: true, warmup: true, refreshSeconds: 0 });
  await gateway.warmup;
  // Bots without a schedule run once too, so every planted problem has had its bot.
  for (const bot of gateway.bots) {
    if (bot.triggers.cron === undefined && bot.name !== 'eco-status-bot' && bot.triggers.http)
      await gateway.invoke(bot.name, {});
  }
  // launch() rejects --user-data-dir in args; a persistent context is the supported way to give a fresh one.
  browser = await chromium.launchPersistentContext(await tempDir('chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${gateway.url}/`, { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await removeTempDirs();
});

describe('status page in Chromium', () => {
  it('shows a Popeye-style grade and the score', async () => {
    const grade = (await page.locator('#grade').textContent())?.trim();
    expect(grade).toMatch(/^[A-F]$/);
    const json = (await (await fetch(`${gateway.url}/?format=json`)).json()) as {
      grade: string;
      score: number;
    };
    expect(json.grade).toBe(grade);
    expect(Number(await page.locator('#score').textContent())).toBe(json.score);
    expect(await page.title()).toBe(`eco-bots status: grade ${grade}`);
  });

  it('lists the problems planted in the demo cluster that the running bots look for', async () => {
    const names = new Set(gateway.bots.map((bot) => bot.name));
    const label = (object: { kind: string; namespace?: string; name: string }): string =>
      `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
    const expected = PLANTED.filter((planted) => planted.expect === 'found' && names.has(planted.bot));
    expect(expected.length).toBeGreaterThan(0);
    const text = (await page.locator('main').textContent()) ?? '';
    const missing = expected.filter((planted) => !text.includes(label(planted.object)));
    expect(missing.map((planted) => `${planted.bot} ${planted.check} ${label(planted.object)}`)).toEqual([]);
    // The look-alikes the bots must leave alone are not reported by that check.
    const view = (await (await fetch(`${gateway.url}/?format=json`)).json()) as {
      findings: Array<{ check: string; object: string }>;
    };
    const wronglyFound = PLANTED.filter(
      (planted) =>
        planted.expect === 'ignored' &&
        names.has(planted.bot) &&
        view.findings.some(
          (finding) => finding.check === planted.check && finding.object === label(planted.object),
        ),
    );
    expect(wronglyFound.map((planted) => `${planted.check} ${label(planted.object)}`)).toEqual([]);
  });

  it('shows every bot in the fleet table', async () => {
    const rows = await page.locator('#fleet-table tbody th').allTextContents();
    expect(rows.sort()).toEqual(gateway.bots.map((bot) => bot.name).sort());
  });

  it('is usable from the keyboard: skip link first, then the section links, with a visible focus ring', async () => {
    await page.keyboard.press('Tab');
    // Evaluated in the page (string form: the project's tsconfig has no DOM types).
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to main content');
    const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).not.toBe('none');
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.getAttribute('href')")).toBe('#overview');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('location.hash')).toBe('#main');
  });

  it('fits a phone screen without sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(Number(overflow)).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('takes a screenshot', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await page.evaluate('window.scrollTo(0, 0); document.activeElement?.blur()');
    const shot = await page.screenshot({ path: `${ARTIFACTS}status-page.png`, fullPage: false });
    expect(shot.length).toBeGreaterThan(10_000);
  });
});
