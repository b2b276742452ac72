// Compile the devnet contracts with solc-js (standard-JSON API, which also
// gives the runtime bytecode the CLI lacks).  Usage:
//   node compile.js CONTRACTS_DIR OUT_JSON
// Writes {solcVersion, contracts: {Name: {abi, bytecode, deployedBytecode}}}.
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..', '..');
const solc = require(require.resolve('solc', { paths: [root] }));

const [dir, outFile] = process.argv.slice(2);
const sources = {};
for (const f of fs.readdirSync(dir).sort())
  if (f.endsWith('.sol'))
    sources[f] = { content: fs.readFileSync(path.join(dir, f), 'utf8') };

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    outputSelection: {
      '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
    },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of out.errors || []) {
  process.stderr.write(e.formattedMessage || e.message);
  if (e.severity === 'error') failed = true;
}
if (failed) process.exit(1);
const contracts = {};
for (const file of Object.keys(out.contracts))
  for (const [name, c] of Object.entries(out.contracts[file]))
    contracts[name] = {
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    };
fs.writeFileSync(outFile, JSON.stringify({ solcVersion: solc.version(), contracts }));
