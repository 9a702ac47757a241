// eco-secrets-bot's literal-secret detection: names and value shapes in env and ConfigMaps, what is
// not a secret, and that a hit never carries the value.
import { describe, expect, it } from 'vitest';
import {
  classify,
  describeHit,
  isSensitiveName,
  scanConfigMap,
  scanEnv,
} from '../../functions/eco-secrets-bot/literal-secrets.ts';

describe('names', () => {
  it.each([
    'DB_PASSWORD',
    'password',
    'MYSQL_ROOT_PASSWD',
    'API_TOKEN',
    'GITHUB_TOKEN',
    'client_secret',
    'STRIPE_API_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'AZURE_STORAGE_KEY',
    'OCI_CLI_KEY_CONTENT',
    'jwt.signing-key',
    'DB_PWD',
  ])('%s is a secret name', (name) => expect(isSensitiveName(name)).toBe(true));

  it.each([
    'PWD',
    'OLDPWD',
    'TOKEN_URL',
    'PASSWORD_FILE',
    'SECRET_NAME',
    'TOKEN_TTL',
    'DB_HOST',
    'LOG_LEVEL',
    'ACCESS_KEY_ID',
    'secret_path',
  ])('%s is not', (name) => expect(isSensitiveName(name)).toBe(false));
});

describe('values', () => {
  it.each([
    ['X', '-----BEGIN RSA PRIVATE KEY-----\nMIIB...\n-----END RSA PRIVATE KEY-----', 'private-key'],
    ['X', '-----BEGIN OPENSSH PRIVATE KEY-----', 'private-key'],
    ['DATABASE_URL', 'postgres://app:s3cret@db.payments.svc:5432/ledger', 'connection-string-password'],
    ['CONN', 'Server=db;Database=x;User Id=app;Password=s3cret;', 'connection-string-password'],
    ['KEY_ID', 'AKIAABCDEFGHIJKLMNOP', 'cloud-access-key'],
    ['GH', `ghp_${'a'.repeat(36)}`, 'forge-token'],
    ['AUTH', `Bearer ${'x'.repeat(32)}`, 'bearer-token'],
    ['T', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlc2lnbmF0dXJl', 'jwt'],
    ['BAO', `s.${'A'.repeat(24)}`, 'openbao-token'],
    ['API_TOKEN', 'sk-demo-0000-not-real', 'sensitive-name'],
  ])('%s=%s -> %s', (name, value, reason) => expect(classify(name, value)).toBe(reason));

  it.each([
    ['DB_PASSWORD', ''],
    ['DB_PASSWORD', '$(DB_PASSWORD_FROM_SECRET)'],
    ['API_TOKEN', '${API_TOKEN}'],
    ['TOKEN_REFRESH', '3600'],
    ['SECRET_ROTATION', 'true'],
    ['DATABASE_URL', 'postgres://db.payments.svc:5432/ledger'],
    ['GREETING', 'hello world'],
  ])('%s=%s is not a literal secret', (name, value) => expect(classify(name, value)).toBeUndefined());
});

describe('scanEnv', () => {
  it('flags literal values, not valueFrom references, naming the container and field', () => {
    const hits = scanEnv({
      initContainers: [{ name: 'migrate', env: [{ name: 'DB_URL', value: 'mysql://root:toor@db/app' }] }],
      containers: [
        {
          name: 'app',
          env: [
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'API_TOKEN', value: 'sk-demo-0000-not-real' },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
          ],
        },
      ],
    });
    expect(hits).toEqual([
      {
        reason: 'connection-string-password',
        key: 'DB_URL',
        field: 'initContainers[0].env[0].value',
        container: 'migrate',
      },
      { reason: 'sensitive-name', key: 'API_TOKEN', field: 'containers[0].env[1].value', container: 'app' },
    ]);
  });
});

describe('scanConfigMap', () => {
  it('flags the demo cluster’s legacy/app-config DB_PASSWORD and nothing else there', () => {
    const hits = scanConfigMap({
      data: { DB_HOST: 'ledger-db.payments.svc', DB_PASSWORD: 'hunter2', LOG_LEVEL: 'debug' },
    });
    expect(hits).toEqual([{ reason: 'sensitive-name', key: 'DB_PASSWORD', field: 'data["DB_PASSWORD"]' }]);
  });

  it('finds assignments inside file-like values with their line', () => {
    const props = [
      'server.port=8080',
      'spring.datasource.url=jdbc:postgresql://db/app',
      'spring.datasource.password=hunter2',
      'token.ttl=3600',
    ].join('\n');
    const yaml = ['auth:', '  client_secret: "abc123def"', '  client_id: web'].join('\n');
    const hits = scanConfigMap({ data: { 'application.properties': props, 'config.yaml': yaml } });
    expect(hits).toEqual([
      {
        reason: 'sensitive-name',
        key: 'application.properties',
        field: 'data["application.properties"]',
        innerKey: 'spring.datasource.password',
        line: 3,
      },
      {
        reason: 'sensitive-name',
        key: 'config.yaml',
        field: 'data["config.yaml"]',
        innerKey: 'client_secret',
        line: 2,
      },
    ]);
  });

  it('flags a private key file and sensitive binaryData names', () => {
    const hits = scanConfigMap({
      data: { 'tls.key': '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' },
      binaryData: { 'keystore-password': 'aGk=' },
    });
    expect(hits.map((h) => h.reason)).toEqual(['private-key', 'sensitive-name']);
  });
});

describe('no hit carries the value', () => {
  it('keeps a canary value out of every hit and description', () => {
    const canary = 'CANARY-7f3a9c-do-not-leak';
    const hits = [
      ...scanEnv({
        containers: [
          {
            name: 'a',
            env: [
              { name: 'DB_PASSWORD', value: canary },
              { name: 'URL', value: `postgres://u:${canary}@h/db` },
            ],
          },
        ],
      }),
      ...scanConfigMap({ data: { SECRET_KEY: canary, 'app.env': `API_TOKEN=${canary}\n` } }),
    ];
    expect(hits).toHaveLength(4);
    const text = JSON.stringify(hits) + hits.map(describeHit).join('\n');
    expect(text).not.toContain(canary);
    expect(text).not.toContain('7f3a9c');
  });
});
