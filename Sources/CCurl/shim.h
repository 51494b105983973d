#ifndef HUBDIFFER_CCURL_SHIM_H
#define HUBDIFFER_CCURL_SHIM_H
/* The libcurl boundary. curl_easy_setopt, curl_multi_setopt and curl_easy_getinfo are variadic,
 * which Swift cannot call: one typed static inline helper per value type. */
#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static inline CURLcode hd_curl_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode hd_curl_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode hd_curl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode hd_curl_easy_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode hd_curl_easy_setopt_write_callback(CURL *h, CURLoption o,
                                                         curl_write_callback cb) {
    return curl_easy_setopt(h, o, cb);
}
static inline CURLcode hd_curl_easy_setopt_header_callback(CURL *h, curl_write_callback cb) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb);
}
static inline CURLcode hd_curl_easy_setopt_opensocket_callback(CURL *h,
                                                              curl_opensocket_callback cb) {
    return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, cb);
}
static inline CURLcode hd_curl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode hd_curl_easy_setopt_share(CURL *h, CURLSH *share) {
    return curl_easy_setopt(h, CURLOPT_SHARE, share);
}
/* The address libcurl is about to connect to: copies its 4 (IPv4) or 16 (IPv6) bytes into
 * `out` and returns how many; 0 for any other family. `addr` is only the head of a larger
 * sockaddr for IPv6, which is why this is done in C. */
static inline int hd_curl_sockaddr_bytes(const struct curl_sockaddr *a, unsigned char out[16]) {
    if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) {
        memcpy(out, &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr, 4);
        return 4;
    }
    if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6)) {
        memcpy(out, &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr, 16);
        return 16;
    }
    return 0;
}
/* Opens the socket libcurl asked for (what its default open-socket function does). */
static inline curl_socket_t hd_curl_open_socket(const struct curl_sockaddr *a) {
    return socket(a->family, a->socktype, a->protocol);
}
static inline curl_socket_t hd_curl_socket_bad(void) { return CURL_SOCKET_BAD; }
static inline CURLMcode hd_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}
static inline CURLSHcode hd_curl_share_setopt_long(CURLSH *s, CURLSHoption o, long v) {
    return curl_share_setopt(s, o, v);
}
static inline CURLcode hd_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode hd_curl_easy_getinfo_string(CURL *h, CURLINFO i, char **v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode hd_curl_easy_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *v) {
    return curl_easy_getinfo(h, i, v);
}
/* Resumes a transfer whose write callback paused it (CURLPAUSE_CONT is a compound macro). */
static inline CURLcode hd_curl_easy_unpause(CURL *h) { return curl_easy_pause(h, CURLPAUSE_CONT); }
/* The write callback's "pause me" answer, as a size_t Swift can return. */
static inline size_t hd_curl_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }
/* Sets a string option to NULL (CURLOPT_CAPATH: Debian's libcurl has a default directory,
 * and any CA directory turns libcurl's CA store cache off). */
static inline CURLcode hd_curl_easy_setopt_null(CURL *h, CURLoption o) {
    return curl_easy_setopt(h, o, (char *)NULL);
}
/* CURLVERSION_NOW is a macro alias that does not import. */
static inline const char *hd_curl_version_string(void) {
    return curl_version_info(CURLVERSION_NOW)->version;
}
#endif
