import { checkedStringScalar } from './checked-string-scalar.js';

const REGION_RE = /^(?:\d{2}|\d{4}|\d{6}|\d{10})$/;

/** A region code of the Kepmendagri reference at any level. */
export const RegionCodeScalar = checkedStringScalar({
  name: 'RegionCode',
  description:
    'A region code (kode wilayah) without dots: 2 digits for a province (32), 4 for a regency or ' +
    'city (3201), 6 for a district (320101), 10 for a village (3201011001).',
  check: (value) => REGION_RE.test(value),
  invalid: 'RegionCode must be 2 (province), 4 (regency), 6 (district) or 10 (village) digits',
});
