import { describe, expect, it } from 'vitest';
import { isPasswordPrompt } from './prompts';

describe('isPasswordPrompt', () => {
  it.each([
    '[sudo] password for oncall: ',
    'oncall@bastion.internal\'s password: ',
    'Password for user postgres: ',
    'Enter passphrase for key \'/home/oncall/.ssh/id_ed25519\': ',
    'Enter PEM pass phrase:',
    'Enter PIN for "YubiKey": ',
    'Verification code: ',
    'Vault token (will be hidden): ',
    'some output\r\nPassword: ',
    // Colour and cursor sequences around the prompt do not hide it.
    '\u001b[1m\u001b[33mPassword:\u001b[0m ',
    '\u001b]0;title\u0007Password: ',
  ])('recognises %j', (output) => {
    expect(isPasswordPrompt(output)).toBe(true);
  });

  it.each([
    'ready$ ',
    'Password changed successfully.\r\nready$ ',
    // The prompt is on an earlier line: what is typed now is a command.
    'Password: \r\nready$ ',
    'grep password config.yaml\r\n',
    'the token endpoint answered 200 OK',
    '',
  ])('does not take %j for one', (output) => {
    expect(isPasswordPrompt(output)).toBe(false);
  });
});
