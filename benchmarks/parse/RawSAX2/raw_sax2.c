/* The reference for `hubdiffer parse --summary`: a bare libxml2 SAX2 pass over the same files,
 * in memory, with the same parser options HubDiffer uses (recover, substitute entities, no
 * network, no external loads). Callbacks only count, so this is the ceiling for any parser
 * built on libxml2 SAX2.
 *
 * Two ways to use it:
 * - a program of its own (compare.sh, and fresh.sh's yardstick), built by ../build-raw-sax2.sh:
 *     benchmarks/parse/build-raw-sax2.sh raw_sax2
 *     ./raw_sax2 FILE...   prints: raw-sax2 (push): N files, E elements, B bytes in S s: X MB/s
 * - the function raw_sax2_parse() linked into ParseBenchmark, which alternates it with
 *   FeedParser document by document in one process.
 */
#include "raw_sax2.h"
#include <malloc.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long elements;
static long text_bytes;

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes) {
    (void)ctx; (void)localname; (void)prefix; (void)uri; (void)nb_namespaces; (void)namespaces;
    (void)nb_attributes; (void)nb_defaulted; (void)attributes;
    elements++;
}
static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    (void)ctx; (void)localname; (void)prefix; (void)uri;
}
static void on_text(void *ctx, const xmlChar *text, int len) {
    (void)ctx; (void)text;
    text_bytes += len;
}
static void on_error(void *ctx, xmlErrorPtr error) { (void)ctx; (void)error; }

static xmlParserInputPtr refuse(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    (void)url; (void)id; (void)ctxt;
    return NULL;
}

static xmlSAXHandler handler;

void raw_sax2_init(void) {
    xmlInitParser();
    xmlSetExternalEntityLoader(refuse);
    memset(&handler, 0, sizeof handler);
    handler.initialized = XML_SAX2_MAGIC;
    handler.startDocument = xmlSAX2StartDocument;
    handler.internalSubset = xmlSAX2InternalSubset;
    handler.entityDecl = xmlSAX2EntityDecl;
    handler.getEntity = xmlSAX2GetEntity;
    handler.startElementNs = on_start;
    handler.endElementNs = on_end;
    handler.characters = on_text;
    handler.cdataBlock = on_text;
    handler.ignorableWhitespace = on_text;
    handler.serror = on_error;
}

/* 1: a push parser fed the whole buffer in one xmlParseChunk (the fastest configuration on
 * libxml2 2.9.14, and the one hubdiffer uses); 0: xmlCreateMemoryParserCtxt + xmlParseDocument.
 * RAW_SAX2_MEMORY=1 in the environment picks the latter. */
static int push_mode = 1;

long raw_sax2_parse(const char *bytes, int length) {
    long before = elements;
    xmlParserCtxtPtr ctxt;
    if (push_mode) {
        ctxt = xmlCreatePushParserCtxt(&handler, NULL, NULL, 0, NULL);
        if (!ctxt) return 0;
        xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NOENT | XML_PARSE_NONET);
        xmlParseChunk(ctxt, bytes, length, 1);
    } else {
        ctxt = xmlCreateMemoryParserCtxt(bytes, length);
        if (!ctxt) return 0;
        memcpy(ctxt->sax, &handler, sizeof handler);
        xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NOENT | XML_PARSE_NONET);
        xmlParseDocument(ctxt);
    }
    if (ctxt->myDoc) xmlFreeDoc(ctxt->myDoc);
    xmlFreeParserCtxt(ctxt);
    return elements - before;
}

#ifdef RAW_SAX2_MAIN
int main(int argc, char **argv) {
    /* The allocator settings hubdiffer runs with (Sources/HubDiffer/AllocatorTuning.swift). */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    raw_sax2_init();
    const char *memory = getenv("RAW_SAX2_MEMORY");
    if (memory && strcmp(memory, "1") == 0) push_mode = 0;
    int count = argc - 1;
    char **data = calloc(count, sizeof(char *));
    long *sizes = calloc(count, sizeof(long));
    long total = 0;
    for (int i = 0; i < count; i++) {
        FILE *f = fopen(argv[i + 1], "rb");
        if (!f) { perror(argv[i + 1]); return 66; }
        fseek(f, 0, SEEK_END);
        sizes[i] = ftell(f);
        fseek(f, 0, SEEK_SET);
        data[i] = malloc(sizes[i] + 1);
        if (fread(data[i], 1, sizes[i], f) != (size_t)sizes[i]) { perror(argv[i + 1]); return 66; }
        fclose(f);
        total += sizes[i];
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < count; i++) raw_sax2_parse(data[i], (int)sizes[i]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("raw-sax2 (%s): %d files, %ld elements, %ld bytes in %.3f s: %.1f MB/s\n", push_mode ? "push" : "memory", count, elements,
           total, seconds, total / 1e6 / seconds);
    return 0;
}
#endif
