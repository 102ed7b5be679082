/** The browser-journey harness: start the app with the demo, drive chromium, check accessibility. */
export { startE2E, type E2EApp } from './app';
export { browserAvailable, CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, describeBrowser, launchBrowser, login, newPage, resultsDir, screenshotOnFailure, VIEWPORTS } from './browser';
export { AXE_SOURCE, checkA11y, type A11yViolation } from './a11y';
export { horizontalOverflow } from './layout';
