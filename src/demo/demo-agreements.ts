import type { ClientKind, FieldPolicy, LegalBasis, Scope } from '../auth/agreement.js';

/**
 * The demo agencies of CONTRACT §7, as data. `serve --demo` makes sure each exists with a fresh
 * secret written to `DTKS_DATA_DIR/demo-clients.json`; without `--demo` none of them exists.
 */
export interface DemoClient {
  clientId: string;
  agency: { id: string; name: string; kind: ClientKind };
  title: string;
  scopes: Scope[];
  programs: string[];
  purposes: string[];
  regionScope: string[];
  fieldPolicy: FieldPolicy;
  detailedReasons: boolean;
  privacyBudget: number | null;
  /** Only published documents of `documentApps`, never query text (default: text allowed). */
  trustedDocumentsOnly?: boolean;
  /** Applications whose published documents it may run (default `[]`: any). */
  documentApps?: string[];
  /** A data subjects' service that verifies who it asks about (default false). */
  verifiesSubjectIdentity?: boolean;
}

/**
 * The legal basis of each demo purpose (UU PDP Art. 20): eligibility decisions, verification and
 * monitoring are the ministry's public task; answering a person about their own data and
 * oversight are legal obligations; research rests on the legitimate interest of official
 * statistics, so a person may restrict it.
 */
export const DEMO_LEGAL_BASIS: Readonly<Record<string, LegalBasis>> = Object.freeze({
  PBI_JK_VERIFICATION: 'PUBLIC_TASK',
  PIP_TARGETING: 'PUBLIC_TASK',
  BANSOS_DISTRIBUTION: 'PUBLIC_TASK',
  VERIVALI: 'PUBLIC_TASK',
  MONITORING: 'PUBLIC_TASK',
  RESEARCH: 'LEGITIMATE_INTEREST',
  SUBJECT_REQUEST: 'LEGAL_OBLIGATION',
  OVERSIGHT: 'LEGAL_OBLIGATION',
});

/** The application name under which `serve --demo` publishes the dashboard's documents. */
export const DASHBOARD_APP = 'dtks-dashboard';

/** Local governments see records with NIK and KK masked and everything else shown. */
const LOCAL_GOV_FIELDS: FieldPolicy = {
  Household: {
    id: 'show',
    kkNumber: 'mask',
    regionCode: 'show',
    address: 'show',
    decile: 'show',
    verificationStatus: 'show',
    verifiedAt: 'show',
    members: 'show',
  },
  Person: {
    nik: 'mask',
    name: 'show',
    sex: 'show',
    birthDate: 'show',
    relationship: 'show',
    status: 'show',
    household: 'show',
    programs: 'show',
  },
};

/**
 * A data subjects' service shows a person their own record in full (that needs no policy); this
 * policy is for the rest of the household: members' names and relationships, NIKs masked, birth
 * dates and programs withheld; their own decile; never the officer behind an access.
 */
const SUBJECT_SERVICE_FIELDS: FieldPolicy = {
  Household: { members: 'show' },
  Person: {
    nik: 'mask',
    name: 'show',
    sex: 'show',
    birthDate: 'withhold',
    relationship: 'show',
    status: 'show',
    household: 'withhold',
    programs: 'withhold',
  },
  EligibilityDecision: { decile: 'show' },
  SubjectAccess: { officerId: 'withhold' },
};

const decile = (rule: 'show' | 'withhold'): FieldPolicy => ({
  EligibilityDecision: { decile: rule },
});

const KEMENSOS = {
  id: 'kemensos-pusdatin',
  name: 'Pusdatin Kesos, Kemensos',
  kind: 'INTERNAL' as const,
};

export const DEMO_CLIENTS: readonly DemoClient[] = Object.freeze([
  {
    clientId: 'kemenkes-pbi',
    agency: { id: 'kemenkes', name: 'Kementerian Kesehatan', kind: 'MINISTRY' },
    title: 'PKS Kemensos–Kemenkes: verifikasi PBI JK',
    scopes: [
      'eligibility:check',
      'eligibility:batch',
      'changes:subscribe',
      'changes:read',
      'grievances:open',
    ],
    programs: ['PBI_JK'],
    purposes: ['PBI_JK_VERIFICATION'],
    regionScope: ['*'],
    fieldPolicy: decile('withhold'),
    detailedReasons: true,
    privacyBudget: null,
  },
  {
    clientId: 'kemendikdasmen-pip',
    agency: {
      id: 'kemendikdasmen',
      name: 'Kementerian Pendidikan Dasar dan Menengah',
      kind: 'MINISTRY',
    },
    title: 'PKS Kemensos–Kemendikdasmen: penargetan PIP',
    scopes: ['eligibility:check'],
    programs: ['PIP'],
    purposes: ['PIP_TARGETING'],
    regionScope: ['*'],
    fieldPolicy: decile('withhold'),
    detailedReasons: false,
    privacyBudget: null,
  },
  {
    clientId: 'kemensos-bansos',
    agency: {
      id: 'kemensos-jamsos',
      name: 'Kemensos, Direktorat Jaminan Sosial',
      kind: 'MINISTRY',
    },
    title: 'Penyaluran bansos PKH dan BPNT',
    scopes: [
      'eligibility:check',
      'eligibility:batch',
      'changes:subscribe',
      'changes:read',
      'grievances:open',
    ],
    programs: ['PKH', 'BPNT'],
    purposes: ['BANSOS_DISTRIBUTION'],
    regionScope: ['*'],
    // The distribution office pays by NIK: its change events carry the NIK.
    fieldPolicy: { ...decile('show'), EligibilityChange: { nik: 'show' } },
    detailedReasons: true,
    privacyBudget: null,
  },
  {
    clientId: 'pemda-3201',
    agency: { id: 'pemkab-bogor', name: 'Pemerintah Kabupaten Bogor', kind: 'LOCAL_GOV' },
    title: 'PKS verivali DTKS Kabupaten Bogor',
    scopes: ['records:read', 'verification:submit', 'changes:read', 'grievances:handle'],
    programs: [],
    purposes: ['VERIVALI'],
    regionScope: ['3201'],
    fieldPolicy: LOCAL_GOV_FIELDS,
    detailedReasons: false,
    privacyBudget: null,
  },
  {
    clientId: 'pemda-3201-review',
    agency: { id: 'dinsos-bogor', name: 'Dinas Sosial Kabupaten Bogor', kind: 'LOCAL_GOV' },
    title: 'PKS verivali DTKS Kabupaten Bogor (review)',
    scopes: ['records:read', 'verification:review', 'changes:read', 'grievances:handle'],
    programs: [],
    purposes: ['VERIVALI'],
    regionScope: ['3201'],
    fieldPolicy: LOCAL_GOV_FIELDS,
    detailedReasons: false,
    privacyBudget: null,
  },
  {
    clientId: 'pemda-3171',
    agency: { id: 'pemkot-jaksel', name: 'Pemerintah Kota Jakarta Selatan', kind: 'LOCAL_GOV' },
    title: 'PKS verivali DTKS Kota Jakarta Selatan',
    scopes: ['records:read', 'verification:submit', 'changes:read', 'grievances:handle'],
    programs: [],
    purposes: ['VERIVALI'],
    regionScope: ['3171'],
    fieldPolicy: LOCAL_GOV_FIELDS,
    detailedReasons: false,
    privacyBudget: null,
  },
  {
    clientId: 'bps-researcher',
    agency: { id: 'bps', name: 'Badan Pusat Statistik', kind: 'RESEARCHER' },
    title: 'Riset kemiskinan dengan privasi diferensial',
    scopes: ['statistics:read'],
    programs: [],
    purposes: ['RESEARCH'],
    regionScope: ['*'],
    fieldPolicy: {},
    detailedReasons: false,
    privacyBudget: 3,
  },
  {
    clientId: 'pusdatin-dashboard',
    agency: KEMENSOS,
    title: 'Dasbor pemantauan Pusdatin',
    scopes: ['statistics:read', 'operations:read'],
    programs: [],
    purposes: ['MONITORING'],
    regionScope: ['*'],
    fieldPolicy: {},
    detailedReasons: false,
    privacyBudget: null,
    // The dashboard runs its own published documents only (CONTRACT §10).
    trustedDocumentsOnly: true,
    documentApps: [DASHBOARD_APP],
  },
  {
    clientId: 'gateway-admin',
    agency: { id: 'kemensos-pusdatin-admin', name: 'Pusdatin Kesos, Kemensos', kind: 'ADMIN' },
    title: 'Administrasi gateway',
    scopes: [
      'audit:read',
      'clients:manage',
      'statistics:read',
      'statistics:exact',
      'operations:read',
      'restrictions:manage',
    ],
    programs: [],
    purposes: ['OVERSIGHT'],
    regionScope: ['*'],
    fieldPolicy: {},
    detailedReasons: false,
    privacyBudget: null,
  },
  {
    // A "Cek Bansos" channel: it verifies who a person is, then asks about that person only.
    clientId: 'cekbansos-subject',
    agency: {
      id: 'kemensos-cekbansos',
      name: 'Kemensos, layanan Cek Bansos',
      kind: 'SUBJECT_SERVICE',
    },
    title: 'Layanan subjek data: Cek Bansos',
    scopes: ['subject:read', 'subject:restrict', 'grievances:open'],
    programs: ['PKH', 'BPNT', 'PBI_JK', 'PIP'],
    purposes: ['SUBJECT_REQUEST'],
    regionScope: ['*'],
    fieldPolicy: SUBJECT_SERVICE_FIELDS,
    detailedReasons: true,
    privacyBudget: null,
    verifiesSubjectIdentity: true,
  },
]);
