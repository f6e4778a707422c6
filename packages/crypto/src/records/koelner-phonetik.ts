/**
 * Kölner Phonetik (Hans Joachim Postel, 1969): a phonetic code for German words, so that
 * spellings that sound alike get the same code (Meier, Meyer, Maier, Mayer → "67").
 * An algorithm, not cryptography. Rules as in the published table:
 *
 * | letter                  | context                                             | code |
 * | ----------------------- | --------------------------------------------------- | ---- |
 * | A, E, I, J, O, U, Y     |                                                     | 0    |
 * | H                       |                                                     | –    |
 * | B                       |                                                     | 1    |
 * | P                       | not before H                                        | 1    |
 * | D, T                    | not before C, S, Z                                  | 2    |
 * | F, V, W                 |                                                     | 3    |
 * | P                       | before H                                            | 3    |
 * | G, K, Q                 |                                                     | 4    |
 * | C                       | initially before A, H, K, L, O, Q, R, U, X          | 4    |
 * | C                       | before A, H, K, O, Q, U, X, not after S, Z          | 4    |
 * | X                       | not after C, K, Q                                   | 48   |
 * | L                       |                                                     | 5    |
 * | M, N                    |                                                     | 6    |
 * | R                       |                                                     | 7    |
 * | S, Z                    |                                                     | 8    |
 * | C                       | after S, Z                                          | 8    |
 * | C                       | initially, not before A, H, K, L, O, Q, R, U, X     | 8    |
 * | C                       | not before A, H, K, O, Q, U, X                      | 8    |
 * | D, T                    | before C, S, Z                                      | 8    |
 * | X                       | after C, K, Q                                       | 8    |
 *
 * Umlauts count as vowels (0), ß as S (8); other letters with diacritics as their base letter;
 * characters that are not letters are skipped. Then runs of the same digit collapse to one, and
 * every 0 except a leading one is removed.
 */

const VOWELS = new Set('aeijouy');
const C_INITIAL_HARD = new Set('ahkloqrux');
const C_HARD = new Set('ahkoqux');

function foldLetters(word: string): string {
  let out = '';
  for (const ch of word.normalize('NFC').toLowerCase()) {
    // Umlauts are vowels; 'e' keeps them out of the C rules' "before A, O, U" contexts.
    if (ch === 'ä' || ch === 'ö' || ch === 'ü') out += 'e';
    else if (ch === 'ß') out += 's';
    else out += ch;
  }
  return out
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^a-z]+/g, '');
}

function codeOf(letter: string, previous: string | undefined, next: string | undefined): string {
  if (VOWELS.has(letter)) return '0';
  switch (letter) {
    case 'h':
      return '';
    case 'b':
      return '1';
    case 'p':
      return next === 'h' ? '3' : '1';
    case 'd':
    case 't':
      return next === 'c' || next === 's' || next === 'z' ? '8' : '2';
    case 'f':
    case 'v':
    case 'w':
      return '3';
    case 'g':
    case 'k':
    case 'q':
      return '4';
    case 'c':
      if (previous === undefined) return next !== undefined && C_INITIAL_HARD.has(next) ? '4' : '8';
      if (previous === 's' || previous === 'z') return '8';
      return next !== undefined && C_HARD.has(next) ? '4' : '8';
    case 'x':
      return previous === 'c' || previous === 'k' || previous === 'q' ? '8' : '48';
    case 'l':
      return '5';
    case 'm':
    case 'n':
      return '6';
    case 'r':
      return '7';
    case 's':
    case 'z':
      return '8';
    default:
      return '';
  }
}

/** The Kölner Phonetik code of one word ("" for a word without letters). */
export function koelnerPhonetik(word: string): string {
  const letters = foldLetters(word);
  let raw = '';
  for (let i = 0; i < letters.length; i++) {
    raw += codeOf(letters[i]!, i === 0 ? undefined : letters[i - 1], letters[i + 1]);
  }
  let collapsed = '';
  for (const digit of raw) if (collapsed.at(-1) !== digit) collapsed += digit;
  if (collapsed.length === 0) return '';
  return collapsed[0]! + collapsed.slice(1).replaceAll('0', '');
}
