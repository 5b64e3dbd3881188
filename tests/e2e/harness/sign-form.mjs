// The petition page's sign form as a signer fills it in Chromium, for the suites that sign
// through the page (endpoints.test.mjs, where.test.mjs).

/** Fills the form of the page open in `page` with a valid signature for `email`. */
export async function fillForm(page, email, name = "Page Signer") {
  await page.fill("#sign-name", name);
  await page.fill("#sign-email", email);
  await page.selectOption("#sign-region", "astana");
  await page.check("#sign-consent");
}

/** The sign form's outcome once the script has handled the answer. */
export async function signOutcome(page) {
  const result = page.locator("#sign-result:not(.is-pending)");
  await result.waitFor({ state: "visible" });
  return (await result.textContent()).trim();
}
