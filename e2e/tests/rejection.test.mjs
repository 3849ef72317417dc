// A tip-off with a file the portal does not take (a Windows program) is
// refused with a message; what the person typed is still there, and the
// report goes through once the file is replaced.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PNG_1X1, fillReportForm, receiptCode, submitReport, tempFile, withSession,
} from './browser.mjs';

// The start of a PE executable: "MZ", then DOS-header padding and the
// "This program cannot be run in DOS mode" stub.
const EXE = Buffer.concat([
  Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]),
  Buffer.alloc(48),
  Buffer.from('This program cannot be run in DOS mode.\r\r\n$', 'latin1'),
  Buffer.alloc(64),
]);

const TYPED = {
  category: 'fraud_scams',
  urls: 'https://example.test/invest/guaranteed\nhttps://example.test/invest/withdraw',
  handles: '@quick_profit_teacher',
  platform: 'ExampleNet',
  description: 'A "teacher" in an investment group promises 30% a week and then blocks '
    + 'people who ask to withdraw. 投资群里的“老师”承诺每周30%收益，要求提现就拉黑。',
};

test('an .exe is refused and the typed fields are kept', { timeout: 90_000 }, async (t) => {
  const exe = await tempFile(t, 'evil.exe', EXE);
  const png = await tempFile(t, 'proof.png', PNG_1X1);

  await withSession(t, {}, async ({ page }) => {
    await page.goto('/report?lang=en');
    await fillReportForm(page, { ...TYPED, evidence: [exe], goodFaith: true });

    const posted = await submitReport(page);
    assert.ok(posted.status() >= 400 && posted.status() < 500,
      `POST /report with evil.exe answered ${posted.status()}, want 4xx`);

    const coded = page.locator('[data-error-code="file_type_not_allowed"]');
    assert.ok(await coded.count() >= 1, 'an element with data-error-code="file_type_not_allowed"');
    const codes = await page.locator('[data-error-code]').evaluateAll(
      (els) => els.map((e) => e.getAttribute('data-error-code')),
    );
    for (const c of codes) assert.match(c, /^[a-z][a-z0-9_]*$/, `error code "${c}" is snake_case`);

    const message = page.locator('.error').first();
    assert.ok(await message.isVisible(), 'the error message is visible');
    assert.ok((await message.textContent()).trim().length > 0, 'the error message has text');
    assert.equal(await page.locator('#receipt-code').count(), 0, 'no receipt for a refused report');

    // Still the form, in English, with what the person typed.
    const form = page.locator('form#report-form');
    assert.equal(await form.count(), 1, 'the form is shown again');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await form.locator('textarea[name="description"]').inputValue(), TYPED.description);
    assert.equal(await form.locator('select[name="category"]').inputValue(), TYPED.category);
    assert.equal((await form.locator('[name="urls"]').inputValue()).trim(), TYPED.urls);
    assert.equal((await form.locator('[name="handles"]').inputValue()).trim(), TYPED.handles);
    assert.equal(await form.locator('[name="platform"]').inputValue(), TYPED.platform);
    assert.equal(await form.locator('[name="website"]').inputValue(), '', 'honeypot stays empty');

    // Replace the file and send again: the re-shown form carries a working
    // CSRF token, so the report now goes through.
    await fillReportForm(page, { evidence: [png], goodFaith: true });
    const again = await submitReport(page);
    assert.ok(again.status() < 400, `second POST /report answered ${again.status()}`);
    assert.ok((await receiptCode(page)).length >= 16, 'receipt after fixing the file');
  });
});
