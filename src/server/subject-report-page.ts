/** A person's report as `SUBJECT_REPORT_DOCUMENT` returns it (src/server/subject-report-route.ts). */
export interface SubjectReportData {
  nik: string;
  registered: boolean;
  generatedAt: string;
  person: {
    nik: string;
    name: string | null;
    sex: string | null;
    birthDate: string | null;
    relationship: string | null;
    status: string | null;
    programs: string[];
    dataAsOf: string;
  } | null;
  household: {
    id: string;
    kkNumber: string | null;
    regionCode: string | null;
    address: string | null;
    decile: number | null;
    verificationStatus: string | null;
    verifiedAt: string | null;
    members: Array<Record<string, string | null>> | null;
  } | null;
  decisions: Array<{
    program: string;
    programName: string;
    eligible: boolean;
    reason: string;
    decisionId: string;
    dataAsOf: string;
    ruleVersion: number;
    ruleDescription: string;
    explanation: { id: string; en: string };
  }>;
  accessHistory: {
    edges: Array<{
      node: {
        at: string;
        agencyId: string | null;
        agencyName: string | null;
        officerId: string | null;
        purpose: string | null;
        operation: string;
        outcome: string;
        fields: string[];
        subjectRequest: boolean;
      };
    }>;
    pageInfo: { hasNextPage: boolean };
  };
}

const MEMBER_FIELDS = ['nik', 'name', 'sex', 'birthDate', 'relationship', 'status'] as const;

/**
 * The printable page of a person's report: Bahasa Indonesia first, English beside it, no script,
 * every value escaped. What the person's household members' fields show is what the service's
 * agreement allows (masked or "—").
 */
export function renderSubjectReportPage(r: SubjectReportData): string {
  const p = r.person;
  const h = r.household;
  const row = (id: string, en: string, value: unknown) =>
    `<tr><th>${esc(id)}<br><small>${esc(en)}</small></th><td>${esc(show(value))}</td></tr>`;
  const personTable = p
    ? `<table>${[
        row('NIK', 'NIK', p.nik),
        row('Nama', 'Name', p.name),
        row('Jenis kelamin', 'Sex', p.sex),
        row('Tanggal lahir', 'Date of birth', p.birthDate),
        row('Hubungan keluarga', 'Relationship', p.relationship),
        row('Status', 'Status', p.status),
        row('Program diterima', 'Programs received', p.programs.join(', ') || '—'),
      ].join('')}</table>`
    : `<p>NIK ini tidak tercatat dalam data yang dilayani. <small>This NIK is not in the served data.</small></p>`;
  const householdTable = h
    ? `<table>${[
        row('ID keluarga', 'Household id', h.id),
        row('Nomor KK', 'Family card number', h.kkNumber),
        row('Kode wilayah', 'Region code', h.regionCode),
        row('Alamat', 'Address', h.address),
        row('Desil', 'Decile', h.decile),
        row('Status verifikasi', 'Verification status', h.verificationStatus),
        row('Tanggal verifikasi', 'Verified on', h.verifiedAt),
      ].join('')}</table>` + membersTable(h.members)
    : '';
  const decisions = r.decisions
    .map(
      (d) => `<section class="decision">
  <h3>${esc(d.programName)} (${esc(d.program)}): ${d.eligible ? 'memenuhi syarat / eligible' : 'tidak memenuhi syarat / not eligible'}</h3>
  <p>${esc(d.explanation.id)}</p>
  <p><small>${esc(d.explanation.en)}</small></p>
  <p><small>Alasan / reason: ${esc(d.reason)} · aturan versi / rule version ${d.ruleVersion} · data per / as of ${esc(d.dataAsOf)} · nomor keputusan / decision number ${esc(d.decisionId)}</small></p>
</section>`,
    )
    .join('\n');
  // The officer is shown only where the service's agreement shows officers.
  const officers = r.accessHistory.edges.some((e) => e.node.officerId !== null);
  const accesses = r.accessHistory.edges
    .map(
      ({ node: a }) =>
        `<tr><td>${esc(a.at)}</td><td>${esc(show(a.agencyName ?? a.agencyId))}${a.subjectRequest ? ' <small>(permintaan Anda / your request)</small>' : ''}</td><td>${esc(show(a.purpose))}</td><td>${esc(a.operation)}</td><td>${esc(a.outcome)}</td><td>${esc(a.fields.join(', ') || '—')}</td>${officers ? `<td>${esc(show(a.officerId))}</td>` : ''}</tr>`,
    )
    .join('\n');
  const more = r.accessHistory.pageInfo.hasNextPage
    ? '<p><small>Hanya 1.000 akses terakhir yang ditampilkan. Only the last 1,000 accesses are shown.</small></p>'
    : '';
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Laporan data pribadi / Personal data report</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #111; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
  table { border-collapse: collapse; margin: .5rem 0; }
  th, td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f3f3f3; font-weight: 600; }
  small { color: #555; }
  .decision { border-left: 4px solid #888; padding-left: .75rem; margin: 1rem 0; }
  @media print { body { margin: 0; } .decision { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Laporan data pribadi <small>/ Personal data report</small></h1>
<p>Dibuat / made ${esc(r.generatedAt)}. Laporan ini berisi data Anda dalam Data Tunggal Sosial dan Ekonomi Nasional, keputusan program bantuan sosial tentang Anda, dan siapa yang mengakses data Anda (UU No. 27/2022 tentang Pelindungan Data Pribadi, Pasal 7).
<br><small>This report holds your data in the national social-economic registry, the social-assistance decisions about you, and who accessed your data (Personal Data Protection Law No. 27/2022, Art. 7).</small></p>
<h2>Data Anda <small>/ Your record</small></h2>
${personTable}
${h ? '<h2>Keluarga Anda <small>/ Your household</small></h2>' : ''}
${householdTable}
<h2>Keputusan program <small>/ Program decisions</small></h2>
${decisions}
<h2>Riwayat akses <small>/ Access history</small></h2>
<table>
<tr><th>Waktu<br><small>When</small></th><th>Instansi<br><small>Agency</small></th><th>Tujuan<br><small>Purpose</small></th><th>Operasi<br><small>Operation</small></th><th>Hasil<br><small>Outcome</small></th><th>Data<br><small>Fields</small></th>${officers ? '<th>Petugas<br><small>Officer</small></th>' : ''}</tr>
${accesses || `<tr><td colspan="${officers ? 7 : 6}">Belum ada akses tercatat. <small>No access recorded.</small></td></tr>`}
</table>
${more}
</body>
</html>
`;
}

function membersTable(members: Array<Record<string, string | null>> | null): string {
  if (members === null || members.length === 0) return '';
  const rows = members
    .map((m) => `<tr>${MEMBER_FIELDS.map((f) => `<td>${esc(show(m[f]))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<h3>Anggota keluarga lain <small>/ Other members</small></h3>
<table>
<tr><th>NIK</th><th>Nama<br><small>Name</small></th><th>Jenis kelamin<br><small>Sex</small></th><th>Tanggal lahir<br><small>Date of birth</small></th><th>Hubungan<br><small>Relationship</small></th><th>Status</th></tr>
${rows}
</table>`;
}

function show(value: unknown): string {
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
