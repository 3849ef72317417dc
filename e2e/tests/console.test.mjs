// The staff console in a real browser: sign in with the one-time password
// (choosing a new one and, as an admin, setting up the authenticator app),
// see the patrol page with the rule that flagged the feed item
// scripts/e2e.sh pushed, switch to Chinese, sign out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSession } from './browser.mjs';
import { firstAdminSignIn } from './staff.mjs';

const NAME = process.env.E2E_STAFF_NAME;
const PASSWORD = process.env.E2E_STAFF_PASSWORD;

test('staff sign in, see the patrol, sign out', { timeout: 90_000, skip: !NAME || !PASSWORD ? 'E2E_STAFF_NAME/PASSWORD not set (scripts/e2e.sh sets them)' : false }, async (t) => {
  await withSession(t, { locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en' } }, async ({ page }) => {
    // Not signed in: the patrol page sends us to sign in.
    await page.goto('/staff/patrol');
    assert.equal(new URL(page.url()).pathname, '/staff/login');

    await firstAdminSignIn(page, { name: NAME, oneTimePassword: PASSWORD, newPassword: 'a-new-password-for-e2e' });
    assert.match(await page.locator('#signed-in-as').textContent(), /e2e-admin \(admin\)/);

    // The pushed item is scanned by the server's workers within moments.
    let row = 0;
    for (let i = 0; i < 50 && row === 0; i++) {
      await page.goto('/staff/patrol');
      row = await page.locator('tr[data-rule="drugs.sale"]').count();
      if (row === 0) await page.waitForTimeout(200);
    }
    assert.equal(row, 1, 'drugs.sale appears in the rules table');
    assert.equal((await page.locator('[data-figure="items"]').textContent()).trim(), '1');

    await page.goto('/staff/patrol?lang=zh');
    assert.equal(await page.locator('h1').textContent(), '巡查');

    await Promise.all([page.waitForURL('**/staff/login'), page.click('form[action="/staff/logout"] button')]);
    await page.goto('/staff/patrol');
    assert.equal(new URL(page.url()).pathname, '/staff/login', 'signed out for good');
  });
});
