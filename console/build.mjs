// Builds the agent console into console/dist: one ES module bundle, one stylesheet, index.html.
// Runs offline: esbuild and every library come from the npm registry through package-lock.json.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "assets"), { recursive: true });

await build({
  entryPoints: [join(here, "src", "main.jsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  define: { global: "globalThis", "process.env.NODE_ENV": '"production"' },
  outfile: join(dist, "assets", "app.js"),
  logLevel: "warning",
  legalComments: "none",
});
copyFileSync(join(here, "src", "styles.css"), join(dist, "assets", "app.css"));
copyFileSync(join(here, "index.html"), join(dist, "index.html"));

const script = readFileSync(join(dist, "assets", "app.js"));
const sizes = { javascript_bytes: script.length, javascript_gzip_bytes: gzipSync(script, { level: 9 }).length };
writeFileSync(join(dist, "build.json"), JSON.stringify(sizes, null, 2));
console.log(`console: app.js ${(sizes.javascript_bytes / 1024).toFixed(0)} KB, ${(sizes.javascript_gzip_bytes / 1024).toFixed(0)} KB gzip`);
