import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../src/project-root.js';

const root = projectRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The npm package a bare import names: `pdfmake/interfaces.js` -> `pdfmake`, `@slack/bolt` -> `@slack/bolt`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('container image', () => {
  it('ships every package the app imports at run time, since the image installs production dependencies only', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of [...sourceFiles('src'), ...sourceFiles('blocks')]) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const [, specifier] of text.matchAll(/^import (?!type )[^;]*?from '([^'.][^']*)'/gms)) {
        if (!specifier!.startsWith('node:')) imported.add(packageOf(specifier!));
      }
    }
    expect([...imported].filter((name) => !(name in manifest.dependencies))).toEqual([]);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  it('runs as a non-root user, reports health from /readyz, and keeps the build tools out of the final stage', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    const final = stages[1]!;
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^HEALTHCHECK .*\n?.*\/readyz/m);
    expect(final).toMatch(/COPY --from=build \/app\/dist/);
    expect(final).not.toMatch(/npm (ci|install)/);
  });

  it('starts the app with the same node command and flags as npm start', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
    const command = /^CMD (\[.*\])$/m.exec(dockerfile.split(/^FROM /m).at(-1)!)?.[1];
    expect(JSON.parse(command!)).toEqual(manifest.scripts.start.split(' '));
  });

  it('composes PostgreSQL and two app instances behind one published port', () => {
    const compose = parse(readFileSync(join(root, 'compose.yaml'), 'utf8')) as {
      services: Record<
        string,
        { ports?: string[]; deploy?: { replicas?: number }; environment?: Record<string, string> }
      >;
    };
    const { postgres, app, proxy } = compose.services;
    expect(postgres).toBeDefined();
    expect(app?.deploy?.replicas).toBe(2);
    expect(app?.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(app?.ports).toBeUndefined();
    expect(proxy?.ports).toEqual(['${PORT:-3000}:80']);
    expect(readFileSync(join(root, 'deploy/nginx.conf'), 'utf8')).toMatch(/server app:3000/);
  });

  it('builds the image with Docker where a Docker daemon runs (here: said in the output when none does)', () => {
    const daemon = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
    if (daemon.status !== 0) {
      console.info('No Docker daemon on this machine: the image build was not tried.');
      return;
    }
    execFileSync('docker', ['build', '--quiet', '--tag', 'consultracker:test', root], {
      stdio: 'pipe',
      timeout: 600_000,
    });
    const user = execFileSync('docker', ['image', 'inspect', '--format', '{{.Config.User}}', 'consultracker:test'], {
      encoding: 'utf8',
    });
    expect(user.trim()).toBe('node');
  }, 600_000);
});
