/*
 * The reference for HTTPS polling on a new connection per request: libcurl's multi interface
 * used at its best. N GETs of one URL, C in flight, each easy handle reused (removed and added
 * again) once its transfer ends; HTTP/1.1; one share handle for DNS and SSL sessions; peer and
 * host verification on. How the trust anchors reach OpenSSL is the variable:
 *
 *   --ca nocache  CURLOPT_CAINFO = FILE, the default CAPATH (Debian: /etc/ssl/certs) left as is.
 *                 A CAPATH disables libcurl's CA cache, so every connection's SSL_CTX parses the
 *                 whole bundle again (the naive way).
 *   --ca cache    CURLOPT_CAINFO = FILE, CURLOPT_CAPATH = NULL, CURLOPT_CA_CACHE_TIMEOUT = 86400:
 *                 libcurl (>= 7.87) keeps the X509_STORE on the multi handle and shares it.
 *   --ca store    One X509_STORE loaded from FILE here, once, and installed in every transfer's
 *                 SSL_CTX by CURLOPT_SSL_CTX_FUNCTION (SSL_CTX_set1_cert_store); CAINFO and CAPATH
 *                 NULL, so libcurl loads nothing itself.
 *
 * --no-session-reuse takes SSL sessions out of the share and turns off each handle's own session
 * cache (CURLOPT_SSL_SESSIONID_CACHE 0), so every connection is a full handshake. With reuse on,
 * TLS 1.2 resumes ~98% of handshakes; TLS 1.3 only ~55–80%: libcurl 7.88 keeps one session per
 * host, and OpenSSL marks a TLS 1.3 session not resumable once a handshake has used it, so the
 * connections that start before the next ticket arrives make full handshakes.
 *
 * Prints one line:
 *   MODE: N requests, C concurrent, S s, R req/s, CPU X s, U µs/request, 200=K, connects=M
 * CPU is the whole process (getrusage RUSAGE_SELF, user + sys). Exits 1, loudly, on the first
 * transfer that fails or answers anything but 200.
 *
 *   gcc -O2 -o reference reference.c -lcurl -lcrypto -lssl
 *   ./reference --ca cache --requests 2000 --concurrency 32 bundle.pem https://127.0.0.1:8443/feed.xml
 */
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

enum ca_mode { CA_NOCACHE, CA_CACHE, CA_STORE };

static X509_STORE *shared_store;

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata) {
    (void)ptr;
    *(size_t *)userdata += size * nmemb;
    return size * nmemb;
}

/* Replaces the SSL_CTX's fresh (empty) store with the one loaded at start; the CTX takes a
 * reference of its own (set1), so the store outlives every connection. */
static CURLcode install_store(CURL *easy, void *ssl_ctx, void *userptr) {
    (void)easy; (void)userptr;
    SSL_CTX_set1_cert_store((SSL_CTX *)ssl_ctx, shared_store);
    return CURLE_OK;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "reference: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

#define SETOPT(h, o, v) do { CURLcode rc_ = curl_easy_setopt(h, o, v); \
    if (rc_ != CURLE_OK) die("curl_easy_setopt(" #o ")", curl_easy_strerror(rc_)); } while (0)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void usage(void) {
    fprintf(stderr, "usage: reference --ca nocache|cache|store [--no-session-reuse] [--requests N] "
                    "[--concurrency C] CAFILE URL\n");
    exit(64);
}

int main(int argc, char **argv) {
    enum ca_mode mode = CA_NOCACHE;
    const char *mode_name = NULL, *cafile = NULL, *url = NULL;
    long requests = 2000, concurrency = 32;
    int session_reuse = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ca") && i + 1 < argc) {
            mode_name = argv[++i];
            if (!strcmp(mode_name, "nocache")) mode = CA_NOCACHE;
            else if (!strcmp(mode_name, "cache")) mode = CA_CACHE;
            else if (!strcmp(mode_name, "store")) mode = CA_STORE;
            else usage();
        } else if (!strcmp(argv[i], "--no-session-reuse")) session_reuse = 0;
        else if (!strcmp(argv[i], "--requests") && i + 1 < argc) requests = atol(argv[++i]);
        else if (!strcmp(argv[i], "--concurrency") && i + 1 < argc) concurrency = atol(argv[++i]);
        else if (argv[i][0] == '-') usage();
        else if (!cafile) cafile = argv[i];
        else if (!url) url = argv[i];
        else usage();
    }
    if (!mode_name || !cafile || !url || requests <= 0 || concurrency <= 0) usage();
    if (concurrency > requests) concurrency = requests;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) die("curl_global_init", NULL);
    curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (!v->ssl_version || strncmp(v->ssl_version, "OpenSSL", 7))
        die("libcurl is not built on OpenSSL", v->ssl_version);

    if (mode == CA_STORE) {
        shared_store = X509_STORE_new();
        if (!shared_store || X509_STORE_load_file(shared_store, cafile) != 1) {
            ERR_print_errors_fp(stderr);
            die("cannot load the CA file", cafile);
        }
    }

    CURLSH *share = curl_share_init();
    if (!share) die("curl_share_init", NULL);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    if (session_reuse) curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);

    CURLM *multi = curl_multi_init();
    if (!multi) die("curl_multi_init", NULL);

    CURL **handles = calloc((size_t)concurrency, sizeof *handles);
    size_t *bytes = calloc((size_t)concurrency, sizeof *bytes);
    for (long i = 0; i < concurrency; i++) {
        CURL *h = handles[i] = curl_easy_init();
        if (!h) die("curl_easy_init", NULL);
        SETOPT(h, CURLOPT_URL, url);
        SETOPT(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        SETOPT(h, CURLOPT_NOSIGNAL, 1L);
        SETOPT(h, CURLOPT_TIMEOUT, 30L); /* a stuck server fails the run instead of hanging it */
        SETOPT(h, CURLOPT_WRITEFUNCTION, discard);
        SETOPT(h, CURLOPT_WRITEDATA, &bytes[i]);
        SETOPT(h, CURLOPT_SHARE, share);
        SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
        SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!session_reuse) SETOPT(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
        switch (mode) {
        case CA_NOCACHE:
            SETOPT(h, CURLOPT_CAINFO, cafile);
            break;
        case CA_CACHE:
            SETOPT(h, CURLOPT_CAINFO, cafile);
            SETOPT(h, CURLOPT_CAPATH, (char *)NULL);
            SETOPT(h, CURLOPT_CA_CACHE_TIMEOUT, 86400L);
            break;
        case CA_STORE:
            SETOPT(h, CURLOPT_CAINFO, (char *)NULL);
            SETOPT(h, CURLOPT_CAPATH, (char *)NULL);
            SETOPT(h, CURLOPT_CA_CACHE_TIMEOUT, 0L); /* the store is ours: libcurl caches nothing */
            SETOPT(h, CURLOPT_SSL_CTX_FUNCTION, install_store);
            break;
        }
    }

    long started = 0, done = 0, ok = 0, connects = 0;
    double t0 = now();
    for (long i = 0; i < concurrency; i++, started++) curl_multi_add_handle(multi, handles[i]);
    while (done < requests) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(multi, &running);
        if (mc != CURLM_OK) die("curl_multi_perform", curl_multi_strerror(mc));
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *h = msg->easy_handle;
            long status = 0, conns = 0;
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
            if (msg->data.result != CURLE_OK) {
                fprintf(stderr, "reference: request %ld failed: %s (curl %d)\n", done + 1,
                        curl_easy_strerror(msg->data.result), (int)msg->data.result);
                exit(1);
            }
            if (status != 200) {
                fprintf(stderr, "reference: request %ld answered %ld, not 200\n", done + 1, status);
                exit(1);
            }
            ok++, done++, connects += conns;
            curl_multi_remove_handle(multi, h);
            if (started < requests) {
                curl_multi_add_handle(multi, h);
                started++;
            }
        }
        if (done < requests) {
            mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
            if (mc != CURLM_OK) die("curl_multi_poll", curl_multi_strerror(mc));
        }
    }
    double seconds = now() - t0;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("%s%s: %ld requests, %ld concurrent, %.3f s, %.0f req/s, CPU %.3f s, %.0f µs/request, 200=%ld, connects=%ld\n",
           mode_name, session_reuse ? "" : " (no session reuse)", requests, concurrency, seconds,
           requests / seconds, cpu, 1e6 * cpu / requests, ok, connects);

    for (long i = 0; i < concurrency; i++) curl_easy_cleanup(handles[i]);
    curl_multi_cleanup(multi);
    curl_share_cleanup(share);
    if (shared_store) X509_STORE_free(shared_store);
    curl_global_cleanup();
    free(handles);
    free(bytes);
    return 0;
}
