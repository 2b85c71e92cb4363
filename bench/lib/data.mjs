// A deterministic ~10 KB JSON-like object: nested objects, arrays, strings, integers, floats,
// booleans. No null (Lua nil cannot live in a table) and no empty containers (an empty Lua table
// cannot say whether it was [] or {}), so a faithful bridge must return an equal value.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeObject(targetBytes = 10 * 1024, seed = 20240601) {
  const rnd = mulberry32(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const word = (min = 3, max = 10) => {
    const len = min + Math.floor(rnd() * (max - min + 1));
    let s = '';
    for (let i = 0; i < len; i++) s += letters[Math.floor(rnd() * 26)];
    return s;
  };
  const int = (max) => Math.floor(rnd() * max);
  const price = () => Math.floor(rnd() * 100000) / 100 + 0.005; // always a non-integer float

  const obj = {
    id: 'order-000123',
    version: 3,
    active: true,
    createdAt: '2024-06-01T12:00:00Z',
    customer: {
      id: 98765,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      address: { street: '12 Analytical Row', city: 'London', zip: 'N1 9GU', geo: [51.5372, -0.1064] },
      vip: false,
    },
    tags: ['priority', 'gift', 'express', 'review'],
    totals: { net: 1234.5, tax: 246.9, gross: 1481.4, currency: 'EUR' },
    items: [],
  };
  let i = 0;
  while (JSON.stringify(obj).length < targetBytes) {
    obj.items.push({
      sku: `SKU-${String(10000 + i)}`,
      title: `${word()} ${word()} ${word(2, 6)}`,
      qty: 1 + int(20),
      price: price(),
      inStock: rnd() < 0.7,
      tags: [word(), word(), word()],
      dims: { w: 1 + int(100), h: 1 + int(100), d: 1 + int(100), weight: Math.round(rnd() * 1e4) / 1e3 + 0.0001 },
      history: [int(1000), int(1000), int(1000), int(1000)],
    });
    i++;
  }
  return obj;
}
