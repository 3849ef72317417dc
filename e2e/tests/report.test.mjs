// A person files a tip-off through the public form, with a picture as
// evidence, gets a receipt code and follows it to the status page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PNG_1X1, fillReportForm, isoDate, receiptCode, submitReport, tempFile, withSession,
} from './browser.mjs';

test('tip-off with a PNG gets a receipt and a status page', { timeout: 90_000 }, async (t) => {
  const png = await tempFile(t, 'screenshot.png', PNG_1X1);

  await withSession(t, {}, async ({ page }) => {
    const formPage = await page.goto('/report?lang=en');
    assert.equal(formPage.status(), 200, 'GET /report?lang=en');
    const headers = formPage.headers(); // names are lower-cased
    assert.ok(headers['content-security-policy'], 'the form page has a Content-Security-Policy header');
    assert.equal(headers['x-content-type-options'], 'nosniff', 'X-Content-Type-Options');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    // The honeypot and the CSRF token are in the form, untouched by a person.
    assert.equal(await page.locator('form#report-form input[name="csrf"]').count(), 1, 'csrf field');
    assert.ok((await page.locator('form#report-form input[name="csrf"]').inputValue()).length > 0, 'csrf has a value');
    assert.equal(await page.locator('form#report-form [name="website"]').inputValue(), '', 'honeypot is empty');

    await fillReportForm(page, {
      category: 'drugs',
      urls: 'https://example.test/shop/ice',
      handles: '@ice_seller_01',
      platform: 'ExampleNet',
      occurred_at: isoDate(3),
      description: 'This shop sells crystal meth ("ice") and ships it by courier. '
        + '店铺公开出售冰毒，通过快递发货。Seen on the listing page and in the seller profile.',
      evidence: [png],
      goodFaith: true,
    });

    const posted = await submitReport(page);
    assert.ok(posted.status() < 400, `POST /report answered ${posted.status()}`);

    const code = await receiptCode(page);
    assert.ok(code.length >= 16, `receipt code "${code}" is at least 16 characters`);
    assert.match(code, /^[A-Za-z0-9_-]+$/, 'receipt code is URL-safe');

    const link = page.locator('a#receipt-link');
    const href = await link.getAttribute('href');
    assert.equal(new URL(href, page.url()).pathname, `/r/${code}`, 'receipt link points at /r/{code}');

    await Promise.all([
      page.waitForURL((url) => url.pathname === `/r/${code}`),
      link.click(),
    ]);
    const status = page.locator('#report-status');
    assert.equal((await status.textContent()).trim(), 'Received');

    // The same status page in Chinese.
    await page.goto(`/r/${code}?lang=zh`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal((await page.locator('#report-status').textContent()).trim(), '已收到');
  });
});

test('an unknown receipt code is not found', { timeout: 60_000 }, async (t) => {
  await withSession(t, {}, async ({ page }) => {
    const res = await page.goto('/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?lang=en');
    assert.ok(res.status() >= 400 && res.status() < 500, `GET /r/<unknown> answered ${res.status()}, want 4xx (404)`);
    assert.equal(await page.locator('#report-status').count(), 0, 'no status is shown for an unknown code');
  });
});
