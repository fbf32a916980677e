// Screens a new or presented password against known breaches, as one interface so sign-up,
// password change and login ask the same question. The authentication track implements it
// (a Have I Been Pwned range client, or the bundled offline list); until then nothing is refused.
export interface PasswordScreen {
  /** True when the password appears in a breach corpus. Never logs or keeps the password. */
  isLeaked(password: string): Promise<boolean>;
}

export const NO_PASSWORD_SCREEN: PasswordScreen = { isLeaked: async () => false };
