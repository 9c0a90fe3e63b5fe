// The public path in a real headless Chromium: agenda → event → register
// (with the keyboard alone) → private link → cancel → the waiting party is
// promoted; every page checked with axe-core (WCAG 2.1 A/AA rules) for zero
// violations, the form with its errors too. Run by browser.rs, which serves
// a fresh database and passes its address as ALMANACH_URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const BASE = process.env.ALMANACH_URL;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
assert.ok(BASE, 'ALMANACH_URL must name the server');

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

/** Runs axe on the page; fails listing every violation and its nodes. */
async function axe(page, label) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  const lines = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.equal(result.violations.length, 0, `axe on ${label}:\n${lines.join('\n')}`);
}

async function newPage() {
  const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
  return ctx.newPage();
}

/** Does `action` and waits for the page it leads to. */
async function navigating(page, action) {
  await Promise.all([page.waitForNavigation(), action()]);
}

/** Presses Tab until the element matching `selector` has the focus. */
async function tabTo(page, selector, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`never reached ${selector} with Tab`);
}

test('the public path, accessible, with the keyboard alone', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/agenda`);
  assert.match(await page.title(), /Agenda/i);
  assert.ok(await page.getByText('Atelier robots').count() > 0, 'the agenda lists the workshop');
  await axe(page, 'the agenda');

  await navigating(page, () => page.getByRole('link', { name: /Atelier robots/ }).first().click());
  assert.match(page.url(), /\/events\/\d+(#.*)?$/);
  await axe(page, 'the event page');

  // Registration with the keyboard alone, after a first try with errors.
  await navigating(page, () => page.getByRole('link', { name: /inscri/i }).first().click());
  await axe(page, 'the registration form');
  await tabTo(page, '#f-name');
  await page.keyboard.type('Louise Martin');
  await tabTo(page, '#f-email');
  await page.keyboard.type('pas-une-adresse');
  await navigating(page, () => page.keyboard.press('Enter'));
  const error = page.locator('#e-email');
  assert.ok(await error.isVisible(), 'the e-mail error is shown next to the field');
  assert.equal(await page.locator('#f-email').getAttribute('aria-invalid'), 'true');
  await axe(page, 'the registration form showing errors');
  await page.locator('#f-email').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('louise@example.org');
  await navigating(page, () => page.keyboard.press('Enter'));
  assert.ok(await page.getByText(/inscrit/i).count() > 0, 'a confirmation');
  await axe(page, 'the confirmation page');
  // The confirmation is the private page itself, at /r/{token}.
  const louiseLink = new URL(page.url()).pathname;
  assert.match(louiseLink, /^\/r\/[0-9a-f]{16,}$/, 'the confirmation is at the private link');

  // A second person finds the workshop full and joins the waiting list.
  const other = await newPage();
  await other.goto(`${BASE}/agenda`);
  await navigating(other, () => other.getByRole('link', { name: /Atelier robots/ }).first().click());
  assert.ok(await other.getByText(/complet|liste d'attente/i).count() > 0, 'the event page says it is full');
  await navigating(other, () => other.getByRole('link', { name: /attente|inscri/i }).first().click());
  await other.fill('#f-name', 'Paul Durand');
  await other.fill('#f-email', 'paul@example.org');
  await navigating(other, () => other.getByRole('button').last().click());
  assert.ok(await other.getByText(/liste d'attente/i).count() > 0, 'on the waiting list');
  const paulLink = new URL(other.url()).pathname;

  // Louise cancels from her private link; Paul is promoted.
  await page.goto(`${BASE}${louiseLink}`);
  await axe(page, 'the private registration page');
  await navigating(page, () => page.getByRole('link', { name: /annuler/i }).first().click());
  await axe(page, 'the cancellation confirmation');
  await navigating(page, () => page.getByRole('button', { name: /annuler/i }).first().click());
  assert.ok(await page.getByText(/annulée/i).count() > 0, 'cancelled: ' + page.url() + ' ' + (await page.textContent('main')));
  await axe(page, 'the page after cancelling');

  await other.goto(`${BASE}${paulLink}`);
  assert.ok(await other.getByText(/confirmée|inscrit/i).count() > 0, 'Paul is now confirmed');
  assert.equal(await other.getByText(/position/i).count(), 0, 'no waiting position any more');
});

test('the accessibility statement and the English agenda', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/accessibilite`);
  assert.ok(await page.getByRole('heading', { level: 1 }).count() === 1);
  await axe(page, 'the accessibility statement');
  await page.goto(`${BASE}/lang/en?next=/agenda`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await axe(page, 'the English agenda');
});
