// The portal speaks English and Chinese: Accept-Language picks the first
// page's language, the switch links change it, and a cookie keeps it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { BASE_URL, htmlLang, withSession } from './browser.mjs';

const ENGLISH = {
  locale: 'en-US',
  extraHTTPHeaders: { 'Accept-Language': 'en-US,en;q=0.9' },
};

async function switchTo(page, hreflang) {
  const link = page.locator(`a[hreflang="${hreflang}"]`).first();
  // The server may answer ?lang= with the page or with a redirect that sets
  // the cookie; either way wait for the next document in the main frame.
  await Promise.all([
    page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()),
    link.click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
}

async function assertSwitchLinks(page) {
  const en = page.locator('a[hreflang="en"]');
  const zh = page.locator('a[hreflang="zh-CN"]');
  assert.ok(await en.count() >= 1, `${page.url()} has a link to English`);
  assert.ok(await zh.count() >= 1, `${page.url()} has a link to Chinese`);
  assert.equal(new URL(await en.first().getAttribute('href'), page.url()).searchParams.get('lang'), 'en');
  assert.equal(new URL(await zh.first().getAttribute('href'), page.url()).searchParams.get('lang'), 'zh');
  assert.equal((await en.first().textContent()).trim(), 'English');
  assert.equal((await zh.first().textContent()).trim(), '中文');
}

test('Accept-Language, switch links and the lang cookie', { timeout: 90_000 }, async (t) => {
  await withSession(t, ENGLISH, async ({ page, context }) => {
    const home = await page.goto('/');
    assert.equal(home.status(), 200);
    assert.equal(await htmlLang(page), 'en', 'English browser gets English');
    await assertSwitchLinks(page);

    // The home page leads to the three public areas.
    const paths = await page.locator('a[href]').evaluateAll(
      (links) => links.map((a) => new URL(a.href, document.baseURI).pathname),
    );
    for (const p of ['/learn', '/help', '/report']) {
      assert.ok(paths.includes(p), `home links to ${p} (links: ${[...new Set(paths)].join(' ')})`);
    }

    await switchTo(page, 'zh-CN');
    assert.equal(await htmlLang(page), 'zh-CN', 'after choosing 中文');
    const cookies = await context.cookies();
    assert.ok(cookies.some((c) => c.name === 'lang'), `a lang cookie is set (cookies: ${cookies.map((c) => c.name).join(', ')})`);

    // The cookie wins over the browser's Accept-Language on later pages.
    for (const path of ['/learn', '/help', '/report', '/']) {
      const res = await page.goto(path);
      assert.equal(res.status(), 200, `GET ${path}`);
      assert.equal(await htmlLang(page), 'zh-CN', `${path} stays in Chinese`);
      await assertSwitchLinks(page);
    }

    await page.goto('/learn');
    await switchTo(page, 'en');
    assert.equal(await htmlLang(page), 'en', 'after choosing English');
    await page.goto('/help');
    assert.equal(await htmlLang(page), 'en', '/help stays in English');
  });
});

test('a Chinese browser gets Chinese', { timeout: 60_000 }, async (t) => {
  await withSession(t, {
    locale: 'zh-CN',
    extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9,en;q=0.5' },
  }, async ({ page }) => {
    await page.goto('/');
    assert.equal(await htmlLang(page), 'zh-CN');
  });
});

test('without cookie or Accept-Language the portal answers in Chinese', { timeout: 30_000 }, async () => {
  // Browsers always send Accept-Language, so ask with a bare HTTP request.
  const html = await new Promise((resolve, reject) => {
    const req = request(`${BASE_URL}/`, { headers: { Accept: 'text/html' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET / answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('GET / timed out')));
    req.end();
  });
  assert.match(html, /<html[^>]*\blang="zh-CN"/);
});
