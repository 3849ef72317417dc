// Staff sign-in helpers for the browser tests: TOTP codes computed with
// node's crypto (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps), and the
// first sign-in of an admin, which changes the one-time password and sets up
// the authenticator app before the console opens.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes RFC 4648 base32 (spaces and padding ignored). */
export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The TOTP code of one step. */
export function totpCode(secretBase32, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, '0');
}

/** The step the clock is in now. */
export function currentStep() {
  return Math.floor(Date.now() / 1000 / 30);
}

// The RFC 6238 SHA-1 vector at 59 s (last six digits of 94287082), so a
// broken helper fails here rather than as a puzzling sign-in error.
assert.equal(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1), '287082');

async function submit(page) {
  await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('main button[type=submit]')]);
}

/**
 * Signs an admin in for the first time: the one-time password, a new
 * password, then the authenticator app's set-up page, answered with a code
 * computed here. Returns the secret and the step whose code was used.
 */
export async function firstAdminSignIn(page, { name, oneTimePassword, newPassword }) {
  await page.goto('/staff/login');
  await page.fill('#name', name);
  await page.fill('#password', oneTimePassword);
  await submit(page);
  assert.equal(await page.locator('[data-error-code]').getAttribute('data-error-code'), 'password_change_required');

  await page.fill('#password', oneTimePassword);
  await page.fill('#new_password', newPassword);
  await submit(page);
  // No session yet: the set-up page with the secret, its link and QR code.
  assert.match(await page.locator('#totp-uri').textContent(), new RegExp(`^otpauth://totp/Harrier:${name}\\?secret=`));
  assert.equal(await page.locator('figure.qr svg').count(), 1, 'the QR code is inline SVG');
  const secret = (await page.locator('#totp-secret').textContent()).replace(/\s/g, '');
  const step = currentStep();
  await page.fill('#code', totpCode(secret, step));
  await Promise.all([page.waitForURL('**/staff/cases'), page.click('main button[type=submit]')]);
  return { secret, step };
}
