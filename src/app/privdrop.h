/*
 * privdrop.h - run the steady state with no privilege.
 *
 * Capture handles and output files are opened first (they may need root or
 * CAP_NET_RAW); then privdrop() switches to an unprivileged user and group,
 * clears the supplementary groups, drops every capability (effective,
 * permitted, inheritable, ambient and, when it may, the bounding set) and
 * sets no_new_privs, so nothing parsed afterwards can win them back.
 * Live capture keeps one, CAP_NET_RAW (effective and permitted; the
 * bounding set stays empty): an interface that goes away is opened again
 * when it comes back, which needs a new packet socket.
 */
#ifndef OTS_PRIVDROP_H
#define OTS_PRIVDROP_H

#include <stddef.h>

/* user/group: names or numeric ids; user NULL keeps the uid and gid (only
 * capabilities are dropped); group NULL takes the user's primary group.
 * 0, or -1 with the reason in err (the process is then unchanged or must
 * stop: the caller exits). */
int privdrop(const char *user, const char *group, int keep_net_raw, char *err,
	     size_t errlen);

/* Resolve user/group without changing anything (to fail early on a typo).
 * 0 or -1 with err. */
int privdrop_check(const char *user, const char *group, char *err, size_t errlen);

#endif /* OTS_PRIVDROP_H */
