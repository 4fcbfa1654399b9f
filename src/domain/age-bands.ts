/** The age bands of AGE_BAND, in completed years at the snapshot's as-of date. */
export const AGE_BANDS: readonly {
  code: string;
  min: number;
  max: number | null;
  label: string;
}[] = [
  { code: '0-5', min: 0, max: 5, label: 'Aged 0–5 (early childhood)' },
  { code: '6-17', min: 6, max: 17, label: 'Aged 6–17 (school age)' },
  { code: '18-59', min: 18, max: 59, label: 'Aged 18–59 (working age)' },
  { code: '60+', min: 60, max: null, label: 'Aged 60 and over (elderly)' },
];
