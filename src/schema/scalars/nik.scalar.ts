import { isNikFormat } from '../../domain/nik.js';
import { PROVINCE_CODES } from '../../domain/provinces.js';
import { checkedStringScalar } from './checked-string-scalar.js';

/** A national identity number: 16 digits, the first two an existing province code. */
export const NikScalar = checkedStringScalar({
  name: 'NIK',
  description:
    'Nomor Induk Kependudukan: exactly 16 digits, the first two an existing province code. ' +
    'Anything else is refused as BAD_USER_INPUT before any database work. In records it may come ' +
    'back masked (first 6 and last 4 digits kept: 320101******0001), so it is typed String there.',
  check: (value) => isNikFormat(value) && PROVINCE_CODES.has(value.slice(0, 2)),
  invalid: 'NIK must be exactly 16 digits starting with an existing province code',
});
