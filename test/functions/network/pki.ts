// Real X.509 certificates for the tests, issued by openssl: a root CA, an intermediate, and leaves
// with any SANs and validity window (`openssl ca -startdate/-enddate`, so an expired certificate
// is really expired, not just judged with a moved clock).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const stamp = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

export interface Pki {
  rootPem: string;
  intermediatePem: string;
  /** A leaf signed by the intermediate; its PEM and its key's PEM. */
  issue(spec: { cn: string; dnsNames: string[]; notBefore: Date; notAfter: Date }): {
    certPem: string;
    keyPem: string;
  };
  /** A self-signed certificate of another "CA", to break chains with. */
  strangerPem: string;
  close(): void;
}

export function createPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'eco-pki-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'root.key',
    '-out',
    'root.crt',
    '-subj',
    '/CN=Eco Test Root',
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  run(
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'stranger.key',
    '-out',
    'stranger.crt',
    '-subj',
    '/CN=Stranger CA',
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  );
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = eco',
      '[eco]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir/newcerts',
      'serial = $dir/serial',
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      '[any]',
      'commonName = supplied',
      '[intermediate]',
      'basicConstraints = critical,CA:TRUE,pathlen:0',
      'keyUsage = critical,keyCertSign,cRLSign',
      '',
    ].join('\n'),
  );
  run('req', '-new', ...ecKey, '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=Eco Test Intermediate');
  run(
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'root.crt',
    '-keyfile',
    'root.key',
    '-in',
    'int.csr',
    '-out',
    'int.crt',
    '-days',
    '1825',
    '-extensions',
    'intermediate',
    '-notext',
  );
  let n = 0;
  const pem = (file: string): string => readFileSync(join(dir, file), 'utf8');
  return {
    rootPem: pem('root.crt'),
    intermediatePem: pem('int.crt'),
    strangerPem: pem('stranger.crt'),
    issue({ cn, dnsNames, notBefore, notAfter }) {
      n++;
      writeFileSync(
        join(dir, `leaf${n}.ext`),
        `[leaf]\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = ${dnsNames.map((d) => `DNS:${d}`).join(',')}\n`,
      );
      run('req', '-new', ...ecKey, '-keyout', `leaf${n}.key`, '-out', `leaf${n}.csr`, '-subj', `/CN=${cn}`);
      run(
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-cert',
        'int.crt',
        '-keyfile',
        'int.key',
        '-in',
        `leaf${n}.csr`,
        '-out',
        `leaf${n}.crt`,
        '-startdate',
        stamp(notBefore),
        '-enddate',
        stamp(notAfter),
        '-extfile',
        `leaf${n}.ext`,
        '-extensions',
        'leaf',
        '-notext',
      );
      return { certPem: pem(`leaf${n}.crt`), keyPem: pem(`leaf${n}.key`) };
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const tlsSecret = (
  namespace: string,
  name: string,
  certPem: string,
  keyPem: string,
  type = 'kubernetes.io/tls',
) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type,
  data: {
    'tls.crt': Buffer.from(certPem).toString('base64'),
    'tls.key': Buffer.from(keyPem).toString('base64'),
  },
});
