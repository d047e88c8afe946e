/*
 * privdrop.c - switch to an unprivileged user and drop every capability
 * (see privdrop.h), through libcap-ng.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cap-ng.h>

#include "privdrop.h"

static int parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return *end || errno || *out > 0x7fffffffUL ? -1 : 0;
}

static int resolve(const char *user, const char *group, uid_t *uid, gid_t *gid,
		   char *err, size_t errlen)
{
	unsigned long id;

	*uid = getuid();
	*gid = getgid();
	if (user) {
		struct passwd *pw = getpwnam(user);

		if (pw) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
		} else if (parse_id(user, &id) == 0) {
			*uid = (uid_t)id;
			*gid = (gid_t)id;
		} else {
			snprintf(err, errlen, "--user %s: no such user", user);
			return -1;
		}
	}
	if (group) {
		struct group *gr = getgrnam(group);

		if (gr)
			*gid = gr->gr_gid;
		else if (parse_id(group, &id) == 0)
			*gid = (gid_t)id;
		else {
			snprintf(err, errlen, "--group %s: no such group", group);
			return -1;
		}
	}
	if (user && *uid == 0) {
		snprintf(err, errlen, "--user %s: that is root; give an unprivileged account", user);
		return -1;
	}
	return 0;
}

int privdrop_check(const char *user, const char *group, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	return resolve(user, group, &uid, &gid, err, errlen);
}

int privdrop(const char *user, const char *group, int keep_net_raw, char *err,
	     size_t errlen)
{
	uid_t uid;
	gid_t gid;
	int r;

	if (resolve(user, group, &uid, &gid, err, errlen) < 0)
		return -1;
	capng_clear(CAPNG_SELECT_BOTH);
	if (keep_net_raw &&
	    capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_RAW) < 0) {
		snprintf(err, errlen, "cannot keep CAP_NET_RAW");
		return -1;
	}
	if (user || group) {
		if (geteuid() != 0) {
			snprintf(err, errlen, "--user/--group: only root can change its user");
			return -1;
		}
		r = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (r < 0) {
			snprintf(err, errlen, "cannot switch to uid %u gid %u (libcap-ng error %d)",
				 (unsigned)uid, (unsigned)gid, r);
			return -1;
		}
	} else {
		/* a non-root start with capabilities (systemd's AmbientCapabilities):
		 * the capture is open, the others are no longer needed */
		capng_get_caps_process();
		if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
			goto caps_done;
		capng_clear(CAPNG_SELECT_BOTH);
		if (keep_net_raw)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_RAW);
		if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
			snprintf(err, errlen, "cannot drop capabilities");
			return -1;
		}
	}
caps_done:
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		return -1;
	}
	/* trust, but verify */
	if ((user && (getuid() != uid || geteuid() != uid || setuid(0) == 0)) ||
	    (group && (getgid() != gid || getegid() != gid))) {
		snprintf(err, errlen, "the switch to uid %u gid %u did not hold",
			 (unsigned)uid, (unsigned)gid);
		return -1;
	}
	return 0;
}
