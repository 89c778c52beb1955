/* Allocation wrappers. In a TP_FAULT_INJECTION build (tests only, never installed
 * setuid) the environment variable TP_FAIL_ALLOC=N makes the N-th allocation fail,
 * so that tests can walk every out-of-memory path. */
#include <stdlib.h>

#include "helper.h"

#ifdef TP_FAULT_INJECTION
static long tp_fail_at = -1;
static long tp_count;

void
tp_alloc_init(void)
{
	const char *s = getenv("TP_FAIL_ALLOC");
	char *end;
	long v;

	if (s == NULL)
		return;
	v = strtol(s, &end, 10);
	if (*end == '\0' && v > 0)
		tp_fail_at = v;
}

static int
tp_should_fail(void)
{
	return ++tp_count == tp_fail_at;
}
#else
void
tp_alloc_init(void)
{
}

static int
tp_should_fail(void)
{
	return 0;
}
#endif

void *
tp_calloc(size_t n, size_t size)
{
	if (tp_should_fail())
		return NULL;
	return calloc(n, size);
}

void *
tp_malloc(size_t size)
{
	if (tp_should_fail())
		return NULL;
	return malloc(size);
}
