import { groupName, groups } from './openfaas.ts';
import { TIERS, maxTier } from './tiers.ts';
import { IMAGE_LIMIT_BYTES } from './monitoring/rules.ts';
import { yamlFile } from './yaml.ts';
import type { Fleet, GeneratedFile } from './types.ts';

export const WORKFLOW_PATH = '.github/workflows/images.yml';

/** Every image the fleet ships: one per bot (stack.yml, Knative) and one per category (stack.ce.yml). */
export function imageMatrix(fleet: Fleet): { image: string; bundle: string; node_options: string }[] {
  // node_options: the tier's NODE_OPTIONS, which the image's code cache must be written with.
  return [
    ...fleet.bots.map((bot) => ({
      image: bot.name,
      bundle: `functions/${bot.name}`,
      node_options: TIERS[bot.tier].nodeOptions ?? '',
    })),
    ...[...groups(fleet)].map(([category, bots]) => ({
      image: groupName(category),
      bundle: `groups/${category}`,
      node_options: TIERS[maxTier(bots.map((bot) => bot.tier))].nodeOptions ?? '',
    })),
  ];
}

/**
 * The users' CI: each image built with buildx for amd64 and arm64 into an OCI layout, its compressed
 * size per platform checked against the 50 MB target (what a registry stores and a node pulls), then
 * pushed on main. No Docker engine runs where this repository is developed, so this is the gate.
 */
export function workflowFile(fleet: Fleet): GeneratedFile {
  const matrix = imageMatrix(fleet);
  const doc = {
    name: 'images',
    on: {
      push: { branches: ['main'] },
      pull_request: {},
      workflow_dispatch: {},
    },
    permissions: { contents: 'read', packages: 'write' },
    jobs: {
      base: {
        name: 'eco-base (apko)',
        'runs-on': 'ubuntu-latest',
        if: "github.event_name == 'push'",
        steps: [
          { uses: 'actions/checkout@v4' },
          {
            name: 'Publish the Wolfi base (nodejs-24-minimal, uid 65532) for amd64 and arm64',
            env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' },
            run: [
              'echo "$GITHUB_TOKEN" | docker login ghcr.io -u "${{ github.actor }}" --password-stdin',
              'docker run --rm -v "$PWD":/work -w /work -v "$HOME/.docker":/docker -e DOCKER_CONFIG=/docker \\',
              '  cgr.dev/chainguard/apko publish templates/eco-base.yaml ghcr.io/${{ github.repository_owner }}/eco-base:latest',
            ].join('\n'),
          },
        ],
      },
      image: {
        name: '${{ matrix.image }}',
        'runs-on': 'ubuntu-latest',
        strategy: { 'fail-fast': false, matrix: { include: matrix } },
        env: {
          REGISTRY: 'ghcr.io/${{ github.repository_owner }}',
          IMAGE_LIMIT_BYTES: String(IMAGE_LIMIT_BYTES),
          // Set the repository variable ECO_BASE_IMAGE to ghcr.io/<owner>/eco-base:latest once the base
          // job has published it: smaller than Chainguard's node image (no npm, inspector, busybox).
          BASE: "${{ vars.ECO_BASE_IMAGE || 'cgr.dev/chainguard/node:latest' }}",
        },
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/setup-node@v4', with: { 'node-version': '22' } },
          { uses: 'docker/setup-qemu-action@v3' },
          { uses: 'docker/setup-buildx-action@v3' },
          {
            name: 'Lay out the build context as faas-cli does (template + function/ + configuration.copy)',
            run: [
              'mkdir -p build/ctx/function',
              'cp templates/eco-node/Dockerfile build/ctx/',
              'cp -r package.json package-lock.json tsconfig.json shared scripts functions build/ctx/function/',
            ].join('\n'),
          },
          {
            name: 'Build linux/amd64 and linux/arm64 into an OCI layout',
            run: [
              'docker buildx build --platform linux/amd64,linux/arm64 \\',
              '  --build-arg ECO_BUNDLE=${{ matrix.bundle }} --build-arg BASE="$BASE" --build-arg ECO_NODE_OPTIONS="${{ matrix.node_options }}" \\',
              '  --output type=oci,dest=image.tar build/ctx',
              'mkdir -p oci && tar -xf image.tar -C oci',
            ].join('\n'),
          },
          {
            name: 'Fail when an image is over 50 MB',
            run: 'node templates/check-image-size.mjs oci "$IMAGE_LIMIT_BYTES"',
          },
          {
            name: 'Log in to the registry',
            if: "github.event_name == 'push'",
            uses: 'docker/login-action@v3',
            with: {
              registry: 'ghcr.io',
              username: '${{ github.actor }}',
              password: '${{ secrets.GITHUB_TOKEN }}',
            },
          },
          {
            name: 'Push',
            if: "github.event_name == 'push'",
            run: [
              'docker buildx build --platform linux/amd64,linux/arm64 \\',
              '  --build-arg ECO_BUNDLE=${{ matrix.bundle }} --build-arg BASE="$BASE" --build-arg ECO_NODE_OPTIONS="${{ matrix.node_options }}" \\',
              '  -t "$REGISTRY/${{ matrix.image }}:${{ github.sha }}" -t "$REGISTRY/${{ matrix.image }}:latest" \\',
              '  --push build/ctx',
            ].join('\n'),
          },
        ],
      },
    },
  };
  return {
    path: WORKFLOW_PATH,
    content: yamlFile([doc], ['Container images for every bot and category group; fails over 50 MB.']),
  };
}
