import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recoveryCodeProblem } from './recovery-code-format';

describe('recoveryCodeProblem', () => {
  it('accepts the code as shown, and typed with spaces, without dashes or in lower case', () => {
    for (const code of [
      '0410-6105-0R3G-G28A-1C60-T3GF-208H-44RM',
      '0410 6105 0R3G G28A 1C60 T3GF 208H 44RM',
      '041061050R3GG28A1C60T3GF208H44RM',
      ' 0410-6105-0r3g-g28a-1c60-t3gf-208h-44rm\n',
    ]) {
      assert.equal(recoveryCodeProblem(code), undefined, code);
    }
  });

  it('refuses a code that is too short, too long or has other characters', () => {
    for (const code of [
      '',
      '0410-6105-0R3G-G28A-1C60-T3GF-208H',
      '0410-6105-0R3G-G28A-1C60-T3GF-208H-44RM-0',
      '0410-6105-0R3G-G28A-1C60-T3GF-208H-44R!',
      '0410_6105_0R3G_G28A_1C60_T3GF_208H_44RM',
    ]) {
      assert.equal(recoveryCodeProblem(code), 'recoverAccount.codeInvalidFormat', code);
    }
  });
});
