// The staff lists in a real headless Chromium, at a laptop's width (1366 px)
// and a phone's (390 px): the events list shows one page of events, the
// soonest to come first, with its pages as links; the session form stays
// short with 55 themes, and its filter box finds a theme as one types.
// Every page checked with axe-core (WCAG 2.2 AA rules) for zero violations.
// Run by browser.rs (the_staff_lists_in_chromium_with_axe), which serves a
// database with sixty events, 30 past and 30 to come, and passes its
// address, a coordinator's sign-in and an event as ALMANACH_* variables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { launch } from './chromium.mjs';

const require = createRequire(import.meta.url);
// Evaluated through the DevTools protocol: the Content-Security-Policy of the pages
// refuses inline scripts, a script tag added by the test included.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.ALMANACH_URL;
const EMAIL = process.env.ALMANACH_EMAIL;
const PASSWORD = process.env.ALMANACH_PASSWORD;
const EVENT = process.env.ALMANACH_EVENT;
assert.ok(BASE && EMAIL && PASSWORD && EVENT, 'ALMANACH_URL, _EMAIL, _PASSWORD and _EVENT must be set');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Runs axe on the page; fails listing every violation and its nodes. */
async function axe(page, label) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
  });
  const lines = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.equal(result.violations.length, 0, `axe on ${label}:\n${lines.join('\n')}`);
}

/** A signed-in page `width` pixels wide. */
async function signedIn(width) {
  const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/staff/sign-in`);
  await page.fill('#f-email', EMAIL);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
  assert.ok(!page.url().includes('sign-in'), `signed in: ${page.url()}`);
  return page;
}

for (const width of [1366, 390]) {
  test(`the events list at ${width} px: one page, the soonest first`, async () => {
    const page = await signedIn(width);
    await page.goto(`${BASE}/staff/events`);
    const rows = page.locator('main table tbody tr');
    assert.equal(await rows.count(), 25, 'one page of 25 events out of 31 to come');
    const titles = await page.locator('main table tbody tr td:first-child').allInnerTexts();
    assert.equal(titles[0], 'Événement 30', 'the soonest to come first');
    assert.ok(!titles.includes('Événement 29'), 'nothing past by default');
    const pages = page.getByRole('navigation', { name: 'Pages de la liste des événements' });
    assert.equal(await pages.count(), 1);
    assert.match(await pages.innerText(), /Page 1 sur 2/);
    await axe(page, `the events list at ${width} px`);

    // The next page keeps the filters; the past is one choice away.
    await Promise.all([page.waitForNavigation(), pages.locator('a[rel=next]').click()]);
    assert.match(page.url(), /page=2/);
    assert.equal(await rows.count(), 6);
    await page.selectOption('#f-periode', 'passes');
    await Promise.all([page.waitForNavigation(), page.locator('form.filters button[type=submit]').click()]);
    assert.match(page.url(), /periode=passes/);
    const past = await page.locator('main table tbody tr td:first-child').allInnerTexts();
    assert.equal(past[0], 'Événement 29', 'the latest past first');
    await axe(page, `the past events at ${width} px`);
  });

  test(`the session form at ${width} px: 55 themes, short, found by typing`, async () => {
    const page = await signedIn(width);
    await page.goto(`${BASE}/staff/events/${EVENT}/sessions/new`);
    const form = page.locator('main form[method=post]').first();
    const height = (await form.boundingBox()).height;
    // About 1,100 px when measured; the issue found 4,600.
    if (width === 1366) assert.ok(height < 1300, `the form is ${height} px high`);
    assert.equal(await page.locator('input[name=themes]').count(), 55);
    await axe(page, `the session form at ${width} px`);

    // The filter box, with the keyboard: only the matching theme shows.
    const filter = page.locator('#f-themes-filter');
    assert.ok(await filter.isVisible(), 'the filter box shows with JavaScript');
    await filter.focus();
    await page.keyboard.type('theme 07');
    const visible = page.locator('.pick-item:visible');
    assert.equal(await visible.count(), 1);
    assert.equal(await visible.innerText(), 'Thème 07');
    assert.match(await page.locator('#f-themes-status').innerText(), /1 thématique correspond/);
    // Tab reaches the open group's summary, then the theme.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    assert.ok(await page.locator('.pick-item:visible input').isChecked(), 'ticked with the keyboard');
    await axe(page, `the session form filtered at ${width} px`);
    await filter.fill('aucune chance');
    assert.equal(await page.locator('.pick-item:visible').count(), 0);
    assert.match(await page.locator('#f-themes-status').innerText(), /Aucune thématique ne correspond/);
    await filter.fill('');
    await filter.dispatchEvent('input');
    assert.equal(await page.locator('details.pick-group[open]').count(), 0, 'groups closed again');
  });
}
