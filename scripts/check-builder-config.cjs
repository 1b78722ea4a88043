// Validates electron-builder.yml against electron-builder's own JSON schema without packaging
// (packaging needs the Electron binary, which cannot be downloaded here). Also checks what the
// schema cannot: the icons it names exist, and each file association has one extension.
// Prints `electron-builder config: valid`, or the errors and exits 1. Usage: npm run check:builder
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
const { DebugLogger } = require('builder-util');

const projectDir = path.resolve(__dirname, '..');

function fileProblems(config) {
  const problems = [];
  const resources = path.join(projectDir, config.directories?.buildResources ?? 'build');
  const mustExist = (rel, what) => {
    if (rel && !fs.existsSync(path.join(resources, rel)))
      problems.push(`${what}: ${path.join(resources, rel)} is missing`);
  };
  mustExist(config.win?.icon, 'win.icon');
  mustExist(config.mac?.icon, 'mac.icon');
  const linuxIcons = config.linux?.icon;
  mustExist(linuxIcons, 'linux.icon');
  const iconDir = linuxIcons && path.join(resources, linuxIcons);
  if (iconDir && fs.existsSync(iconDir) && fs.statSync(iconDir).isDirectory()) {
    const sizes = fs.readdirSync(iconDir).filter((f) => /^\d+x\d+\.png$/.test(f));
    if (sizes.length === 0) problems.push(`linux.icon: ${iconDir} holds no <size>x<size>.png`);
  }
  for (const [i, assoc] of (config.fileAssociations ?? []).entries()) {
    if (typeof assoc.ext !== 'string' || assoc.ext.length === 0) {
      problems.push(`fileAssociations[${i}].ext must be one extension (the Linux mime glob takes one)`);
    }
  }
  return problems;
}

(async () => {
  const config = await getConfig(projectDir, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  const problems = fileProblems(config);
  if (problems.length > 0)
    throw new Error(`electron-builder config: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  console.log('electron-builder config: valid');
})().catch((e) => {
  console.error(e && e.message ? e.message : String(e));
  process.exit(1);
});
