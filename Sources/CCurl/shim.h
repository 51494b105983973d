#ifndef HUBDIFFER_CCURL_SHIM_H
#define HUBDIFFER_CCURL_SHIM_H
/* The libcurl boundary. curl_easy_setopt, curl_multi_setopt and curl_easy_getinfo are variadic,
 * which Swift cannot call: one typed static inline helper per value type. */
#include <curl/curl.h>

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
static inline CURLcode hd_curl_easy_setopt_xferinfo_callback(CURL *h, curl_xferinfo_callback cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}
static inline CURLcode hd_curl_easy_setopt_sockopt_callback(CURL *h, curl_sockopt_callback cb) {
    return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, cb);
}
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
static inline CURLcode hd_curl_easy_getinfo_double(CURL *h, CURLINFO i, double *v) {
    return curl_easy_getinfo(h, i, v);
}
/* CURLVERSION_NOW is a macro alias that does not import. */
static inline const char *hd_curl_version_string(void) {
    return curl_version_info(CURLVERSION_NOW)->version;
}
#endif
