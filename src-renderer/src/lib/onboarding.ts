// The first-run flag: onboarding shows until the user finishes or dismisses it once, per browser profile
// (localStorage of the UI's origin; the desktop app has its own).
export const ONBOARDING_KEY = 'earshot.onboarding-done';

export function onboardingDone(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): boolean {
  try {
    return storage?.getItem(ONBOARDING_KEY) === '1';
  } catch {
    return false; // storage disabled: show it (it can be dismissed for this page)
  }
}

export function markOnboardingDone(storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(ONBOARDING_KEY, '1');
  } catch {
    /* storage disabled: dismissed for this page only */
  }
}
