/** Layout checks for the journeys. */
import type { Frame, Page } from 'playwright-core';

/** How many pixels the page is wider than the viewport (0 or less: nothing scrolls sideways). */
export function horizontalOverflow(page: Page | Frame): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
