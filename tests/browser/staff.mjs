// Every staff page in a real headless Chromium, on the demo season: signed
// in as an administrator, each page is loaded at 1366×768 and at 390×844 and
// checked with axe-core (WCAG 2.0, 2.1 and 2.2 A/AA rules) for zero
// violations, with a form's errors shown too. It also checks what only a
// browser shows (issue 9): the menu is one row on a desktop and one button
// on a phone; nothing of a statistics card overflows it except inside a
// scroll region the keyboard can reach; chart labels are at least 12 px and
// never overlap; the day page's counter is in the first screen of a phone;
// the IT board fits a phone. Run by crates/almanach/src/browser.rs, which
// loads the demo, serves it (ALMANACH_URL) and names its records
// (ALMANACH_IDS, JSON), and checks that PAGES and NOT_PAGES cover every GET
// route of crates/web/src/pages/.
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
const IDS = JSON.parse(process.env.ALMANACH_IDS || '{}');
assert.ok(BASE, 'ALMANACH_URL must name the server');

/** Every staff page, `{name}` standing for a record of ALMANACH_IDS. */
export const PAGES = [
  '/staff',
  '/staff/day',
  '/staff/sessions/{session}/day',
  '/staff/sessions/{counter}/day',
  '/staff/calendar',
  '/staff/calendar/week',
  '/staff/events',
  '/staff/events/new',
  '/staff/events/{event}',
  '/staff/events/{event}/edit',
  '/staff/events/{event}/cancel',
  '/staff/events/{event}/duplicate',
  '/staff/events/{event}/sessions/new',
  '/staff/sessions/{session}',
  '/staff/sessions/{session}/duplicate',
  '/staff/sessions/{session}/cancel',
  '/staff/sessions/{session}/restore',
  '/staff/registrations/{registration}/cancel',
  '/staff/registrations/{registration}/move?to=s:{other}',
  '/staff/actions/{action}',
  '/staff/sessions/{session}/registrations',
  '/staff/sessions/{session}/emails',
  '/staff/sessions/{session}/needs',
  '/staff/sessions/{session}/costs',
  '/staff/needs/{need}',
  '/staff/it',
  '/staff/it/catalogue',
  '/staff/it/catalogue/new',
  '/staff/it/catalogue/{need_type}',
  '/staff/it/settings',
  '/staff/it/digest',
  '/staff/series',
  '/staff/series/new',
  '/staff/series/{series}',
  '/staff/series/{series}/needs',
  '/staff/themes',
  '/staff/themes/new',
  '/staff/themes/{theme}',
  '/staff/themes/{theme}/edit',
  '/staff/rooms',
  '/staff/rooms/new',
  '/staff/rooms/{room}',
  '/staff/speakers',
  '/staff/speakers/new',
  '/staff/speakers/{speaker}',
  '/staff/speakers/{speaker}/edit',
  '/staff/speakers/{speaker}/documents',
  '/staff/speakers/pipeline',
  '/staff/prospects/{prospect}',
  '/staff/tools',
  '/staff/tools/new',
  '/staff/tools/{tool}',
  '/staff/budgets',
  '/staff/stats',
  '/staff/stats/review',
  '/staff/team',
  '/staff/team/new',
  '/staff/team/{member}',
  '/staff/tokens',
  '/staff/library',
  '/staff/import',
  '/staff/password-reset',
  '/staff/audit',
  '/staff/personal-data',
  '/staff/personal-data?email={email}',
];

/** GET routes that are not pages: files to download, redirects, assets. */
export const NOT_PAGES = [
  '/',
  '/healthz',
  '/static/app.css',
  '/static/nav.js',
  '/static/pick.js',
  '/static/day.js',
  '/static/colours.css',
  '/static/review.css',
  // A link from an e-mail, signed: public.mjs checks its form with axe.
  '/staff/password-reset/{token}',
  '/lang/{code}',
  '/staff/sign-in',
  '/staff/stats/breakdown.csv',
  '/staff/stats/review.pdf',
  '/staff/stats/review.csv',
  '/staff/sessions/{id}/registrations.csv',
  '/staff/documents/{id}',
  '/staff/personal-data/export',
];

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A page of its own context, signed in as the demo's administrator. */
async function signedIn(viewport) {
  const ctx = await browser.newContext({ locale: 'fr-FR', viewport });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/staff/sign-in`);
  await page.fill('input[name=email]', IDS.admin);
  await page.fill('input[name=password]', IDS.password);
  await Promise.all([page.waitForNavigation(), page.locator('form button[type=submit]').last().click()]);
  assert.match(new URL(page.url()).pathname, /^\/staff\/?$/, 'signed in');
  return page;
}

function url(pattern) {
  return pattern.replace(/\{(\w+)\}/g, (_, k) => {
    assert.ok(IDS[k] !== undefined, `ALMANACH_IDS names no ${k}`);
    return encodeURIComponent(String(IDS[k]));
  });
}

/** Runs axe on the page; every violation with its nodes in the message. */
async function axe(page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(AXE_SOURCE);
  }
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
  });
  return result.violations.map((v) => `${label}: ${v.id} (${v.impact}): ${v.help}\n      ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join('\n      ')}`);
}

/** The menu: one row on a desktop; on a phone one button, the links hidden until it opens. */
async function menuProblems(page, viewport, label) {
  return page.evaluate(({ phone, label }) => {
    const out = [];
    const header = document.querySelector('header.top');
    if (!header) { return out; }
    const items = [...header.querySelectorAll('nav > ul > li')];
    if (!items.length) { out.push(`${label}: no menu`); return out; }
    const toggle = document.querySelector('nav.menu .menu-toggle > summary');
    const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
    if (!phone) {
      const tops = new Set(items.map((li) => Math.round(li.getBoundingClientRect().top)));
      if (tops.size !== 1) { out.push(`${label}: the menu's ${items.length} items sit on ${tops.size} rows`); }
      const who = header.querySelector('.who');
      if (who && Math.abs(who.getBoundingClientRect().top - header.querySelector('.brand').getBoundingClientRect().top) > 24) {
        out.push(`${label}: the account menu is not on the menu's row`);
      }
      if (header.getBoundingClientRect().height > 64) { out.push(`${label}: the header is ${header.getBoundingClientRect().height}px high`); }
      if (toggle && visible(toggle)) { out.push(`${label}: a menu button on a desktop`); }
      if (!items.every(visible)) { out.push(`${label}: a menu item is hidden on a desktop`); }
    } else {
      if (!toggle || !visible(toggle)) { out.push(`${label}: no menu button on a phone`); }
      const shown = [...document.querySelectorAll('nav.menu a, #menu-list summary')].filter(visible);
      if (shown.length) { out.push(`${label}: ${shown.length} menu entries shown before the menu is opened`); }
      if (header.getBoundingClientRect().height > 64) { out.push(`${label}: the closed header is ${header.getBoundingClientRect().height}px high`); }
    }
    return out;
  }, { phone: viewport.width < 600, label });
}

/**
 * Statistics cards (a chart's figure, a key figure): no element sticks out
 * of its card, except inside a scroll region the keyboard can reach; chart
 * texts are 12 px or more, inside their chart, and never overlap.
 */
async function cardProblems(page, label) {
  return page.evaluate((label) => {
    const out = [];
    const cards = [...document.querySelectorAll('figure.chart, ul.stats > li, .figures > li')];
    const regionOf = (el, card) => {
      for (let e = el.parentElement; e && e !== card; e = e.parentElement) {
        if (e.matches('[role=region][tabindex="0"]') && e.getAttribute('aria-label') !== '' &&
            (e.hasAttribute('aria-label') || e.hasAttribute('aria-labelledby')) &&
            ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) { return e; }
      }
      return null;
    };
    for (const card of cards) {
      const c = card.getBoundingClientRect();
      for (const el of card.querySelectorAll('*')) {
        if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') { continue; }
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) { continue; }
        if ((r.right > c.right + 1 || r.left < c.left - 1) && !regionOf(el, card)) {
          out.push(`${label}: <${el.tagName.toLowerCase()}> "${(el.textContent || '').trim().slice(0, 30)}" overflows its card by ${Math.round(Math.max(r.right - c.right, c.left - r.left))}px`);
          break;
        }
      }
      // A region that does not scroll need not be there, but one that scrolls must be reachable.
      for (const el of card.querySelectorAll('*')) {
        if (el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) &&
            !(el.matches('[role=region][tabindex="0"]') && (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby')))) {
          out.push(`${label}: a scrolling <${el.tagName.toLowerCase()}> the keyboard cannot reach`);
        }
      }
    }
    for (const svg of document.querySelectorAll('figure.chart svg')) {
      const box = svg.getBoundingClientRect();
      const scale = box.width / svg.viewBox.baseVal.width;
      const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '');
      const rects = texts.map((t) => t.getBoundingClientRect());
      texts.forEach((t, i) => {
        const px = parseFloat(getComputedStyle(t).fontSize) * scale;
        if (px < 12) { out.push(`${label}: chart text "${t.textContent}" is ${px.toFixed(1)}px`); }
        const r = rects[i];
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
          out.push(`${label}: chart text "${t.textContent}" sticks out of its chart`);
        }
        for (let j = i + 1; j < texts.length; j++) {
          const s = rects[j];
          const overlap = Math.min(r.right, s.right) - Math.max(r.left, s.left) > 1 && Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) > 2;
          if (overlap) { out.push(`${label}: chart texts "${t.textContent}" and "${texts[j].textContent}" overlap`); }
        }
      });
    }
    return out;
  }, label);
}

/** Nothing wider than the screen, but inside a scroll region. */
async function pageOverflow(page, label) {
  return page.evaluate((label) => {
    const w = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('main *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= w + 1) { continue; }
      if (el.closest('[role=region][tabindex="0"], .scroll')) { continue; }
      out.push(`${label}: <${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ')[0] : ''}> "${(el.textContent || '').trim().slice(0, 30)}" goes ${Math.round(r.right - w)}px past the screen`);
      break;
    }
    return out;
  }, label);
}

for (const viewport of [DESKTOP, PHONE]) {
  const size = `${viewport.width}×${viewport.height}`;
  test(`every staff page at ${size}: axe, the menu, the statistics cards`, async () => {
    const page = await signedIn(viewport);
    const problems = [];
    for (const pattern of PAGES) {
      const path = url(pattern);
      const label = `${path} at ${size}`;
      const res = await page.goto(`${BASE}${path}`);
      if (res.status() !== 200) { problems.push(`${label}: answers ${res.status()}`); continue; }
      problems.push(...await axe(page, label));
      problems.push(...await menuProblems(page, viewport, label));
      problems.push(...await cardProblems(page, label));
      if (viewport === PHONE && /^\/staff(\/it|\/stats|\/day|\/sessions\/[^/]+\/day)?$/.test(path.split('?')[0])) {
        problems.push(...await pageOverflow(page, label));
      }
    }
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });
}

test('forms showing their errors, and the sign-in page, pass axe', async () => {
  const problems = [];
  for (const viewport of [DESKTOP, PHONE]) {
    const page = await signedIn(viewport);
    for (const form of ['/staff/events/new', '/staff/rooms/new', '/staff/themes/new', `/staff/events/${IDS.event}/sessions/new`]) {
      await page.goto(`${BASE}${form}`);
      // The form's fields emptied, then sent as they are.
      await page.evaluate(() => {
        for (const el of document.querySelectorAll('main form input[type=text], main form input[type=number], main form input[type=date], main form input[type=time], main form textarea')) { el.value = ''; }
      });
      const submit = page.locator('main form[method=post] button[type=submit]').last();
      await Promise.all([page.waitForNavigation(), submit.click()]);
      const label = `${form} with its errors at ${viewport.width}px`;
      assert.ok(await page.locator('.error').count() > 0, `${label}: errors shown`);
      problems.push(...await axe(page, label));
    }
    const ctx = await browser.newContext({ locale: 'fr-FR', viewport });
    const anon = await ctx.newPage();
    await anon.goto(`${BASE}/staff/sign-in`);
    problems.push(...await axe(anon, `/staff/sign-in at ${viewport.width}px`));
    await ctx.close();
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});

test('on a phone the menu opens with its button, by keyboard, and every group opens', async () => {
  const page = await signedIn(PHONE);
  await page.goto(`${BASE}/staff/events`);
  const toggle = page.locator('nav.menu .menu-toggle > summary');
  assert.equal(await page.getByRole('link', { name: 'Tableau de bord' }).isVisible(), false, 'hidden before');
  await toggle.focus();
  await page.keyboard.press('Enter');
  assert.ok(await page.getByRole('link', { name: 'Tableau de bord' }).isVisible(), 'shown once opened');
  const current = page.locator('#menu-list li.current > details > summary');
  assert.equal(await current.textContent(), 'Programme', 'the current page\'s group is marked');
  await current.click();
  const events = page.locator('#menu-list a[aria-current="page"]');
  assert.equal(await events.textContent(), 'Événements');
  assert.ok(await events.isVisible());
  for (const group of await page.locator('#menu-list li.group > details > summary').all()) {
    if (!(await group.evaluate((s) => s.parentElement.open))) { await group.click(); }
    assert.ok(await group.locator('xpath=..').locator('a').first().isVisible(), `${await group.textContent()} opens`);
  }
  // The account: language and sign-out, after the groups.
  await page.locator('.who summary').click();
  assert.ok(await page.getByRole('button', { name: 'Se déconnecter' }).isVisible());
});

test('on a desktop a group opens with the keyboard, closes with Escape, and its links are visible', async () => {
  const page = await signedIn(DESKTOP);
  await page.goto(`${BASE}/staff`);
  const stats = page.locator('#menu-list li.group > details > summary', { hasText: 'Statistiques' });
  await stats.focus();
  await page.keyboard.press('Enter');
  const review = page.getByRole('link', { name: 'Bilan de saison' });
  assert.ok(await review.isVisible(), 'the group opens');
  const focusOutline = await stats.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(focusOutline, 'none', 'the focused button shows its focus');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '/staff/stats', 'the first link of the group is next');
  await page.keyboard.press('Escape');
  assert.equal(await review.isVisible(), false, 'Escape closes it');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SUMMARY', 'the focus goes back to the group');
  // Without script, a group still opens and closes (the <details> element).
  const ctx = await browser.newContext({ locale: 'fr-FR', viewport: DESKTOP, javaScriptEnabled: false });
  const plain = await ctx.newPage();
  await plain.goto(`${BASE}/staff/sign-in`);
  await plain.fill('input[name=email]', IDS.admin);
  await plain.fill('input[name=password]', IDS.password);
  await Promise.all([plain.waitForNavigation(), plain.locator('form button[type=submit]').last().click()]);
  await plain.locator('#menu-list summary', { hasText: 'Administration' }).click();
  assert.ok(await plain.getByRole('link', { name: 'Équipe' }).isVisible(), 'a group opens without script');
  await ctx.close();
});

test('the day page shows its counter in the first screen of a phone', async () => {
  const page = await signedIn(PHONE);
  await page.goto(`${BASE}/staff/sessions/${IDS.counter}/day`);
  for (const counter of await page.locator('form.counter').all()) {
    const box = await counter.boundingBox();
    assert.ok(box && box.y + box.height <= PHONE.height, `a counter ends at ${box?.y + box?.height}px, below the first screen`);
  }
  assert.equal(await page.locator('form.counter').count(), 2, 'participants and under-14s');
  await page.goto(`${BASE}/staff/sessions/${IDS.session}/day`);
  for (const sel of ['dl.counts', 'form.walkin button[value=add]', 'form.walkin button[value=remove]']) {
    const box = await page.locator(sel).boundingBox();
    assert.ok(box && box.y + box.height <= PHONE.height, `${sel} ends at ${box?.y + box?.height}px, below the first screen`);
  }
  assert.ok(await page.locator('ul.checkins li').count() > 0, 'the registered parties follow');
});
