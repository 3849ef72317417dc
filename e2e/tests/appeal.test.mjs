// Decisions and appeals in Chromium: a moderator takes a decision on a
// tip-off through the console's form (preview, then confirm), the affected
// person reads it behind the appeal code and appeals with a file, a
// reviewer reverses it, and the person and the reporter see the outcome.
// Hostile text goes in at every step (facts, the appeal, the reasons) and
// must never run or become markup.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, PNG_1X1, tempFile, withSession } from './browser.mjs';

const MODERATOR = ['e2e-moderator', process.env.E2E_MODERATOR_PASSWORD];
const REVIEWER = ['e2e-reviewer', process.env.E2E_REVIEWER_PASSWORD];
const NEW_PASSWORD = 'appeal-e2e-own-password';
const HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>';

async function json(method, path, token, value) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: value === undefined ? undefined : JSON.stringify(value),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text };
}

async function apiSignIn([name, password]) {
  const answer = await json('POST', '/api/v1/auth/login', null, { name, password, new_password: NEW_PASSWORD });
  assert.equal(answer.status, 200, answer.text);
  return answer.body.token;
}

async function consoleSignIn(page, [name]) {
  await page.goto('/staff/login');
  await page.fill('#name', name);
  await page.fill('#password', NEW_PASSWORD);
  await Promise.all([page.waitForURL('**/staff/cases'), page.click('main button[type=submit]')]);
}

/** Nothing ran and no markup came from the hostile text. */
async function clean(page, dialogs, where) {
  const found = await page.evaluate(() => ({
    marker: window.__xss === 1,
    handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
    scripts: [...document.scripts].filter((s) => !/\/staff\/console\.js$/.test(s.src)).length,
  }));
  assert.deepEqual({ dialogs: dialogs.length, ...found }, { dialogs: 0, marker: false, handlers: 0, scripts: 0 }, where);
}

const missing = !MODERATOR[1] || !REVIEWER[1];

test('a decision is taken, appealed with a file and reversed by another person', {
  timeout: 180_000,
  skip: missing ? 'the e2e moderator and reviewer are not set (scripts/e2e.sh sets them)' : false,
}, async (t) => {
  const moderator = await apiSignIn(MODERATOR);
  await apiSignIn(REVIEWER);
  const handle = `@appeal_e2e_${Date.now()}`;
  const filed = await json('POST', '/api/v1/reports', null, {
    category: 'drugs', good_faith: true, explanation: `sells ice ${HOSTILE}`,
    locations: [{ kind: 'handle', value: handle }], platform: 'ExampleNet',
  });
  assert.equal(filed.status, 201, filed.text);
  const receipt = filed.body.receipt;
  const reports = await json('GET', '/api/v1/reports?limit=50', moderator);
  const report = reports.body.reports.find((r) => r.locations.some((l) => l.value === handle.slice(1)) || r.locations.some((l) => l.value === handle));
  assert.ok(report, 'the tip-off is listed');
  const triaged = await json('POST', `/api/v1/reports/${report.id}/triage`, moderator, { reason: 'e2e' });
  assert.equal(triaged.status, 200, triaged.text);
  const caseId = triaged.body.case_id;

  let appealPath;
  await withSession(t, { locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en' } }, async ({ page }) => {
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await consoleSignIn(page, MODERATOR);
    await page.goto(`/staff/cases/${caseId}`);
    await Promise.all([page.waitForURL(`**/staff/cases/${caseId}/decide`), page.click('#take-decision')]);
    await page.fill('#legal_ground', 'Criminal Law Art. 347');
    await page.fill('#explanation', 'Offers methamphetamine for sale.');
    await page.check('input[name=visibility][value=removed]');
    await page.fill('#facts', `Posts with prices per gram. ${HOSTILE}`);
    await page.selectOption('select[name=notice_language]', 'en');
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#preview-decision')]);
    const preview = await page.locator('#notice-preview pre').textContent();
    assert.match(preview, /content removed/);
    assert.ok(preview.includes(HOSTILE), 'the facts are shown as text in the preview');
    await clean(page, dialogs, 'the preview');
    await Promise.all([page.waitForURL(`**/staff/cases/${caseId}`), page.click('#confirm-decision')]);
    assert.equal(await page.locator('#case-state').textContent(), 'decided');
    await clean(page, dialogs, 'the case page');
    const notice = await page.locator('#decisions pre').first().textContent();
    appealPath = new URL(notice.match(/https?:\/\/\S+\/appeal\/[0-9A-Z-]+/)[0]).pathname;
  });

  await withSession(t, { locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en' } }, async ({ page }) => {
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await page.goto(appealPath);
    assert.equal(await page.locator('#decision-state').textContent(), 'In force');
    await clean(page, dialogs, 'the appeal page');
    await page.fill('#explanation', `It was a quote from the news. ${HOSTILE}`);
    await page.setInputFiles('#evidence', await tempFile(t, 'screenshot.png', PNG_1X1));
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#submit-appeal')]);
    assert.equal(await page.locator('#appeal-received').count(), 1);
    assert.equal(await page.locator('#appeal-form').count(), 0, 'one open appeal at a time');
  });

  await withSession(t, { locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en' } }, async ({ page }) => {
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await consoleSignIn(page, REVIEWER);
    await page.goto('/staff/appeals');
    const link = page.locator(`tr.appeal-row:has(a[href="/staff/cases/${caseId}"]) a[href^="/staff/appeals/"]`).first();
    await Promise.all([page.waitForURL('**/staff/appeals/*'), link.click()]);
    assert.ok((await page.locator('#appeal-explanation').textContent()).includes(HOSTILE));
    assert.equal(await page.locator('#appeal-files li').count(), 1);
    await clean(page, dialogs, 'the console appeal page');
    await page.check('input[name=outcome][value=reverse]');
    await page.fill('#reasons', `The post quoted a news report. ${HOSTILE}`);
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#submit-review')]);
    assert.equal(await page.locator('#appeal-state').textContent(), 'reversed');
    await clean(page, dialogs, 'after the review');
  });

  await withSession(t, { locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en' } }, async ({ page }) => {
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await page.goto(appealPath);
    assert.equal(await page.locator('#decision-state').textContent(), 'Reversed on appeal');
    assert.ok((await page.locator('#appeals').textContent()).includes('The post quoted a news report.'));
    await clean(page, dialogs, 'the appeal page after the review');
    await page.goto(`/r/${receipt}`);
    assert.equal(await page.locator('#report-decisions li').getAttribute('data-state'), 'appeal.state.reversed');
  });

  // The reversal order went to no provider (none was named), and the
  // decision says reversed through the API too.
  const decisions = await json('GET', `/api/v1/cases/${caseId}/decisions`, moderator);
  assert.equal(decisions.body.decisions[0].decision.state, 'reversed');
});
