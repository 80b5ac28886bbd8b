// Renders the @solana/kit client of the margin program from its IDL (../../idl/margin.json, kept current by
// idl/check.sh) with Codama into src/generated. With --check, renders into a temporary folder instead and fails
// when src/generated differs (CI: the committed client is the IDL's).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFromRoot } from 'codama';
import { rootNodeFromAnchor } from '@codama/nodes-from-anchor';
import { renderVisitor } from '@codama/renderers-js';

const here = fileURLToPath(new URL('..', import.meta.url));
const idl = JSON.parse(readFileSync(join(here, '../../idl/margin.json'), 'utf8'));
const check = process.argv.includes('--check');
const packageFolder = check ? mkdtempSync(join(tmpdir(), 'margin-client-')) : here;

const codama = createFromRoot(rootNodeFromAnchor(idl));
await codama.accept(
  renderVisitor(packageFolder, {
    // The program has an account type named MarginAccount: the enum of account types takes another name.
    nameTransformers: { programAccountsEnum: () => 'MarginAccountType' },
    syncPackageJson: false,
  }),
);

/** Every file below `folder`, by path relative to it, with its text. */
function files(folder) {
  const found = new Map();
  const walk = (path) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else found.set(relative(folder, full), readFileSync(full, 'utf8'));
    }
  };
  walk(folder);
  return found;
}

if (check) {
  const fresh = files(join(packageFolder, 'src/generated'));
  const committed = files(join(here, 'src/generated'));
  rmSync(packageFolder, { recursive: true, force: true });
  const differing = [...new Set([...fresh.keys(), ...committed.keys()])].filter((path) => fresh.get(path) !== committed.get(path));
  if (differing.length > 0) {
    console.error(`src/generated is not the IDL's client (${differing.length} files differ: ${differing.slice(0, 5).join(', ')}): run npm run generate`);
    process.exit(1);
  }
  console.log(`src/generated is current with idl/margin.json (${fresh.size} files)`);
} else {
  console.log(`rendered src/generated from idl/margin.json`);
}
