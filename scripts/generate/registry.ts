import { slashHeader } from './header.ts';
import type { Fleet, GeneratedFile } from './types.ts';

export const REGISTRY_PATH = 'functions/index.generated.ts';

/** `bot_eco_alert_bot` from `functions/eco-alert-bot/handler.ts`. */
function identifier(handlerFile: string): string {
  const folder = handlerFile.split('/')[1] ?? handlerFile;
  return `bot_${folder.replace(/[^a-zA-Z0-9]/g, '_')}`;
}

/**
 * The registry: a static import of every bot, so bundlers, the local gateway and the tests see the
 * whole fleet without scanning the file system at run time.
 */
export function registryFile(fleet: Fleet): GeneratedFile {
  const files = [...fleet.handlerFiles].sort();
  const imports = files.map(
    (file) => `import ${identifier(file)} from './${file.replace(/^functions\//, '')}';`,
  );
  const names = files.map((file) => `  ${identifier(file)},`);
  const content = [
    slashHeader().trimEnd(),
    ...imports,
    '',
    '/** Every bot of the fleet, sorted by folder name. */',
    names.length === 0
      ? 'export const bots = [] as const;'
      : `export const bots = [\n${names.join('\n')}\n] as const;`,
    '',
  ].join('\n');
  return { path: REGISTRY_PATH, content };
}
