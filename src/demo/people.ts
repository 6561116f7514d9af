import type { Random } from './random.ts';

// Made-up people for the demo workspace: names from many scripts and with accents (so every
// screen shows it handles them), each with an ASCII spelling for the address, which is always at
// example.com or example.org (RFC 2606: no real mailbox can receive anything).

/** A name as written, and the ASCII form its address uses. */
type Name = readonly [written: string, ascii: string];

interface Culture {
  country: string;
  language: string;
  weight: number;
  first: readonly Name[];
  last: readonly Name[];
}

const n = (written: string, ascii = written): Name => [written, ascii];

const CULTURES: readonly Culture[] = [
  {
    country: 'DE',
    language: 'de',
    weight: 18,
    first: [n('Jürgen', 'juergen'), n('Anna'), n('Lukas'), n('Sophie'), n('Jörg', 'joerg'), n('Käthe', 'kaethe'), n('Maximilian')],
    last: [n('Müller', 'mueller'), n('Schmidt'), n('Weiß', 'weiss'), n('Groß', 'gross'), n('Becker'), n('Schäfer', 'schaefer')],
  },
  {
    country: 'AT',
    language: 'de',
    weight: 5,
    first: [n('Florian'), n('Theresa'), n('Matthäus', 'matthaeus'), n('Leonie')],
    last: [n('Gruber'), n('Huber'), n('Wögerbauer', 'woegerbauer'), n('Pichler')],
  },
  {
    country: 'CH',
    language: 'fr',
    weight: 4,
    first: [n('Noémie', 'noemie'), n('Luca'), n('Céline', 'celine'), n('Urs')],
    last: [n('Favre'), n('Brönnimann', 'broennimann'), n('Rochat'), n('Zürcher', 'zuercher')],
  },
  {
    country: 'FR',
    language: 'fr',
    weight: 12,
    first: [n('François', 'francois'), n('Élodie', 'elodie'), n('Zoë', 'zoe'), n('Théo', 'theo'), n('Hélène', 'helene'), n('Maël', 'mael')],
    last: [n('Lefèvre', 'lefevre'), n('Dubois'), n('Garçon', 'garcon'), n('Moreau'), n('Bélanger', 'belanger')],
  },
  {
    country: 'ES',
    language: 'es',
    weight: 8,
    first: [n('José', 'jose'), n('María', 'maria'), n('Íñigo', 'inigo'), n('Lucía', 'lucia'), n('Begoña', 'begona')],
    last: [n('Muñoz', 'munoz'), n('García', 'garcia'), n('Ibáñez', 'ibanez'), n('Fernández', 'fernandez')],
  },
  {
    country: 'NL',
    language: 'nl',
    weight: 6,
    first: [n('Daan'), n('Sanne'), n('Bram'), n('IJsbrand', 'ijsbrand')],
    last: [n('de Vries', 'devries'), n('van den Berg', 'vandenberg'), n('Jansen'), n("'t Hooft", 'thooft')],
  },
  {
    country: 'PL',
    language: 'pl',
    weight: 6,
    first: [n('Łukasz', 'lukasz'), n('Małgorzata', 'malgorzata'), n('Zofia'), n('Wojciech')],
    last: [n('Wiśniewski', 'wisniewski'), n('Kowalczyk'), n('Żółkiewska', 'zolkiewska'), n('Nowak')],
  },
  {
    country: 'DK',
    language: 'da',
    weight: 4,
    first: [n('Søren', 'soren'), n('Åse', 'aase'), n('Mads'), n('Freja')],
    last: [n('Kierkegaard'), n('Østergaard', 'oestergaard'), n('Nielsen'), n('Jørgensen', 'joergensen')],
  },
  {
    country: 'SE',
    language: 'sv',
    weight: 4,
    first: [n('Björn', 'bjorn'), n('Åsa', 'asa'), n('Linnéa', 'linnea'), n('Oskar')],
    last: [n('Ångström', 'angstrom'), n('Lindqvist'), n('Söderberg', 'soderberg'), n('Berg')],
  },
  {
    country: 'TR',
    language: 'tr',
    weight: 4,
    first: [n('İlkay', 'ilkay'), n('Şule', 'sule'), n('Çağlar', 'caglar'), n('Gülşen', 'gulsen')],
    last: [n('Yılmaz', 'yilmaz'), n('Öztürk', 'ozturk'), n('Şahin', 'sahin'), n('Çelik', 'celik')],
  },
  {
    country: 'GR',
    language: 'el',
    weight: 3,
    first: [n('Αλέξανδρος', 'alexandros'), n('Ελένη', 'eleni'), n('Νίκος', 'nikos')],
    last: [n('Παπαδόπουλος', 'papadopoulos'), n('Οικονόμου', 'oikonomou'), n('Γεωργίου', 'georgiou')],
  },
  {
    country: 'UA',
    language: 'uk',
    weight: 3,
    first: [n('Олена', 'olena'), n('Дмитро', 'dmytro'), n('Ірина', 'iryna')],
    last: [n('Шевченко', 'shevchenko'), n('Коваленко', 'kovalenko'), n('Бондаренко', 'bondarenko')],
  },
  {
    country: 'VN',
    language: 'vi',
    weight: 3,
    first: [n('Thảo', 'thao'), n('Dũng', 'dung'), n('Hương', 'huong')],
    last: [n('Nguyễn', 'nguyen'), n('Trần', 'tran'), n('Phạm', 'pham')],
  },
  {
    country: 'CN',
    language: 'zh',
    weight: 3,
    first: [n('伟', 'wei'), n('芳', 'fang'), n('静', 'jing')],
    last: [n('王', 'wang'), n('李', 'li'), n('张', 'zhang')],
  },
  {
    country: 'JP',
    language: 'ja',
    weight: 3,
    first: [n('さくら', 'sakura'), n('大輔', 'daisuke'), n('陽菜', 'hina')],
    last: [n('佐藤', 'sato'), n('鈴木', 'suzuki'), n('高橋', 'takahashi')],
  },
  {
    country: 'IE',
    language: 'en',
    weight: 4,
    first: [n('Siobhán', 'siobhan'), n('Oisín', 'oisin'), n('Aoife')],
    last: [n("O'Brien", 'obrien'), n('Ní Bhraonáin', 'nibhraonain'), n('Murphy')],
  },
  {
    country: 'GB',
    language: 'en',
    weight: 8,
    first: [n('Oliver'), n('Amelia'), n('Priya'), n('George'), n('Chloé', 'chloe')],
    last: [n('Smith'), n('Patel'), n('Davies'), n('Hughes-Wright', 'hugheswright')],
  },
  {
    country: 'NG',
    language: 'en',
    weight: 3,
    first: [n('Ngozi'), n('Chinedu'), n('Adaeze')],
    last: [n('Okafor'), n('Adébáyọ̀', 'adebayo'), n('Eze')],
  },
  {
    country: 'NZ',
    language: 'en',
    weight: 2,
    first: [n('Aroha'), n('Tāne', 'tane'), n('Mere')],
    last: [n('Ngāta', 'ngata'), n('Walker'), n('Te Whata', 'tewhata')],
  },
];

const COMPANIES = [
  'Nordlicht GmbH',
  'Boulangerie Lefèvre & Fils',
  'Kowalczyk Logistics',
  'Fjord Analytics ApS',
  'Café Zürcher',
  'Öztürk Tekstil',
  'Harbour & Finch Ltd',
  'Müller Maschinenbau AG',
  'Studio Ibáñez',
  'Greenleaf Co-op',
  'Αιγαίο Ναυτιλιακή',
  'Sakura Design 株式会社',
];

export interface Person {
  firstName: string;
  lastName: string;
  /** The last name's ASCII form: a child's address takes its guardian's. */
  lastAscii: string;
  email: string;
  country: string;
  language: string;
  company: string | null;
  phone: string | null;
}

/** Makes people; the `n`-th address is unique by its number. */
export class People {
  private readonly cultures = CULTURES.map((c) => [c, c.weight] as const);
  constructor(private readonly random: Random) {}

  person(index: number, family?: Person): Person {
    const r = this.random;
    const c = family ? (CULTURES.find((x) => x.country === family.country) ?? CULTURES[0]!) : r.weighted(this.cultures);
    const [first, firstAscii] = r.pick(c.first);
    const [last, lastAscii] = family ? ([family.lastName, family.lastAscii] as const) : r.pick(c.last);
    const domain = index % 3 === 2 ? 'example.org' : 'example.com';
    return {
      firstName: first,
      lastName: last,
      lastAscii,
      email: `${firstAscii}.${lastAscii}${index + 1}@${domain}`.toLowerCase(),
      country: c.country,
      language: c.language,
      company: !family && r.chance(0.55) ? r.pick(COMPANIES) : null,
      phone: r.chance(0.35) ? `+${r.int(30, 49)} ${r.int(100, 999)} ${r.int(1000000, 9999999)}` : null,
    };
  }
}
