/** Keyboard-only helpers for the browser journeys: move focus with Tab until it reaches an element, then act on it. */
import type { Locator, Page } from 'playwright-core';

/** True when `target` (or something inside it, e.g. a video's own controls) has the keyboard focus. */
async function hasFocus(target: Locator): Promise<boolean> {
  return target.evaluate((el) => {
    const active = document.activeElement;
    return !!active && (el === active || el.contains(active));
  });
}

/** Presses Tab (as a person would) until `target` has focus; fails if it is not reached within `max` presses. */
export async function tabTo(page: Page, target: Locator, max = 250): Promise<void> {
  await target.waitFor({ state: 'attached' });
  if (await hasFocus(target)) return;
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await hasFocus(target)) return;
  }
  throw new Error(`Tab did not reach ${String(target)} within ${max} presses`);
}

/** Tabs to `target` and presses `key` on it (Enter for links and buttons, Space for checkboxes and summaries). */
export async function tabAndPress(page: Page, target: Locator, key = 'Enter'): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.press(key);
}

/** Tabs to a text field and types into it. */
export async function tabAndType(page: Page, target: Locator, text: string): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.type(text);
}

/** Logs in through the login form with the keyboard alone (Tab, typing, Enter) and waits to leave the login page. */
export async function keyboardLogin(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await tabAndType(page, page.getByLabel('E-mail address'), email);
  await tabAndType(page, page.getByLabel('Password'), password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.keyboard.press('Enter')]);
}
