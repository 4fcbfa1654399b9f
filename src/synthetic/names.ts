import { numberText, pad3 } from './number-text.js';
import type { Rng } from './random.js';

/**
 * Synthetic Indonesian names and addresses from built-in word lists. Every name is a random
 * combination, so any resemblance to a real person is chance. A few names carry an apostrophe
 * (Ma'ruf, Rofi'ah) as real ones do; addresses always contain a comma and a few contain double
 * quotes, so the CSV quoting path is always exercised.
 */

/** A word list: whitespace separates entries, `_` stands for a space inside one. */
const split = (s: string): readonly string[] =>
  s
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/_/g, ' '));

// Older generations: mostly single Javanese/Sundanese names.
const OLD_MALE =
  split(`Sukirman Tukiman Wagiman Warsito Sutarno Sutrisno Slamet Paijo Suparman Subagyo
  Harjono Priyono Sugeng Mulyadi Suryadi Supriyadi Tarmizi Muhidin Jamaludin Syamsudin Baharudin
  Kadir Mamat Oman Udin Karta Darsono Sumarno Parman Rusli Amir Anwar Sapri Tono Wakidi Ngadiman`);
const OLD_FEMALE =
  split(`Painem Tukinem Wagiyem Juminten Marsini Parmi Sarinah Sumiati Suminah Sukinah
  Sumarni Ngatini Sutiyem Karsih Onih Popon Cicih Enok Imas Iis Euis Tati Titin Aminah Halimah
  Fatimah Khadijah Maryam Jariyah Rukmini Sulastri Tumini Warsiti Kasmini Darmi Sunarti`);
// Younger generations and second names.
const MALE =
  split(`Agus Budi Joko Bambang Hendra Rudi Dedi Asep Ujang Cecep Eko Heru Wahyu Yusuf Ahmad
  Muhammad Abdul Rahmat Hidayat Arif Fajar Rizky Dimas Bayu Andi Irfan Ilham Fauzi Hasan Husein Imam
  Iwan Lukman Nur Rahmadi Ridwan Saiful Samsul Taufik Teguh Wawan Yanto Yudi Zainal Zulkifli Aditya
  Aldi Bagas Dani Dodi Edi Fikri Gilang Hadi Haris Indra Jajang Nanang Rohman Wahid Yoga Rafi Raka
  Reza Satria Surya Tri Wisnu Galih Darmawan Nasrul Firman Ginanjar Ma'ruf Syafi'i Ja'far Nu'man
  Mu'min Sa'ad Ma'mun Alif Arya Daffa Farhan Hafiz Kevin Rangga Yoga Akbar Bima Dwi Ikhsan Randi`);
const FEMALE =
  split(`Siti Sri Dewi Ani Rina Yuni Wati Suryani Ratna Lestari Fitri Indah Putri Ayu Dian
  Eka Lina Maya Mega Nia Novi Rini Sari Tuti Umi Wulan Yanti Aisyah Nurul Annisa Nabila Salsabila
  Aulia Dinda Intan Kartika Larasati Melati Nisa Puspita Rahayu Sekar Tika Wahyuni Yuliana Zahra Asih
  Neneng Nining Rofi'ah Su'aidah Ma'rifah Mu'awanah Nafi'ah Rabi'ah Fadhilah Hasanah Hidayah Jannah
  Kurniasih Mulyani Ningsih Purwanti Rohani Rosita Safitri Susanti Triana Utami Yulianti Anisa Citra
  Dela Elsa Fitria Gita Hana Inayah Keisha Nadia Rahma Shinta Tiara Vina Zaskia Amelia Bunga Cahya`);
const MALE_SECOND = split(`Saputra Pratama Wijaya Kusuma Santoso Hidayat Nugroho Setiawan Gunawan
  Hermawan Kurniawan Susanto Purnomo Prasetyo Wibowo Firmansyah Ramadhan Hakim Rahman Syahputra
  Maulana Permana Sudrajat Suherman Hendrawan Irawan Budiman Sulistyo Hidayatullah Fauzan Rizal
  Ardiansyah Nurdin Wahyudi Effendi Hamzah Iskandar Kurnia Mahendra Pamungkas Prakoso Sanjaya
  Sembada Tanjung Utomo Yulianto Zakaria Alamsyah Darmadi Febrian Maulidi Ma'arif`);
const FEMALE_SECOND =
  split(`Lestari Rahayu Wati Ningsih Sari Astuti Handayani Purnamasari Puspitasari
  Wulandari Anggraini Permatasari Kurniasih Susanti Utami Maharani Safitri Novitasari Fitriani
  Oktaviani Yuliani Rahmawati Nuraini Hasanah Khoiriyah Mardiyah Nurhayati Suryani Widyastuti
  Pertiwi Ramadhani Amalia Azzahra Febriani Kusumawati Maulida Nurjanah Setyaningsih Zahrani`);
const CHRISTIAN_MALE =
  split(`Yohanes Yosef Markus Petrus Paulus Stefanus Fransiskus Daniel Samuel Gabriel
  Agustinus Antonius Benediktus Yakobus Matius Simon Thomas Yulius Kornelius Herman Robert Frans`);
const CHRISTIAN_FEMALE =
  split(`Maria Magdalena Theresia Agnes Elisabeth Yohana Ruth Debora Martha Yosefina
  Veronika Katarina Margaretha Lusia Monika Priska Regina Susana Ester Sarah Yuliana Kristina`);
const BATAK =
  split(`Siregar Nasution Harahap Lubis Simanjuntak Hutapea Sitompul Simatupang Pane Sinaga
  Situmorang Sihombing Panjaitan Tambunan Manurung Hasibuan Silalahi Pardede Tampubolon Napitupulu
  Sembiring Ginting Tarigan Purba Saragih Damanik Pohan Daulay Rangkuti Batubara`);
const BALI_ORDER = split('Wayan Putu Gede Made Kadek Nengah Nyoman Komang Ketut');
const BALI_GIVEN = split(`Budiarta Suartana Wirawan Sudarma Mertayasa Artawan Sukadana Ariani Sriani
  Suastini Sukerti Darmayanti Mariani Astiti Adnyana Suarjana Widiantara Sudiarta Swastika Yasa`);
const MINAHASA =
  split(`Wowor Lumentut Sumampouw Tumbelaka Mandagi Rondonuwu Pangemanan Karundeng Lengkong
  Mamahit Sondakh Tulung Wenas Kaunang Rumengan Pinontoan Lapian Rumambi`);
const EAST = split(`Ndun Manafe Tefa Bria Seran Nahak Lake Mau Wenda Tabuni Kogoya Wonda Murib Yikwa
  Rumbiak Mandacan Kareth Wanggai Rumbewas Yoku Wambrauw Latuconsina Pattinasarany Tuhumury Leimena
  Sahetapy Ririmasse Matulessy Pelupessy Pattiasina Tahapary Ratu Pello Fanggidae`);

/** Naming tradition of a region, from its province code. */
export type NameStyle = 'general' | 'batak' | 'bali' | 'minahasa' | 'east';

export function nameStyleOf(province: string): NameStyle {
  if (province === '12') return 'batak';
  if (province === '51') return 'bali';
  if (province === '71') return 'minahasa';
  if (province === '53' || province === '81' || province >= '91') return 'east';
  return 'general';
}

/** The family name a household's head passes to the children, or '' for traditions without one. */
export function familyName(rng: Rng, style: NameStyle): string {
  switch (style) {
    case 'batak':
      return rng.chance(0.75) ? rng.pick(BATAK) : '';
    case 'minahasa':
      return rng.chance(0.7) ? rng.pick(MINAHASA) : '';
    case 'east':
      return rng.chance(0.65) ? rng.pick(EAST) : '';
    default:
      return '';
  }
}

/** A full name for one person; `family` (may be '') is appended when given. */
export function personName(
  rng: Rng,
  style: NameStyle,
  female: boolean,
  age: number,
  family: string,
): string {
  let given: string;
  if (style === 'bali' && rng.chance(0.8)) {
    given = `${female ? 'Ni' : 'I'} ${rng.pick(BALI_ORDER)} ${rng.pick(BALI_GIVEN)}`;
  } else if ((style === 'minahasa' || style === 'east') && rng.chance(0.7)) {
    given = rng.pick(female ? CHRISTIAN_FEMALE : CHRISTIAN_MALE);
    if (rng.chance(0.4)) given += ' ' + rng.pick(female ? FEMALE : MALE);
  } else if (age >= 50 && rng.chance(0.6)) {
    given = rng.pick(female ? OLD_FEMALE : OLD_MALE); // older Javanese-style single names
  } else {
    given = rng.pick(female ? FEMALE : MALE);
    const u = rng.float();
    if (u < 0.6) given += ' ' + rng.pick(female ? FEMALE_SECOND : MALE_SECOND);
    else if (u < 0.7) given = rng.pick(female ? FEMALE : MALE) + ' ' + given;
  }
  return family === '' ? given : `${given} ${family}`;
}

const STREETS = split(`Melati Mawar Kenanga Anggrek Cempaka Flamboyan Dahlia Kamboja Teratai Seruni
  Sudirman Diponegoro Merdeka Pahlawan Gatot_Subroto Ahmad_Yani Imam_Bonjol Kartini Veteran Pemuda
  Pattimura Hasanuddin Cut_Nyak_Dien Sisingamangaraja Raya_Pasar Masjid Kelapa_Gading Mangga Nangka
  Rambutan Durian Cendana Beringin Asem Pramuka Kebon_Jeruk Pelita Harapan Bhayangkara Irian`);
const PLACES = split(`Krajan Sukamaju Sukamulya Mekarsari Sidomulyo Karanganyar Tegalsari Sumbersari
  Ngemplak Cibeber Babakan Pasirjaya Tanjungsari Sindangsari Wonorejo Purwosari Kedungrejo Margamulya
  Sumberejo Gunungsari Banjarsari Jatimulya Lebak Cikoneng Talang Padang Simpang_Tiga Lubuk Baru`);
const BLOCKS = split('A B C D E F');
const ESTATES = split(
  'Griya_Asri Permata_Hijau Bumi_Indah Taman_Sari Puri_Mas Villa_Mutiara Graha_Sejahtera',
);

/**
 * A street address. Cities get streets and housing estates; rural areas mostly hamlets (dusun).
 * About 0.2% carry a double-quoted estate name, as in real free-text addresses.
 */
export function address(rng: Rng, urban: boolean): string {
  const rtRw = `RT ${pad3(rng.between(1, 15))}/RW ${pad3(rng.between(1, 12))}`;
  const no = (max: number) => numberText(rng.between(1, max));
  const u = rng.float();
  if (u < 0.002)
    return `Perum "${rng.pick(ESTATES)}" Blok ${rng.pick(BLOCKS)} No. ${no(40)}, ${rtRw}`;
  if (urban ? u < 0.6 : u < 0.25) return `Jl. ${rng.pick(STREETS)} No. ${no(150)}, ${rtRw}`;
  if (urban ? u < 0.85 : u < 0.35) return `Gg. ${rng.pick(STREETS)} No. ${no(60)}, ${rtRw}`;
  if (urban) return `Perum ${rng.pick(ESTATES)} Blok ${rng.pick(BLOCKS)} No. ${no(40)}, ${rtRw}`;
  return `Dusun ${rng.pick(PLACES)}, ${rtRw}`;
}
