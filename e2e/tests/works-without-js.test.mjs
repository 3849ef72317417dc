// The portal must work for a person whose browser runs no JavaScript
// (Tor Browser on "safest", locked-down work machines, old phones).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillReportForm, receiptCode, submitReport, withSession } from './browser.mjs';

test('the tip-off form works with JavaScript off', { timeout: 90_000 }, async (t) => {
  await withSession(t, { javaScriptEnabled: false }, async ({ page }) => {
    const res = await page.goto('/report?lang=en');
    assert.equal(res.status(), 200);

    await fillReportForm(page, {
      category: 'drugs',
      urls: 'https://example.test/shop/ice',
      handles: '@ice_seller_01',
      rooms: 'https://example.test/join/abc123',
      platform: 'ExampleNet',
      description: 'Invite-only room selling drugs; the invite link is posted under videos. '
        + '邀请制群组贩卖毒品。',
      goodFaith: true,
    });

    const posted = await submitReport(page);
    assert.ok(posted.status() < 400, `POST /report answered ${posted.status()}`);
    const code = await receiptCode(page);
    assert.ok(code.length >= 16, `receipt code "${code}" is at least 16 characters`);

    await Promise.all([
      page.waitForURL((url) => url.pathname === `/r/${code}`),
      page.locator('a#receipt-link').click(),
    ]);
    assert.equal((await page.locator('#report-status').textContent()).trim(), 'Received');
  });
});
