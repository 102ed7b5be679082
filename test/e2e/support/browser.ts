/** Debian's chromium through playwright-core: launch, pages at a viewport, login, and screenshots when a step fails. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian installs chromium (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';
/** The flags verified on these machines (STACK.md); playwright gives each launch a fresh temporary profile. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Every demo login's password. */
export const DEMO_PASSWORD = 'cadre-demo';
/** Laptop and tablet viewports. */
export const VIEWPORTS = { laptop: { width: 1280, height: 800 }, tablet: { width: 768, height: 1024 } } as const;

const required = process.env.CADRE_REQUIRE_BROWSER === '1';
/** True when the browser journeys can run here. */
export const browserAvailable = existsSync(CHROMIUM);

/**
 * `describe` for browser journeys. Without chromium they are skipped with a loud message — unless
 * CADRE_REQUIRE_BROWSER=1 (CI), where they run and fail, so they can never silently skip.
 */
export function describeBrowser(name: string, fn: () => void): void {
  // Journeys are slow; a project-level testTimeout in jest.config.js is not applied by jest-circus.
  jest.setTimeout(120_000);
  if (browserAvailable || required) {
    describe(name, fn);
    return;
  }
  console.warn(`\n!!!!!!!!\n!!! SKIPPING browser journeys "${name}": ${CHROMIUM} is missing. Install it: apt-get install -y --no-install-recommends chromium\n!!! (CI sets CADRE_REQUIRE_BROWSER=1 so this cannot pass silently.)\n!!!!!!!!\n`);
  describe.skip(name, fn);
}

/** Launches chromium (a fresh profile per launch). */
export async function launchBrowser(): Promise<Browser> {
  if (!browserAvailable) throw new Error(`chromium is required (CADRE_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

/** A page in a new browser context (its own cookies: a different person) at `viewport`, resolving paths against `baseUrl`. */
export async function newPage(browser: Browser, baseUrl: string, viewport: { width: number; height: number } = VIEWPORTS.laptop): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

/** Logs in through the login form as a person would and waits to leave the login page. */
export async function login(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.getByRole('button', { name: 'Log in' }).click()]);
}

/** The folder screenshots of failed steps go to. */
export const resultsDir = path.resolve(__dirname, '../../../test-results');

/** Runs `fn`; if it throws, saves a screenshot of every open page of `browser` to test-results/ and rethrows. */
export async function screenshotOnFailure<T>(browser: Browser, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    mkdirSync(resultsDir, { recursive: true });
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const pages = browser.contexts().flatMap((c) => c.pages());
    const saved: string[] = [];
    for (const [i, page] of pages.entries()) {
      const file = path.join(resultsDir, `${slug}-${i + 1}.png`);
      await page.screenshot({ path: file, fullPage: true }).then(
        () => saved.push(`${file} (${page.url()})`),
        () => undefined,
      );
    }
    if (saved.length && err instanceof Error) err.message += `\nScreenshots:\n  ${saved.join('\n  ')}`;
    throw err;
  }
}
