/** axe-core in the page: injected with page.evaluate (works under the app's CSP), serious and critical violations out. */
import axe from 'axe-core';
import type { Frame, Page } from 'playwright-core';

/** One accessibility violation, short enough to read in a test failure. */
export type A11yViolation = { id: string; impact: string; help: string; nodes: string[] };

type AxeRun = { violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[] };

/** axe's source, for `context.addInitScript(AXE_SOURCE)`: every page of the context then starts with axe loaded, and
 * checkA11y skips sending and compiling its 0.5 MB again (about 0.1–0.4 s a check on this machine). */
export const AXE_SOURCE = { content: axe.source };

/** Runs axe (WCAG 2.0–2.2 A/AA rules) on the page and returns the serious and critical violations (assert `[]`). */
export async function checkA11y(page: Page | Frame): Promise<A11yViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  // Only the serious and critical violations leave the page: axe's whole result (every rule that passed or did not
  // apply, with its descriptions) is hundreds of kilobytes, which playwright would serialise and validate each time.
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<AxeRun> } };
    const result = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: String(v.impact), help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(' ')) }));
  });
}
