// The first-run flag: onboarding shows until the user finishes or dismisses it once, per browser profile
// (localStorage of the UI's origin; the desktop app has its own). Settings can bring it back.
export const ONBOARDING_KEY = 'earshot.onboarding-done';

export function onboardingDone(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): boolean {
  try {
    return storage?.getItem(ONBOARDING_KEY) === '1';
  } catch {
    return false; // storage disabled: show it (it can be dismissed for this page)
  }
}

/** Whether the onboarding panel is shown now (a rune object: App and Settings share it). */
export const onboarding = $state({ show: !onboardingDone() });

export function finishOnboarding(storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  onboarding.show = false;
  try {
    storage?.setItem(ONBOARDING_KEY, '1');
  } catch {
    /* storage disabled: dismissed for this page only */
  }
}

/** Settings → "Show the welcome guide again": back on the Live view, until dismissed again. */
export function reopenOnboarding(storage: Pick<Storage, 'removeItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.removeItem(ONBOARDING_KEY);
  } catch {
    /* storage disabled */
  }
  onboarding.show = true;
  if (typeof location !== 'undefined') location.hash = '#/live';
}
