/*
 * list.h - the intrusive doubly-linked list every bounded table uses for its
 * recency (LRU) or age order.
 *
 * A struct that sits on a list embeds a struct ots_link; the list itself is a
 * struct ots_list { first, last }.  Which end is "newest" is the user's
 * choice: push_front + take from last (head = most recent), or push_back +
 * take from first (oldest first).  All operations are O(1) and allocate
 * nothing.
 *
 * Ownership: the list owns nothing; the elements belong to the table that
 * embeds them.  A link not on any list has prev == next == NULL and is not
 * the first element (ots_list_linked() tells).
 */
#ifndef OTS_LIST_H
#define OTS_LIST_H

#include <stddef.h>

struct ots_link {
	struct ots_link *prev, *next;
};

struct ots_list {
	struct ots_link *first, *last;
};

/* The struct that embeds link ptr as member. */
#define ots_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* The element of type that holds link l (NULL for a NULL link). */
#define ots_list_entry(l, type, member) \
	((l) ? ots_container_of((l), type, member) : (type *)NULL)

static inline void ots_list_init(struct ots_list *l)
{
	l->first = l->last = NULL;
}

static inline int ots_list_empty(const struct ots_list *l)
{
	return l->first == NULL;
}

/* 1 when n is on list l. */
static inline int ots_list_linked(const struct ots_list *l, const struct ots_link *n)
{
	return n->prev != NULL || l->first == n;
}

static inline void ots_list_unlink(struct ots_list *l, struct ots_link *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		l->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		l->last = n->prev;
	n->prev = n->next = NULL;
}

static inline void ots_list_push_front(struct ots_list *l, struct ots_link *n)
{
	n->prev = NULL;
	n->next = l->first;
	if (l->first)
		l->first->prev = n;
	else
		l->last = n;
	l->first = n;
}

static inline void ots_list_push_back(struct ots_list *l, struct ots_link *n)
{
	n->next = NULL;
	n->prev = l->last;
	if (l->last)
		l->last->next = n;
	else
		l->first = n;
	l->last = n;
}

/* Move n (on l) to the front: "used now" for a head-is-newest list. */
static inline void ots_list_move_front(struct ots_list *l, struct ots_link *n)
{
	if (l->first != n) {
		ots_list_unlink(l, n);
		ots_list_push_front(l, n);
	}
}

/* Move n (on l) to the back: "used now" for an oldest-first list. */
static inline void ots_list_move_back(struct ots_list *l, struct ots_link *n)
{
	if (l->last != n) {
		ots_list_unlink(l, n);
		ots_list_push_back(l, n);
	}
}

#endif /* OTS_LIST_H */
