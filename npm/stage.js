#!/usr/bin/env node
// Writes the npm packages' directories, ready for `npm pack` (scripts/npm-pack.sh runs this):
//
//   node npm/stage.js --version 0.1.0 --out DIR TARGET=BINARY...
//
// DIR/doforge is the launcher (npm/doforge, as committed) and DIR/cli-<os>-<cpu> one platform
// package per TARGET=BINARY given (a Rust target from npm/platforms.json and the binary built for
// it). Prints the directories written, one per line.
//
// The version comes from Cargo.toml (the caller passes it). The committed launcher must already
// say that version and list every platform of npm/platforms.json at it: a release bump changes
// them together, and a stale launcher is an error here rather than a broken install later.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const here = __dirname;

function fail(message) {
  process.stderr.write(`npm/stage.js: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { binaries: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--version" || a === "--out") {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      args[a.slice(2)] = argv[++i];
    } else if (a.includes("=")) {
      const at = a.indexOf("=");
      args.binaries.push({ target: a.slice(0, at), file: a.slice(at + 1) });
    } else {
      fail(`unexpected argument ${a}`);
    }
  }
  if (!args.version || !args.out) fail("usage: stage.js --version V --out DIR TARGET=BINARY...");
  return args;
}

const packageName = (p) => `@doforge/cli-${p.os}-${p.cpu}`;

function checkLauncher(launcher, platforms, version) {
  const problems = [];
  if (launcher.version !== version) {
    problems.push(`"version" is ${JSON.stringify(launcher.version)}, Cargo.toml says ${version}`);
  }
  const want = Object.fromEntries(platforms.map((p) => [packageName(p), version]));
  const have = launcher.optionalDependencies || {};
  if (JSON.stringify(have) !== JSON.stringify(want)) {
    problems.push(
      `"optionalDependencies" should be ${JSON.stringify(want)} (npm/platforms.json at ${version})`,
    );
  }
  if (problems.length) {
    fail(`npm/doforge/package.json is out of date:\n  ${problems.join("\n  ")}`);
  }
}

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

function stagePlatform(out, platform, binary, launcher) {
  const name = packageName(platform);
  const dir = path.join(out, `cli-${platform.os}-${platform.cpu}`);
  fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
  const dest = path.join(dir, "bin", platform.binary);
  fs.copyFileSync(binary, dest);
  fs.chmodSync(dest, 0o755);
  writeJson(path.join(dir, "package.json"), {
    name,
    version: launcher.version,
    description: `The doforge binary for ${platform.os}-${platform.cpu} (${platform.target}); installed by the doforge package`,
    license: launcher.license,
    os: [platform.os],
    cpu: [platform.cpu],
    files: [`bin/${platform.binary}`],
    // Yarn PnP: the binary must exist on disk to be executed.
    preferUnplugged: true,
  });
  fs.writeFileSync(
    path.join(dir, "README.md"),
    `# ${name}\n\nThe \`doforge\` binary for ${platform.os}-${platform.cpu}, built for the Rust ` +
      `target \`${platform.target}\`${platform.os === "linux" ? " (static: any Linux, glibc or musl)" : ""}.\n` +
      `Install the \`doforge\` package, not this one: it depends on the platform packages and ` +
      `runs the binary of the one npm installed.\n`,
  );
  return dir;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { platforms } = JSON.parse(fs.readFileSync(path.join(here, "platforms.json"), "utf8"));
  const launcherDir = path.join(here, "doforge");
  const launcher = JSON.parse(fs.readFileSync(path.join(launcherDir, "package.json"), "utf8"));
  checkLauncher(launcher, platforms, args.version);

  fs.mkdirSync(args.out, { recursive: true });
  const written = [];
  const staged = path.join(args.out, "doforge");
  fs.cpSync(launcherDir, staged, { recursive: true });
  fs.chmodSync(path.join(staged, "bin", "doforge.js"), 0o755);
  written.push(staged);
  for (const { target, file } of args.binaries) {
    const platform = platforms.find((p) => p.target === target);
    if (!platform) fail(`${target} is not a target of npm/platforms.json`);
    if (!fs.existsSync(file)) fail(`no binary at ${file} for ${target}`);
    written.push(stagePlatform(args.out, platform, file, launcher));
  }
  process.stdout.write(written.join("\n") + "\n");
}

main();
