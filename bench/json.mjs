// vulcan.json figures: encode / decode of a ~100 KB document in one VM, against Debian's
// lua-cjson in the same VM and JSON.stringify / JSON.parse in Node. `--only json` runs these.
import { LuaVm } from '../dist/index.js';
import { makeObject } from './lib/data.mjs';
import { microsPerCall, printFigureTable } from './lib/timing.mjs';

const CPATH = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/lua/5.4/?.so`;

function doc() {
  return { items: makeObject(100 * 1024, 7), meta: { title: 'a ~100 KB document' } };
}

export function measureJson() {
  const value = doc();
  const text = JSON.stringify(value);
  const vm = new LuaVm();
  vm.execSync('package.cpath = args .. ";" .. package.cpath', { args: CPATH });
  vm.execSync('json = require("luaskills.json") doc = json.decode(args) text = args', { args: text });
  let cjson = true;
  try {
    vm.execSync('cjson = require("cjson")');
  } catch {
    cjson = false;
  }
  const loop = (code) => vm.execSync(`for i = 1, 20 do ${code} end`);
  const rows = [
    ['document size', 'KB', (text.length / 1024).toFixed(1)],
    ['vulcan.json.encode (in Lua)', 'µs', (microsPerCall(() => loop('json.encode(doc)'), 5, 1) / 20).toFixed(0)],
    ['cjson.encode (same VM)', 'µs', cjson ? (microsPerCall(() => loop('cjson.encode(doc)'), 5, 1) / 20).toFixed(0) : 'n/a'],
    ['JSON.stringify (Node)', 'µs', microsPerCall(() => JSON.stringify(value), 5, 50).toFixed(0)],
    ['vulcan.json.decode (in Lua)', 'µs', (microsPerCall(() => loop('json.decode(text)'), 5, 1) / 20).toFixed(0)],
    ['cjson.decode (same VM)', 'µs', cjson ? (microsPerCall(() => loop('cjson.decode(text)'), 5, 1) / 20).toFixed(0) : 'n/a'],
    ['JSON.parse (Node)', 'µs', microsPerCall(() => JSON.parse(text), 5, 50).toFixed(0)],
  ];
  vm.close();
  return rows;
}

export function printJsonTable(rows) {
  printFigureTable('vulcan.json', 'figure', rows);
}
