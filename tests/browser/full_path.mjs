// The whole path with its e-mails, in headless Chromium: agenda → event →
// register → the confirmation e-mail → its private link → cancel → the
// waiting party is promoted and receives its e-mail. Run by
// crates/jobs/tests/browser.rs, which serves the site (ALMANACH_URL) and a
// mailbox (MAILBOX_URL/mail/{address}: sends what is due, lists what arrived).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './chromium.mjs';

const BASE = process.env.ALMANACH_URL;
const MAILBOX = process.env.MAILBOX_URL;
assert.ok(BASE && MAILBOX, 'ALMANACH_URL and MAILBOX_URL must be set');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function navigating(page, action) {
  await Promise.all([page.waitForNavigation(), action()]);
}

/** The messages received for `address` (the worker sends what is due first). */
async function mail(address) {
  const res = await fetch(`${MAILBOX}/mail/${encodeURIComponent(address)}`);
  assert.equal(res.status, 200);
  return res.json();
}

/** The private link in an e-mail's text. */
function privateLink(text) {
  const m = text.match(/https?:\/\/[^\s]+\/r\/[0-9a-f]{64}/);
  assert.ok(m, `a private link in:\n${text}`);
  return m[0];
}

async function register(page, name, email) {
  await page.goto(`${BASE}/agenda`);
  await navigating(page, () => page.getByRole('link', { name: /Atelier robotique/ }).first().click());
  await navigating(page, () => page.getByRole('link', { name: /inscri|attente/i }).first().click());
  await page.fill('#f-name', name);
  await page.fill('#f-email', email);
  await navigating(page, () => page.locator('form button[type=submit]').last().click());
}

test('register, receive the e-mail, cancel from its link, the next one is promoted and told', async () => {
  const ctx = await browser.newContext({ locale: 'fr-FR' });
  const louise = await ctx.newPage();
  await register(louise, 'Louise Martin', 'louise@example.org');
  assert.ok(await louise.getByText(/inscrit/i).count() > 0, 'Louise is registered');

  const [confirmation] = await mail('louise@example.org');
  assert.ok(confirmation, 'the confirmation e-mail arrived');
  assert.match(confirmation.subject, /Atelier robotique/);
  const louiseLink = privateLink(confirmation.text);

  const other = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await register(other, 'Paul Durand', 'paul@example.org');
  assert.ok(await other.getByText(/liste d'attente/i).count() > 0, 'Paul waits');
  const paulMail = await mail('paul@example.org');
  assert.equal(paulMail.length, 1, 'Paul is told he waits');
  assert.match(paulMail[0].text, /attente/i);

  // Louise follows the link from her e-mail and cancels.
  await louise.goto(louiseLink);
  assert.ok(await louise.getByText('Louise Martin').count() > 0, 'the link shows her registration');
  await navigating(louise, () => louise.getByRole('link', { name: /annuler/i }).first().click());
  await navigating(louise, () => louise.getByRole('button', { name: /annuler/i }).first().click());
  assert.ok(await louise.getByText(/annulée/i).count() > 0, 'cancelled');

  // Paul is promoted and receives the e-mail saying so, whose link shows it.
  const after = await mail('paul@example.org');
  assert.equal(after.length, 2, 'a second e-mail for Paul');
  assert.match(after[1].text, /place|confirm/i);
  await other.goto(privateLink(after[1].text));
  assert.equal(await other.getByText(/position/i).count(), 0, 'Paul no longer waits');
});
