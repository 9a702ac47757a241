import { build } from 'esbuild';
import { join } from 'node:path';
const root = process.cwd();
const name = process.argv[2] ?? 'eco-alert-bot';
const pat = new RegExp(process.argv[3] ?? 'typebox');
const entry = `import bot from "${root}/functions/${name}/handler.ts";\nimport { serve } from "${root}/shared/runtime/serve.ts";\nvoid serve(bot);\n`;
const r = await build({
  stdin: { contents: entry, resolveDir: root, loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  write: false,
  metafile: true,
  outfile: '/tmp/x.mjs',
  packages: 'bundle',
  plugins: [
    {
      name: 's',
      setup(b) {
        b.onResolve({ filter: /^\.\/dispatch\.ts$/ }, (a) =>
          a.importer.includes('shared/runtime')
            ? { path: join(root, 'shared/runtime/dispatch-single.ts') }
            : undefined,
        );
      },
    },
  ],
});
const out = Object.values(r.metafile.outputs)[0]!;
const groups = new Map<string, number>();
for (const [file, info] of Object.entries(out.inputs)) {
  if (!pat.test(file)) continue;
  const key = file
    .replace(/.*build\/esm\//, '')
    .split('/')
    .slice(0, 2)
    .join('/');
  groups.set(key, (groups.get(key) ?? 0) + info.bytesInOutput);
}
for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 40))
  console.log(String(v).padStart(8), k);
