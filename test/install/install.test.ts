// trustpath installed as a distribution installs it: the Debian package built by
// packaging/build-deb.sh goes onto this machine with dpkg -i; the machine's own system
// bus (dbus-daemon --system, the installed configuration) must start trustpathd on
// demand, as user 'trustpath', and serve pkcheck and pkexec through it; an install of
// a higher version upgrades it; a purge must leave every path it shipped as it was
// before and give polkitd its files back.
//
// Other tests run meanwhile. So the whole file holds the 'system-bus' lock (the package
// stops whatever owns org.freedesktop.PolicyKit1 there), the Xorg snippet is not
// unpacked (--path-exclude: every test X server would load the module), conffiles that
// exist already keep their content (--force-confold), and /etc/pam.d/trustpath is put
// back if the purge took it. The 'trustpath' user stays, as Debian leaves system users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLock } from '../support/lock.js';
import { SYSTEM_BUS_LOCK } from '../support/system-bus.js';
import { SYSTEM_BUS_SOCKET } from '../support/bus.js';
import { ELOGIND_LOCK, startElogind } from '../support/elogind.js';
import { spawnPty } from '../support/pty.js';
import { ensureTestUser } from '../support/users.js';
import { normalizeTranscript } from '../scenario/pkexec-suite.js';
import {
  BUS_NAME, INSTALLED_NODE, ROOT, buildDeb, describePath, diversionsBy, fileIfExists, installedDaemonPids, must,
  ownerPid, packageStatus, processUser, repackAtVersion, run, snapshotPackagePaths, startSystemBus, untilDaemonGone,
  type SystemBus,
} from './support.js';

const XORG_SNIPPET = '/etc/X11/xorg.conf.d/50-trustpath.conf';
const PAM_SERVICE = '/etc/pam.d/trustpath';
const HELPER = '/usr/libexec/trustpath/trustpath-pam-helper';
const UNIT = '/lib/systemd/system/trustpath.service';
const POLKITD_FILES = [
  '/usr/share/dbus-1/system-services/org.freedesktop.PolicyKit1.service',
  '/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf',
  '/lib/systemd/system/polkit.service',
];
const DPKG_INSTALL = ['--force-confdef', '--force-confold', `--path-exclude=${XORG_SNIPPET}`, '-i'];

function ids(name: string): { uid: number; gid: number } {
  const f = must('getent', ['passwd', name]).trim().split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

/** Puts /etc/pam.d/trustpath back as other tests expect it, if an uninstall took it. */
async function restorePamService(content: Buffer | undefined): Promise<void> {
  if (content && !content.equals(fileIfExists(PAM_SERVICE) ?? Buffer.alloc(0))) {
    await withLock('pam-helper-install', async () => { writeFileSync(PAM_SERVICE, content, { mode: 0o644 }); });
  }
}

/**
 * Paths whose state differs from `before`. /etc/pam.d/trustpath, which existed before
 * the install took it over, may be gone (restorePamService puts it back).
 */
function changedSince(before: ReadonlyMap<string, string>): string[] {
  const same = (p: string, was: string): boolean => describePath(p) === was || (p === PAM_SERVICE && describePath(p) === 'absent');
  return [...before].filter(([p, was]) => !same(p, was)).map(([p, was]) => `${p}: was ${was}, now ${describePath(p)}`);
}

function purgeIfPresent(): void {
  if (packageStatus('trustpath') !== 'not-installed') must('dpkg', ['--purge', 'trustpath']);
}

/** pkcheck as root for `pid`: root's checks are answered without rules (exit 0). */
function pkcheckRoot(): ReturnType<typeof run> {
  return run('pkcheck', ['--action-id', 'org.freedesktop.policykit.exec', '--process', String(process.pid)]);
}

/** The owner of the authority's name: its pid, user and command line. */
function authorityProcess(): { pid: number; user: string; cmdline: string } {
  const pid = ownerPid(BUS_NAME);
  assert.ok(pid, `nobody owns ${BUS_NAME}`);
  return { pid, user: processUser(pid), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') };
}

/** A non-root user's pkexec, its admin's password typed at pkexec's own text agent. */
async function pkexecAsUser(): Promise<string> {
  const user = ensureTestUser('tptscen-user', 'tptscen-user-pw');
  const admin = ensureTestUser('tptscen-admin', 'tptscen-admin-pw', { groups: ['sudo'] });
  const term = spawnPty(['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups',
    'bash', '-c', 'pkexec /usr/bin/id -u; echo "rc=$?"']);
  try {
    await term.expect(/Password: $/);
    await sleep(400); // the agent flushes input typed before it turned echo off
    term.write(`${admin.password}\r`);
    await term.expect(/rc=\d+\n/, { timeoutMs: 30_000 });
    return normalizeTranscript(term.transcript());
  } finally {
    term.kill();
  }
}

/** dbus-daemon accepts a configuration made of the package's policy (or exits with the error). */
function busAcceptsPolicy(policy: string, dir: string): ReturnType<typeof run> {
  const conf = join(dir, 'check.conf');
  writeFileSync(conf, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${join(dir, 'check.sock')}</listen><include>${policy}</include></busconfig>\n`);
  // A valid configuration runs until timeout's SIGTERM (exit 0); an invalid one exits at once.
  return run('timeout', ['--preserve-status', '-s', 'TERM', '2', 'dbus-daemon', '--config-file', conf, '--nofork', '--nopidfile', '--print-address=1']);
}

test('the Debian package on this machine: install, bus activation, pkexec, upgrade, purge', { timeout: 900_000 }, async (t) => {
  await withLock(SYSTEM_BUS_LOCK, async () => {
    assert.notEqual(run('dbus-send', ['--system', '--dest=org.freedesktop.DBus', '/', 'org.freedesktop.DBus.GetId']).status, 0,
      'a system bus is running on this machine; this test starts its own');
    const work = mkdtempSync('/tmp/tp-install-');
    const pamBefore = fileIfExists(PAM_SERVICE);
    let bus: SystemBus | undefined;
    try {
      purgeIfPresent();
      const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      const deb = buildDeb(work, `${version}-1`);
      const debNext = repackAtVersion(deb, work, `${version}-2`);
      const before = snapshotPackagePaths(deb);
      const polkitdInstalled = packageStatus('polkitd').includes('ok installed');

      await t.test('dpkg -i installs it: diversions, setuid helper, user, directories', () => {
        must('dpkg', [...DPKG_INSTALL, deb]);
        assert.match(packageStatus('trustpath'), /install ok installed/);
        assert.deepEqual(diversionsBy('trustpath').sort(), POLKITD_FILES.map((f) => `diversion of ${f} to ${f}.polkitd by trustpath`).sort());
        for (const f of POLKITD_FILES) assert.match(readFileSync(f, 'utf8'), /trustpath/, `${f} is trustpath's`);
        const tp = ids('trustpath');
        const helper = statSync(HELPER);
        assert.equal((helper.mode & 0o7777).toString(8), '4750');
        assert.deepEqual([helper.uid, helper.gid], [0, tp.gid]);
        for (const dir of ['/run/trustpath', '/var/lib/trustpath']) {
          const st = statSync(dir);
          assert.deepEqual([(st.mode & 0o777).toString(8), st.uid], ['700', tp.uid], dir);
        }
        assert.equal(describePath(XORG_SNIPPET), before.get(XORG_SNIPPET), 'the excluded Xorg snippet was not unpacked');
        assert.match(must('/usr/bin/trustpath', ['--version']), /^trustpath \d/);
        assert.ok(statSync('/usr/share/man/man8/trustpathd.8.gz').size > 0);
      });

      await t.test('the unit passes systemd-analyze verify, its polkit.service alias too', () => {
        for (const unit of [UNIT, '/lib/systemd/system/polkit.service']) {
          const r = run('systemd-analyze', ['verify', unit]);
          assert.equal(r.status, 0, r.stderr);
          assert.doesNotMatch(r.stderr, /Unknown|ignoring|not executable/i, r.stderr);
        }
      });

      await t.test('dbus-daemon accepts the bus policy (and refuses a broken one)', () => {
        const good = busAcceptsPolicy(POLKITD_FILES[1]!, work);
        assert.equal(good.status, 0, `dbus-daemon ran until stopped: ${good.stderr}`);
        assert.match(good.stdout, /^unix:path=/);
        const broken = join(work, 'broken.conf');
        writeFileSync(broken, readFileSync(POLKITD_FILES[1]!, 'utf8').replace('<allow own=', '<allow owner='));
        const bad = busAcceptsPolicy(broken, work);
        assert.notEqual(bad.status, 0);
        assert.match(bad.stderr, /Failed to start message bus: Attribute "owner" is invalid/);
      });

      bus = await startSystemBus();
      await t.test('pkcheck on the system bus activates trustpathd, which runs as trustpath', async () => {
        assert.equal(ownerPid(BUS_NAME), undefined, 'the authority runs before anyone asked');
        assert.deepEqual(installedDaemonPids(), []);
        const r = pkcheckRoot();
        assert.equal(r.status, 0, `${r.stdout}${r.stderr}\n${bus!.log()}`);
        const owner = authorityProcess();
        assert.equal(owner.user, 'trustpath');
        assert.match(owner.cmdline, new RegExp(`^${INSTALLED_NODE} /usr/lib/trustpath/build/agent/src/trustpathd\\.js --pam-helper ${HELPER} $`));
        await bus!.untilLogged(/Activating service name='org.freedesktop.PolicyKit1'.*using servicehelper/);
        await bus!.untilLogged(/trustpathd\[\d+\]: Successfully changed to user trustpath/);
      });

      await t.test('the bus lets only trustpath own the name and call agents', () => {
        const own = run('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
          'org.freedesktop.DBus.RequestName', `string:${BUS_NAME}`, 'uint32:4']);
        assert.match(own.stderr, /AccessDenied/, 'root may not own the name');
        const agent = run('dbus-send', ['--system', '--print-reply', `--dest=${BUS_NAME}`, '/org/freedesktop/PolicyKit1/AuthenticationAgent',
          'org.freedesktop.PolicyKit1.AuthenticationAgent.CancelAuthentication', 'string:cookie']);
        assert.match(agent.stderr, /AccessDenied/, 'the agent interface is the authority\'s alone');
      });

      await t.test('root runs pkexec true through it', () => {
        assert.equal(run('pkexec', ['/bin/true']).status, 0);
      });

      // A user's checks ask logind for sessions. systemd is installed here but not running,
      // so the bus would try (and fail) to activate logind: elogind stands in for it.
      await t.test('a user\'s pkexec, the admin password typed at pkexec\'s agent', async () => {
        const transcript = await withLock(ELOGIND_LOCK, async () => {
          const logind = await startElogind(`unix:path=${SYSTEM_BUS_SOCKET}`);
          try {
            return await pkexecAsUser();
          } finally {
            await logind.stop();
          }
        });
        assert.match(transcript, /==== AUTHENTICATION COMPLETE ====\n0\nrc=0\n/, `${transcript}\n${bus!.log().slice(-2000)}`);
      });

      await t.test('installing a higher version upgrades it and restarts the daemon', async () => {
        const old = authorityProcess().pid;
        must('dpkg', [...DPKG_INSTALL, debNext]);
        assert.match(must('dpkg-query', ['-W', '-f=${Version} ${Status}', 'trustpath']), new RegExp(`^${version}-2 install ok installed`));
        assert.equal(diversionsBy('trustpath').length, POLKITD_FILES.length);
        assert.equal((statSync(HELPER).mode & 0o7777).toString(8), '4750');
        await untilDaemonGone(); // postinst ended the old one; the bus starts the new one on demand
        assert.equal(pkcheckRoot().status, 0);
        const now = authorityProcess();
        assert.notEqual(now.pid, old);
        assert.equal(now.user, 'trustpath');
      });

      await bus.stop();
      bus = undefined;
      await untilDaemonGone();
      await t.test('dpkg --purge leaves every shipped path as it was and polkitd whole', () => {
        must('dpkg', ['--purge', 'trustpath']);
        assert.equal(packageStatus('trustpath'), 'not-installed');
        assert.deepEqual(diversionsBy('trustpath'), []);
        assert.doesNotMatch(must('dpkg-statoverride', ['--list']), /trustpath/);
        assert.deepEqual(changedSince(before), []);
        for (const gone of ['/usr/lib/trustpath', '/usr/libexec/trustpath', '/var/lib/trustpath', '/run/trustpath']) {
          assert.equal(describePath(gone), 'absent', gone);
        }
        if (polkitdInstalled) {
          const v = run('dpkg', ['--verify', 'polkitd']);
          assert.equal(v.status, 0, `polkitd's files differ from its package: ${v.stdout}`);
        }
        assert.equal(run('getent', ['passwd', 'trustpath']).status, 0, 'the trustpath user stays');
      });
    } finally {
      await bus?.stop();
      await untilDaemonGone();
      purgeIfPresent();
      await restorePamService(pamBefore);
      rmSync(work, { recursive: true, force: true });
    }
  });
});

// make install without DESTDIR is the other documented way in: the same checks on a
// live install, then make uninstall PURGE=yes must leave every path it wrote as before.
// The Xorg snippet goes to a scratch directory (XORGCONFDIR) for the reason above.
test('make install and make uninstall on this machine', { timeout: 600_000 }, async (t) => {
  await withLock(SYSTEM_BUS_LOCK, async () => {
    assert.equal(packageStatus('trustpath'), 'not-installed', 'the package is installed; make install would refuse');
    const work = mkdtempSync('/tmp/tp-install-');
    const make = (target: string, extra: string[] = []): string =>
      must('make', ['-s', '-C', ROOT, target, `XORGCONFDIR=${join(work, 'xorg.conf.d')}`, ...extra]);
    const pamBefore = fileIfExists(PAM_SERVICE);
    let bus: SystemBus | undefined;
    try {
      make('install', [`DESTDIR=${join(work, 'tree')}`]);
      const paths = must('find', [join(work, 'tree'), '-mindepth', '1']).split('\n').filter(Boolean)
        .map((p) => p.slice(join(work, 'tree').length));
      const before = new Map(paths.map((p) => [p, describePath(p)]));
      const localDiversions = (): string[] => must('dpkg-divert', ['--list']).split('\n').filter((l) => /^local diversion of .*PolicyKit1|^local diversion of .*polkit\.service/.test(l));

      await t.test('make install diverts polkitd\'s files and sets the helper up', () => {
        make('install');
        assert.equal(localDiversions().length, POLKITD_FILES.length, must('dpkg-divert', ['--list']));
        assert.equal((statSync(HELPER).mode & 0o7777).toString(8), '4750');
        assert.equal(statSync(HELPER).gid, ids('trustpath').gid);
        assert.equal(describePath('/lib/systemd/system/polkit.service'), 'symlink -> trustpath.service');
      });

      bus = await startSystemBus();
      await t.test('the system bus activates the installed trustpathd as trustpath', () => {
        assert.equal(pkcheckRoot().status, 0, bus!.log());
        assert.equal(authorityProcess().user, 'trustpath');
      });
      await bus.stop();
      bus = undefined;
      await untilDaemonGone();

      await t.test('make uninstall PURGE=yes leaves every path as it was and polkitd whole', () => {
        make('uninstall', ['PURGE=yes']);
        assert.deepEqual(localDiversions(), []);
        assert.deepEqual(changedSince(before), []);
        if (packageStatus('polkitd').includes('ok installed')) assert.equal(run('dpkg', ['--verify', 'polkitd']).status, 0);
      });
    } finally {
      await bus?.stop();
      await untilDaemonGone();
      if (existsSync('/usr/lib/trustpath')) make('uninstall');
      await restorePamService(pamBefore);
      rmSync(work, { recursive: true, force: true });
    }
  });
});
