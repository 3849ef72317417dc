// Shared helpers for Harrier's browser tests.
//
// The tests drive Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through
// playwright-core; Playwright's own browser download does not work on our
// machines. Every session gets a fresh --user-data-dir in a temp directory
// (Playwright's launchPersistentContext passes it as --user-data-dir), so no
// cookie or cache leaks from one test to the next.
//
// Environment:
//   HARRIER_URL     base URL of a running `harrier serve` (required)
//   CHROMIUM        Chromium executable (default /usr/bin/chromium)
//   E2E_ARTIFACTS   where a failing test leaves a screenshot and the page's HTML
//                   (default e2e/test-results/)

import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = (() => {
  const url = process.env.HARRIER_URL;
  if (!url) {
    throw new Error('HARRIER_URL is not set: start `harrier serve` and point HARRIER_URL at it (scripts/e2e.sh does both)');
  }
  return url.replace(/\/+$/, '');
})();

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const ARTIFACTS = process.env.E2E_ARTIFACTS
  || join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

// Flags that keep Chromium quiet on a machine with no network but loopback:
// without the background-networking ones it keeps trying to reach Google.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A real 1x1 PNG (one opaque red pixel, RGBA), 70 bytes. */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * Launch Chromium with a fresh profile and return { context, page, close }.
 * `contextOptions` are Playwright context options (locale, extraHTTPHeaders,
 * javaScriptEnabled, ...); baseURL is always HARRIER_URL, so page.goto('/report')
 * works.
 */
export async function newSession(contextOptions = {}) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'harrier-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
      baseURL: BASE_URL,
      locale: 'en-US',
      ...contextOptions,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Run `fn({ context, page })` in a fresh session; on failure leave a screenshot
 * and the page's HTML in the artifacts folder and name them in the error.
 */
export async function withSession(t, contextOptions, fn) {
  const session = await newSession(contextOptions);
  try {
    await fn(session);
  } catch (err) {
    const saved = await saveArtifacts(session.page, t.name).catch((e) => `(could not save artifacts: ${e.message})`);
    err.message += `\n  page: ${session.page.url()}\n  ${saved}`;
    throw err;
  } finally {
    await session.close();
  }
}

async function saveArtifacts(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const base = join(ARTIFACTS, name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80));
  await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5_000 });
  await writeFile(`${base}.html`, await page.content());
  return `screenshot: ${base}.png, html: ${base}.html`;
}

/** A temp directory removed when the test ends. */
export async function tempDir(t) {
  const dir = await mkdtemp(join(tmpdir(), 'harrier-e2e-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Write `bytes` to `name` in a new temp directory and return the path. */
export async function tempFile(t, name, bytes) {
  const path = join(await tempDir(t), name);
  await writeFile(path, bytes);
  return path;
}

/** YYYY-MM-DD of `daysAgo` days before today (UTC). */
export function isoDate(daysAgo = 0) {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Fill the tip-off form on the current page. Only the given fields are
 * touched; `evidence` is a list of file paths; `goodFaith` ticks the box.
 */
export async function fillReportForm(page, fields) {
  const form = page.locator('form#report-form');
  await form.waitFor();
  if (fields.category !== undefined) await form.locator('select[name="category"]').selectOption(fields.category);
  for (const name of ['urls', 'handles', 'contacts', 'rooms', 'platform', 'description',
    'contact_name', 'contact_email', 'contact_phone']) {
    if (fields[name] !== undefined) await form.locator(`[name="${name}"]`).fill(fields[name]);
  }
  if (fields.occurred_at !== undefined) await form.locator('input[name="occurred_at"]').fill(fields.occurred_at);
  if (fields.evidence !== undefined) await form.locator('input[name="evidence"]').setInputFiles(fields.evidence);
  if (fields.goodFaith) await form.locator('input[name="good_faith"]').check();
}

/**
 * Click #submit-report and return the response to the form's POST (a 303
 * to the receipt page, the receipt page itself, or a 4xx re-shown form),
 * after the page that follows has loaded.
 */
export async function submitReport(page) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST'
    && r.request().isNavigationRequest()
    && new URL(r.url()).pathname === '/report');
  await page.locator('#submit-report').click();
  const response = await posted;
  await page.waitForLoadState('domcontentloaded');
  return response;
}

/** Text of #receipt-code after a good submission; fails if it is not there. */
export async function receiptCode(page) {
  const code = (await page.locator('#receipt-code').textContent()).trim();
  return code;
}

/** The `lang` attribute of <html>. */
export function htmlLang(page) {
  return page.locator('html').getAttribute('lang');
}
