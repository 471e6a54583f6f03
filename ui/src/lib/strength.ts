// A rough passphrase-strength estimate (0–4) from length and character variety. It is a hint,
// not a gate: the vault's Argon2id KDF is what makes guessing slow.
export function strength(p: string): 0 | 1 | 2 | 3 | 4 {
  const chars = [...p];
  if (chars.length < 8) return 0;
  let alphabet = 0;
  if (/[a-z]/.test(p)) alphabet += 26;
  if (/[A-Z]/.test(p)) alphabet += 26;
  if (/[0-9]/.test(p)) alphabet += 10;
  if (/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(p)) alphabet += 33;
  if (/[^\x00-\x7f]/.test(p)) alphabet += 2000; // CJK: a few thousand common characters
  const unique = new Set(chars).size;
  if (unique <= 3) return 1;
  const bits = chars.length * Math.log2(Math.max(2, alphabet)) * (unique / chars.length);
  if (bits < 40) return 1;
  if (bits < 60) return 2;
  if (bits < 80) return 3;
  return 4;
}
