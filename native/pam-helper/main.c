/* trustpath-pam-helper: runs one PAM conversation for one user on behalf of
 * trustpathd. Installed setuid root, mode 4750 root:trustpath.
 *
 *   usage: trustpath-pam-helper USER
 *   fd 0/1: framed control channel with trustpathd (PROTOCOL.md)
 *   fd 3:   read end of the response pipe (the keyboard side writes answers)
 *
 * Exit status: 0 success, 1 failure reported by a frame, 2 misuse (no frames). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

#define TP_DAEMON_USER "trustpath"
#define TP_MAX_USER 64

static void __attribute__((noreturn))
misuse(const char *why)
{
	syslog(LOG_AUTHPRIV | LOG_WARNING, "refused: %s (real uid %ld)", why,
	    (long)getuid());
	_exit(2);
}

static void
reset_environment(void)
{
	if (clearenv() != 0 || setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) != 0)
		_exit(2);
}

/* Closes every descriptor above the response pipe. */
static void
close_extra_fds(void)
{
	long fd, max;

	if (close_range(TP_RESP_FD + 1, ~0U, 0) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = TP_RESP_FD + 1; fd < max; fd++)
		(void)close((int)fd);
}

static void
check_caller(void)
{
	uid_t ruid = getuid();
	struct passwd *pw;

	if (ruid == 0)
		return;
	pw = getpwnam(TP_DAEMON_USER);
	if (pw == NULL || pw->pw_uid != ruid)
		misuse("caller is not the trustpath user");
}

static int
is_fifo(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static void
check_fds(void)
{
	struct stat st;
	int flags;

	if (isatty(TP_CTL_IN))
		misuse("stdin is a terminal");
	if (fstat(TP_CTL_IN, &st) != 0 || fstat(TP_CTL_OUT, &st) != 0)
		misuse("control channel missing");
	if (!is_fifo(TP_RESP_FD))
		misuse("fd 3 is not a pipe");
	flags = fcntl(TP_RESP_FD, F_GETFL);
	if (flags < 0 || (flags & O_ACCMODE) != O_RDONLY)
		misuse("fd 3 is not a read end");
}

/* Conservative account names: [a-z_][a-z0-9_.-]*, with an optional final '$'. */
static int
valid_user(const char *u)
{
	size_t i, n = strnlen(u, TP_MAX_USER + 1);

	if (n == 0 || n > TP_MAX_USER || u[0] == '-' || u[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u[i];
		if (!(islower(c) || isdigit(c) || c == '_' || c == '-' || c == '.' ||
		    (c == '$' && i == n - 1) || isupper(c)))
			return 0;
	}
	return 1;
}

/* Keeps secrets out of core dumps and swap; ignores SIGPIPE (EPIPE instead). */
static void
harden_process(void)
{
	struct rlimit core = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &core) != 0 || prctl(PR_SET_DUMPABLE, 0) != 0)
		misuse("cannot disable core dumps");
#ifndef TP_SANITIZE /* ASan's shadow memory cannot be locked */
	if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
		misuse("cannot lock memory");
#endif
	signal(SIGPIPE, SIG_IGN);
	umask(077);
}

static int
reason_of(int rc)
{
	switch (rc) {
	case PAM_USER_UNKNOWN:
		return TP_R_USER_UNKNOWN;
	case PAM_ACCT_EXPIRED:
		return TP_R_ACCT_EXPIRED;
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_AUTHTOK_EXPIRED:
		return TP_R_AUTHTOK_EXPIRED;
	case PAM_PERM_DENIED:
		return TP_R_PERM_DENIED;
	case PAM_BUF_ERR:
		return TP_R_OOM;
	case PAM_AUTH_ERR:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_AUTHINFO_UNAVAIL:
		return TP_R_AUTH;
	default:
		return TP_R_SYSTEM;
	}
}

/* Authenticates, checks the account (changing an expired password if the stack
 * asks), and checks that PAM_USER is still the requested user. */
static int
run_stack(pam_handle_t *ph, const char *user)
{
	const void *item = NULL;
	int rc;

	rc = pam_authenticate(ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc != PAM_SUCCESS)
		return reason_of(rc);
	rc = pam_acct_mgmt(ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc == PAM_NEW_AUTHTOK_REQD) {
		rc = pam_chauthtok(ph, PAM_CHANGE_EXPIRED_AUTHTOK);
		if (rc != PAM_SUCCESS)
			return rc == PAM_BUF_ERR ? TP_R_OOM : TP_R_AUTHTOK_EXPIRED;
	}
	if (rc != PAM_SUCCESS)
		return reason_of(rc);
	rc = pam_get_item(ph, PAM_USER, &item);
	if (rc != PAM_SUCCESS || item == NULL || strcmp(item, user) != 0)
		return TP_R_USER_CHANGED;
	return 0;
}

static int
authenticate(struct tp_ctx *ctx, const char *user)
{
	struct pam_conv conv = { tp_conv, ctx };
	pam_handle_t *ph = NULL;
	int rc, reason;

	rc = pam_start(TP_PAM_SERVICE, user, &conv, &ph);
	if (rc != PAM_SUCCESS)
		return rc == PAM_BUF_ERR ? TP_R_OOM : TP_R_SYSTEM;
	rc = pam_set_item(ph, PAM_RUSER, user);
	reason = rc == PAM_SUCCESS ? run_stack(ph, user) : reason_of(rc);
	/* A failure inside the conversation (cancel, OOM, bad frame) is the real cause. */
	if (ctx->fail_reason != 0)
		reason = ctx->fail_reason;
	pam_end(ph, reason == 0 ? PAM_SUCCESS : PAM_AUTH_ERR);
	return reason;
}

static int
finish(int reason, const char *user)
{
	uint8_t code = (uint8_t)reason;

	if (reason == 0) {
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "authenticated %s", user);
		(void)tp_send(TP_OUT_SUCCESS, "", 0);
		return 0;
	}
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "failed for %s (reason %d)", user, reason);
	(void)tp_send(TP_OUT_FAILURE, (const char *)&code, 1);
	return 1;
}

int
main(int argc, char **argv)
{
	static struct tp_ctx ctx;
	int rc;

	tp_alloc_init(); /* reads TP_FAIL_ALLOC in test builds only */
	reset_environment();
	close_extra_fds();
	openlog("trustpath-pam-helper", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	check_caller();
	if (argc != 2 || argv[1] == NULL)
		misuse("wrong number of arguments");
	if (!valid_user(argv[1]))
		misuse("invalid user name");
	check_fds();
	harden_process();
	ctx.state = TP_STATE_INIT;
	rc = tp_wait_begin(&ctx);
	if (rc < 0)
		return finish(-rc, argv[1]);
	return finish(authenticate(&ctx, argv[1]), argv[1]);
}
