import { LuaVm } from '../dist/index.js';
import fs from 'node:fs';
const vm = new LuaVm();
vm.execSync(fs.readFileSync('bench/lua/concat.lua', 'utf8'));
const t0 = Date.now(); let k = 0;
while (Date.now() - t0 < 5000) { vm.execSync('bench_setup()'); vm.execSync('return bench_run()'); k++; }
console.log('runs', k, (5000 / k).toFixed(1), 'ms/run');
