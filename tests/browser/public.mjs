// The public path in a real headless Chromium: agenda → event → register
// (with the keyboard alone) → private link → cancel → the waiting party is
// promoted; every page checked with axe-core (WCAG 2.1 A/AA rules) for zero
// violations, the form with its errors too. Then staff pages, signed in.
// Every page runs under the server's Content-Security-Policy: any refused
// script, style or resource fails the test. Run by browser.rs, which serves
// a fresh database and passes its address as ALMANACH_URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch } from './chromium.mjs';

const require = createRequire(import.meta.url);
// Evaluated through the DevTools protocol, which the page's CSP does not
// govern (an injected <script> would be refused, and rightly so).
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.ALMANACH_URL;
assert.ok(BASE, 'ALMANACH_URL must name the server');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Runs axe on the page; fails listing every violation and its nodes. */
async function axe(page, label) {
  noCspViolation(page, label);
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  const lines = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.equal(result.violations.length, 0, `axe on ${label}:\n${lines.join('\n')}`);
}

/** What the Content-Security-Policy refused on `page` since it opened. */
const refused = new WeakMap();

function noCspViolation(page, label) {
  const seen = refused.get(page) || [];
  assert.deepEqual(seen, [], `the Content-Security-Policy refused something on ${label}`);
}

async function newPage() {
  const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
  // Each document reports its own violations to the console, as
  // Chromium's "Refused to …" messages and as securitypolicyviolation events.
  await ctx.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Refused (securitypolicyviolation): ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await ctx.newPage();
  refused.set(page, []);
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Refused to|Content.Security.Policy|securitypolicyviolation/i.test(text)) {
      refused.get(page).push(`${page.url()}: ${text}`);
    }
  });
  page.on('pageerror', (err) => refused.get(page).push(`${page.url()}: script error ${err.message}`));
  return page;
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
  await page.goto(`${BASE}/embed/agenda`);
  noCspViolation(page, 'the embeddable agenda');
});

test('series colours and the day page\'s script under the Content-Security-Policy', async () => {
  const { ALMANACH_STAFF_EMAIL: email, ALMANACH_STAFF_PASSWORD: password, ALMANACH_SESSION: session,
    ALMANACH_COLOUR: colour } = process.env;
  assert.ok(email && password && session && colour, 'browser.rs names a staff account, a session and its colour');
  const page = await newPage();
  // The colour comes from /static/colours.css, not from a style attribute.
  await page.goto(`${BASE}/agenda`);
  const rgb = await page.locator(`li.session.c-${colour.slice(1)}`).first()
    .evaluate((el) => getComputedStyle(el).borderLeftColor);
  const hex = (n) => parseInt(colour.slice(n, n + 2), 16);
  assert.equal(rgb, `rgb(${hex(1)}, ${hex(3)}, ${hex(5)})`, 'the session wears its series colour');

  // « Mot de passe oublié ? », reached from the sign-in page.
  await page.goto(`${BASE}/staff/sign-in`);
  await axe(page, 'the sign-in page');
  await navigating(page, () => page.getByRole('link', { name: /oublié/i }).click());
  await axe(page, 'the password reset form');
  await page.fill('#f-email', 'pas-une-adresse');
  await navigating(page, () => page.getByRole('button', { name: /lien/i }).click());
  assert.ok(await page.locator('#e-email').isVisible(), 'the error next to the field');
  await axe(page, 'the password reset form with its error');

  // Signing in with the server's cookies (Secure, __Host- prefixed).
  await page.goto(`${BASE}/staff`);
  assert.match(page.url(), /\/staff\/sign-in/);
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await navigating(page, () => page.getByRole('button', { name: /connecter/i }).click());
  assert.match(new URL(page.url()).pathname, /^\/staff\/?$/, `signed in: ${page.url()}`);
  for (const path of ['/staff', '/staff/calendar', '/staff/events', '/staff/series', '/staff/day', '/staff/stats']) {
    await page.goto(`${BASE}${path}`);
    noCspViolation(page, path);
  }
  const swatch = await page.goto(`${BASE}/staff/series`).then(() =>
    page.locator(`.swatch.c-${colour.slice(1)}`).first().evaluate((el) => getComputedStyle(el).backgroundColor));
  assert.equal(swatch, `rgb(${hex(1)}, ${hex(3)}, ${hex(5)})`, 'the swatch shows the colour');

  // The day page's script (a file, /static/day.js) sends a tap without
  // leaving the page, and says so in its status line.
  await page.goto(`${BASE}/staff/sessions/${session}/day`);
  await page.evaluate(() => { window.stayed = true; });
  const status = page.locator('#day-status');
  await page.locator('form.walkin button[name=tap][value=add]').click();
  // Polled from here: waitForFunction would evaluate a string in the page,
  // which the policy (no 'unsafe-eval') refuses.
  for (let i = 0; i < 50 && (await status.textContent()).trim() === ''; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await page.evaluate(() => window.stayed), true, 'no page load: the script sent it');
  assert.ok((await status.textContent()).trim().length > 0);
  noCspViolation(page, 'the day page');
});
