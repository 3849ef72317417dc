// A case from a tip-off, in a real browser: an admin signs in with TOTP,
// triages a tip-off into a case, attaches evidence (its hostile file name
// shown as text, the image blurred until asked), moves the case, uses the
// keyboard shortcuts, and sees each step in the case's audit entries and in
// the audit log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, PNG_1X1, withSession } from './browser.mjs';
import { firstAdminSignIn } from './staff.mjs';

const NAME = process.env.E2E_CASES_NAME;
const PASSWORD = process.env.E2E_CASES_PASSWORD;
// (Chromium sends quotes in a file name as %22, so this one has none.)
const HOSTILE = '<img src=x onerror=window.__xss=1>.png';

test('triage a tip-off into a case, attach evidence, see the audit entry', {
  timeout: 120_000,
  skip: !NAME || !PASSWORD ? 'E2E_CASES_NAME/PASSWORD not set (scripts/e2e.sh sets them)' : false,
}, async (t) => {
  const marker = `e2e-case-${Date.now()}`;
  const filed = await fetch(`${BASE_URL}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      category: 'drugs',
      explanation: `${marker}: sells ice (冰毒) by the gram in a private group`,
      locations: [{ kind: 'handle', value: `@${marker}` }],
      good_faith: true,
    }),
  });
  assert.equal(filed.status, 201);

  await withSession(t, { locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en' } }, async ({ page }) => {
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await firstAdminSignIn(page, { name: NAME, oneTimePassword: PASSWORD, newPassword: 'cases-e2e-own-password' });

    // The tip-off waits on the tip-offs page; triage it.
    await page.goto('/staff/reports');
    const row = page.locator('tr[data-report]', { hasText: marker });
    assert.equal(await row.count(), 1);
    await Promise.all([page.waitForURL(/\/staff\/cases\/\d+$/), row.locator('button[data-triage]').click()]);
    const caseUrl = page.url();
    assert.equal(await page.locator('#case-state').textContent(), 'triage');
    assert.match(await page.locator('article.report').first().textContent(), new RegExp(marker));

    // Attach evidence with a hostile name: it is stored and shown as text.
    await page.setInputFiles('#evidence-file', { name: HOSTILE, mimeType: 'image/png', buffer: PNG_1X1 });
    await page.fill('#evidence-form input[name=note]', 'screenshot of the price list');
    await page.click('#evidence-form button[type=submit]');
    const evidence = page.locator('#evidence tr[data-evidence]');
    await evidence.first().waitFor();
    assert.equal(await evidence.count(), 1);
    assert.ok((await evidence.first().textContent()).includes(HOSTILE), 'the file name is shown as typed');
    assert.equal(await page.locator('img[src=x]').count(), 0);

    // Images only on request, blurred and grey until unblurred.
    assert.equal(await page.locator('.evidence-image img').count(), 0);
    await Promise.all([page.waitForURL(/show=images/), page.click('#show-images')]);
    const img = page.locator('.evidence-image img');
    // A lazily loaded image below the fold has no size until it is scrolled to.
    await img.evaluate((el) => el.scrollIntoView());
    await img.waitFor();
    assert.match(await img.evaluate((el) => getComputedStyle(el).filter), /blur\(24px\) grayscale\(1\)/);
    await page.locator('.evidence-image label').click();
    assert.equal(await img.evaluate((el) => getComputedStyle(el).filter), 'none');
    assert.equal(await img.evaluate((el) => el.naturalWidth), 1, 'the image loads from its sandboxed route');

    // Move the case with a reason.
    await page.goto(caseUrl);
    await page.selectOption('#move-to', 'investigating');
    await page.fill('#move-reason', 'price list and contact handle match');
    await page.click('#move-form button[type=submit]');
    await page.locator('#case-state', { hasText: 'investigating' }).waitFor();

    // Keyboard: c claims the case.
    await page.keyboard.press('c');
    await page.locator('#assignee', { hasText: NAME }).waitFor();

    // Every step is in the case's audit entries...
    const actions = await page.locator('#case-audit td code:not(.hostile)').allTextContents();
    for (const action of ['case.opened', 'case.report_added', 'case.transition', 'evidence.added', 'case.assigned']) {
      assert.ok(actions.includes(action), `${action} in ${actions}`);
    }
    // ...and in the audit log, linked back to the case.
    await page.goto('/staff/audit');
    const caseId = caseUrl.split('/').pop();
    const entries = page.locator('#audit tr', { hasText: 'evidence.added' });
    assert.ok(await entries.count() >= 1);
    assert.equal(await page.locator(`#audit a[href="/staff/cases/${caseId}"]`).first().isVisible(), true);
    assert.match(await page.locator('#audit-head').textContent(), /^\d+:[0-9a-f]{64}$/);

    // The queue: j selects the first row, Enter opens it.
    await page.goto('/staff/cases?sort=newest');
    await page.keyboard.press('j');
    await Promise.all([page.waitForURL(/\/staff\/cases\/\d+$/), page.keyboard.press('Enter')]);

    assert.deepEqual(dialogs, [], 'no script from reported content ran');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  });
});
