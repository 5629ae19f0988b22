/**
 * What a recording must leave out: input typed at a password prompt. Terminals do not tell us
 * when echo is off, so the prompt is recognised by what the program printed last (sudo, ssh,
 * psql, openssl, gpg, `read -s -p "Password: "`).
 */

// ANSI CSI / OSC sequences, stripped before looking at the prompt text.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const PASSWORD_PROMPT = /(pass(word|phrase| ?phrase)|passcode|\bpin\b|secret|token|otp|verification code)[^\n]{0,80}[:?>]\s*$/i;

/** True when the last line of `recentOutput` asks for a password (or passphrase, PIN, token). */
export function isPasswordPrompt(recentOutput: string): boolean {
  const plain = recentOutput.replace(ESCAPES, '');
  const lastLine = plain.slice(plain.lastIndexOf('\n') + 1).replace(/\r/g, '');
  return PASSWORD_PROMPT.test(lastLine.slice(-200));
}
