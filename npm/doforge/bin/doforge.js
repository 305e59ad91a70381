#!/usr/bin/env node
// doforge's npm launcher: runs the native doforge binary that npm installed with this package.
//
// The binary lives in one package per platform, @doforge/cli-<platform>-<arch> (Node's
// process.platform and process.arch), listed in this package's optionalDependencies with `os` and
// `cpu` fields, so npm installs only the one that fits this machine. Nothing is downloaded at
// install or run time: a registry mirror or an offline cache is enough.
//
// DOFORGE_BINARY=/path/to/doforge runs that binary instead (a local build, an unsupported platform).
"use strict";

const { spawnSync } = require("node:child_process");
const path = require("node:path");

// doforge's exit code for "could not do its job" (0 clean, 1 findings, 2 failure).
const EXIT_TOOL_FAILED = 2;

function platformPackage() {
  return `@doforge/cli-${process.platform}-${process.arch}`;
}

function binaryName() {
  return process.platform === "win32" ? "doforge.exe" : "doforge";
}

/** The binary to run, or an explanation of why there is none. */
function findBinary() {
  const override = process.env.DOFORGE_BINARY;
  if (override) {
    return { binary: override };
  }
  const pkg = platformPackage();
  try {
    // Resolved from this file, as Node resolves this package's own dependencies (hoisted or
    // nested, npm, pnpm or yarn).
    const manifest = require.resolve(`${pkg}/package.json`);
    return { binary: path.join(path.dirname(manifest), "bin", binaryName()) };
  } catch {
    const { version } = require("../package.json");
    const supported = Object.keys(require("../package.json").optionalDependencies || {});
    const known = supported.includes(pkg);
    return {
      error: known
        ? `doforge: the package ${pkg}@${version}, which holds the doforge binary for this ` +
          `platform, is not installed.\n` +
          `npm installs it with doforge as an optional dependency; it is missing when optional ` +
          `dependencies were omitted (--omit=optional, --no-optional) or the lock file was made ` +
          `on another platform. Reinstall: npm install doforge@${version}\n` +
          `(or set DOFORGE_BINARY to a doforge binary)`
        : `doforge: no prebuilt binary for ${process.platform}-${process.arch} ` +
          `(prebuilt: ${supported.map((p) => p.replace("@doforge/cli-", "")).join(", ")}).\n` +
          `Build one with \`cargo install doforge\` and set DOFORGE_BINARY to its path.`,
    };
  }
}

function main() {
  const found = findBinary();
  if (found.error) {
    process.stderr.write(found.error + "\n");
    return EXIT_TOOL_FAILED;
  }
  const run = spawnSync(found.binary, process.argv.slice(2), { stdio: "inherit" });
  if (run.error) {
    process.stderr.write(`doforge: could not run ${found.binary}: ${run.error.message}\n`);
    return EXIT_TOOL_FAILED;
  }
  if (run.signal) {
    // Die of the same signal, so a shell or pre-commit sees what happened to the binary.
    process.kill(process.pid, run.signal);
    return 128;
  }
  return run.status;
}

process.exitCode = main();
