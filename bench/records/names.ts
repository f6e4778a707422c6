// Synthetic German patients with realistic name frequencies: the 50 most common surnames with
// weights proportional to their frequency in German telephone directories (Müller ≈ 0.3 % of
// the population, falling to ≈ 0.03 % at rank 50), a long tail of composed rarer surnames
// (about 70 % of Germans have a surname outside the top 50), and common given names by sex.
import type { PatientMaster } from '@tresor/sdk';

const TOP_SURNAMES: readonly (readonly [string, number])[] = [
  ['Müller', 256],
  ['Schmidt', 190],
  ['Schneider', 115],
  ['Fischer', 98],
  ['Weber', 85],
  ['Meyer', 84],
  ['Wagner', 80],
  ['Becker', 75],
  ['Schulz', 74],
  ['Hoffmann', 73],
  ['Schäfer', 60],
  ['Koch', 55],
  ['Bauer', 55],
  ['Richter', 53],
  ['Klein', 53],
  ['Wolf', 49],
  ['Schröder', 46],
  ['Neumann', 45],
  ['Schwarz', 44],
  ['Zimmermann', 43],
  ['Braun', 41],
  ['Krüger', 40],
  ['Hofmann', 40],
  ['Hartmann', 39],
  ['Lange', 38],
  ['Schmitt', 37],
  ['Werner', 37],
  ['Schmitz', 36],
  ['Krause', 36],
  ['Meier', 36],
  ['Lehmann', 35],
  ['Schmid', 35],
  ['Schulze', 34],
  ['Maier', 34],
  ['Köhler', 33],
  ['Herrmann', 32],
  ['König', 31],
  ['Walter', 31],
  ['Mayer', 30],
  ['Huber', 30],
  ['Kaiser', 29],
  ['Fuchs', 29],
  ['Peters', 29],
  ['Lang', 28],
  ['Scholz', 28],
  ['Möller', 27],
  ['Weiß', 27],
  ['Jung', 27],
  ['Hahn', 27],
  ['Schubert', 26],
];
const TAIL_FIRST = [
  'Berg',
  'Brand',
  'Eich',
  'Feld',
  'Gold',
  'Grün',
  'Haber',
  'Hein',
  'Kirch',
  'Lind',
  'Ober',
  'Ross',
  'Stein',
  'Wald',
  'Wies',
  'Rosen',
  'Stock',
  'Sonnen',
  'Linden',
  'Tann',
];
const TAIL_LAST = [
  'mann',
  'bach',
  'berger',
  'hof',
  'meier',
  'hauser',
  'brink',
  'kamp',
  'rath',
  'stedt',
  'feld',
  'ling',
  'huber',
  'busch',
  'horst',
  'dorf',
  'gruber',
  'thal',
  'wald',
  'er',
];
const FEMALE: readonly (readonly [string, number])[] = [
  ['Maria', 30],
  ['Ursula', 18],
  ['Monika', 16],
  ['Petra', 14],
  ['Elisabeth', 13],
  ['Sabine', 13],
  ['Renate', 12],
  ['Helga', 12],
  ['Karin', 12],
  ['Brigitte', 11],
  ['Ingrid', 11],
  ['Erika', 10],
  ['Andrea', 10],
  ['Gisela', 10],
  ['Claudia', 9],
  ['Susanne', 9],
  ['Gabriele', 9],
  ['Christa', 8],
  ['Julia', 8],
  ['Anna', 8],
  ['Laura', 7],
  ['Lea', 7],
  ['Sophie', 7],
  ['Emma', 7],
  ['Mia', 6],
  ['Hannah', 6],
  ['Katharina', 6],
  ['Stefanie', 6],
  ['Nicole', 6],
  ['Emine', 2],
];
const MALE: readonly (readonly [string, number])[] = [
  ['Peter', 25],
  ['Michael', 24],
  ['Thomas', 22],
  ['Andreas', 20],
  ['Wolfgang', 18],
  ['Klaus', 17],
  ['Jürgen', 16],
  ['Günter', 15],
  ['Stefan', 15],
  ['Christian', 14],
  ['Uwe', 13],
  ['Werner', 13],
  ['Horst', 12],
  ['Frank', 12],
  ['Dieter', 12],
  ['Manfred', 11],
  ['Gerhard', 11],
  ['Hans', 11],
  ['Bernd', 10],
  ['Markus', 10],
  ['Jan', 9],
  ['Lukas', 9],
  ['Leon', 8],
  ['Paul', 8],
  ['Jonas', 8],
  ['Felix', 7],
  ['Maximilian', 7],
  ['Tobias', 7],
  ['Sebastian', 7],
  ['Mehmet', 2],
];

/** A deterministic PRNG (mulberry32), so every run creates the same patients. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(table: readonly (readonly [string, number])[], random: () => number): string {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let pick = random() * total;
  for (const [name, weight] of table) {
    pick -= weight;
    if (pick < 0) return name;
  }
  return table[0]![0];
}

const TOP_SHARE = 0.3;

/** `count` synthetic patients; about 30 % carry one of the 50 most common surnames. */
export function syntheticPatients(count: number, seed = 1): PatientMaster[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const out: PatientMaster[] = [];
  for (let i = 0; i < count; i++) {
    const female = random() < 0.51;
    const familyName =
      random() < TOP_SHARE ? weighted(TOP_SURNAMES, random) : `${pick(TAIL_FIRST)}${pick(TAIL_LAST)}`;
    const year = 1930 + Math.floor(random() * 90);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const kvnr = `${String.fromCharCode(65 + Math.floor(random() * 26))}${String(i).padStart(9, '0')}`;
    out.push({
      givenName: weighted(female ? FEMALE : MALE, random),
      familyName,
      birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      sex: female ? 'female' : 'male',
      insurance: { kvnr, type: 'gkv' },
    });
  }
  return out;
}
