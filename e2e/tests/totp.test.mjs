// Log in with TOTP in a real browser: an admin's first sign-in sets up the
// authenticator app; afterwards the password alone is refused, the password
// with the code computed here signs in, and "sign out everywhere" ends it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSession } from './browser.mjs';
import { currentStep, firstAdminSignIn, totpCode } from './staff.mjs';

const NAME = process.env.E2E_TOTP_NAME;
const PASSWORD = process.env.E2E_TOTP_PASSWORD;
const NEW_PASSWORD = 'totp-e2e-own-password';

test('log in with TOTP', { timeout: 90_000, skip: !NAME || !PASSWORD ? 'E2E_TOTP_NAME/PASSWORD not set (scripts/e2e.sh sets them)' : false }, async (t) => {
  await withSession(t, { locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en' } }, async ({ page }) => {
    const { secret, step } = await firstAdminSignIn(page, { name: NAME, oneTimePassword: PASSWORD, newPassword: NEW_PASSWORD });
    await page.goto('/staff/account');
    assert.equal(await page.locator('#totp-state').getAttribute('data-state'), 'on');
    await Promise.all([page.waitForURL('**/staff/login'), page.click('form[action="/staff/logout"] button')]);

    // The password alone: asked for the code.
    await page.fill('#name', NAME);
    await page.fill('#password', NEW_PASSWORD);
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('main button[type=submit]')]);
    assert.equal(await page.locator('[data-error-code]').getAttribute('data-error-code'), 'totp_required');

    // The code used to set up the app is used up; a wrong one is refused.
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#totp', totpCode(secret, step));
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('main button[type=submit]')]);
    assert.equal(await page.locator('[data-error-code]').getAttribute('data-error-code'), 'totp_invalid');

    // A fresh code (the next step is within the allowed drift) signs in.
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#totp', totpCode(secret, Math.max(step + 1, currentStep())));
    await Promise.all([page.waitForURL('**/staff/cases'), page.click('main button[type=submit]')]);
    assert.match(await page.locator('#signed-in-as').textContent(), new RegExp(`${NAME} \\(admin\\)`));

    await page.goto('/staff/account');
    await Promise.all([page.waitForURL('**/staff/login'), page.click('#logout-all')]);
    await page.goto('/staff/patrol');
    assert.equal(new URL(page.url()).pathname, '/staff/login', 'signed out everywhere');
  });
});
