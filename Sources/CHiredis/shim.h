#ifndef HUBDIFFER_CHIREDIS_SHIM_H
#define HUBDIFFER_CHIREDIS_SHIM_H
/* The hiredis 0.14.1 boundary (Debian 12): no redisOptions, no RESP3, no TLS.
 * redisCommand is variadic; commands are encoded in Swift and go through
 * redisAppendFormattedCommand instead. */
#include <hiredis/hiredis.h>
#include <stddef.h>

/* Appends a command already in the Redis protocol (RESP), formatted by the caller. */
static inline int hd_redis_append_formatted(redisContext *c, const char *command, size_t length) {
    return redisAppendFormattedCommand(c, command, length);
}
static inline int hd_redis_get_reply(redisContext *c, redisReply **reply) {
    return redisGetReply(c, (void **)reply);
}
static inline const char *hd_redis_context_errstr(const redisContext *c) { return c->errstr; }
static inline int hd_hiredis_version_major(void) { return HIREDIS_MAJOR; }
static inline int hd_hiredis_version_minor(void) { return HIREDIS_MINOR; }
static inline int hd_hiredis_version_patch(void) { return HIREDIS_PATCH; }
#endif
