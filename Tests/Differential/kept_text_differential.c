/* A differential test of the kept-text reader (hd_xml_take_text in Sources/CXML2/kept_text.h):
 * each document is parsed twice with the parser settings HubDiffer uses, once with the text
 * left to libxml2 and once with the reader taking it, and everything libxml2 reports is
 * compared: the text sink's bytes, every error (code, line, level, message), the line and
 * column at every element's start and end, well-formedness and the return code, the entity
 * counters, and the final position.
 *
 * Elements whose names start with k keep their text, e ones keep it escaped as markup, i ones
 * ignore it; others inherit their parent's mode.
 *
 * Build (KeptTextReaderTests does, at test time):
 *   cc -O1 -I/usr/include/libxml2 -ISources/CXML2 Tests/Differential/kept_text_differential.c -lxml2
 * Run:
 *   a.out file DOC [ENCODING]        one document; prints the difference, if any
 *   a.out fuzz SEED COUNT [ENCODING] random documents under 3 KB (env WIDE=1: as UTF-16LE
 *                                    bytes, WIDE=2: with a BOM; BADPCT: % of hostile pieces)
 *   a.out bigfuzz SEED COUNT         documents over 4 MiB, with the parser's chunk boundary at
 *                                    a random byte of a random stretch of kept text
 * Exit status: 0 when every document read the same both ways, 1 otherwise, 2 on bad usage.
 * Failing documents (the first five) are written to the current directory. */
#define _GNU_SOURCE
#include "shim.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Growing text ---- */

typedef struct {
    char *bytes;
    size_t count, capacity;
} Text;

static void text_put(Text *text, const void *bytes, size_t count) {
    if (text->count + count + 1 > text->capacity) {
        text->capacity = (text->count + count + 1) * 2;
        text->bytes = realloc(text->bytes, text->capacity);
        if (text->bytes == NULL) abort();
    }
    memcpy(text->bytes + text->count, bytes, count);
    text->count += count;
    text->bytes[text->count] = 0;
}

static void text_puts(Text *text, const char *string) { text_put(text, string, strlen(string)); }

static void text_printf(Text *text, const char *format, ...) {
    char line[2048];
    va_list arguments;
    va_start(arguments, format);
    int count = vsnprintf(line, sizeof line, format, arguments);
    va_end(arguments);
    if (count < 0) return;
    if (count >= (int)sizeof line) count = (int)sizeof line - 1;
    text_put(text, line, (size_t)count);
}

/* ---- One parse ---- */

typedef struct {
    Text log;     /* errors (code, line, level, message) and element starts and ends with lines */
    Text columns; /* the same events with columns */
    int modes[4096];
    int depth;
    hd_text_sink *sink;
} Session;

static long reader_calls, reader_advanced, reader_bytes;

static Session *session_of(void *ctx) {
    hd_text_sink *sink = ((xmlParserCtxtPtr)ctx)->_private;
    return sink ? (Session *)sink->session : NULL;
}

/* The mode of the element enclosing the one at `session->depth` (the document's: ignore). */
static int parent_mode(const Session *session) {
    return session->depth > 0 && session->depth <= 4096 ? session->modes[session->depth - 1] : HD_TEXT_IGNORE;
}

static int mode_for(const xmlChar *name, int parent) {
    switch (name[0]) {
    case 'k': return HD_TEXT_KEEP;
    case 'e': return HD_TEXT_ESCAPE;
    case 'i': return HD_TEXT_IGNORE;
    default: return parent;
    }
}

static void start_element(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri, int namespaces,
                          const xmlChar **namespaceList, int attributes, int defaulted, const xmlChar **attributeList) {
    (void)prefix, (void)uri, (void)namespaces, (void)namespaceList, (void)attributes, (void)defaulted, (void)attributeList;
    Session *session = session_of(ctx);
    if (session == NULL) return;
    xmlParserCtxtPtr ctxt = ctx;
    text_printf(&session->log, "S %s line=%d\n", name, ctxt->input ? ctxt->input->line : -1);
    text_printf(&session->columns, "S %s col=%d\n", name, ctxt->input ? ctxt->input->col : -1);
    int mode = mode_for(name, parent_mode(session));
    if (session->depth < 4096) session->modes[session->depth] = mode;
    session->depth++;
    hd_text_sink_set_mode(session->sink, mode);
    if (!session->sink->reads_ahead) return;
    const xmlChar *before = ctxt->input ? ctxt->input->cur : NULL;
    size_t count = session->sink->count;
    hd_xml_take_text(ctx);
    reader_calls++;
    if (ctxt->input && ctxt->input->cur != before) {
        reader_advanced++;
        reader_bytes += (long)(session->sink->count - count);
    }
}

static void end_element(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri) {
    (void)prefix, (void)uri;
    Session *session = session_of(ctx);
    if (session == NULL) return;
    xmlParserCtxtPtr ctxt = ctx;
    text_printf(&session->log, "E %s line=%d\n", name, ctxt->input ? ctxt->input->line : -1);
    text_printf(&session->columns, "E %s col=%d\n", name, ctxt->input ? ctxt->input->col : -1);
    session->depth--;
    hd_text_sink_set_mode(session->sink, parent_mode(session));
}

static void structured_error(void *ctx, xmlErrorPtr error) {
    Session *session = session_of(ctx);
    if (session == NULL || error == NULL) return;
    text_printf(&session->log, "ERR code=%d line=%d level=%d message=%s|\n", error->code, error->line, error->level,
                error->message ? error->message : "");
    text_printf(&session->columns, "ERR code=%d col=%d\n", error->code, error->int2);
}

typedef struct {
    Text log, columns;
    unsigned char *text;
    size_t text_count;
    int well_formed, status, failed;
    unsigned long entities, entity_size, entity_copies;
    int line, column;
} Reading;

static xmlDictPtr names;

static void parse(const char *document, int length, const char *encoding, int reads_ahead, Reading *reading) {
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.internalSubset = xmlSAX2InternalSubset;
    sax.entityDecl = xmlSAX2EntityDecl;
    sax.startDocument = xmlSAX2StartDocument;
    sax.getEntity = hd_xml_document_entity;
    sax.startElementNs = start_element;
    sax.endElementNs = end_element;
    sax.characters = hd_xml_characters;
    sax.cdataBlock = hd_xml_cdata;
    sax.ignorableWhitespace = hd_xml_characters;
    sax.serror = structured_error;
    int options = hd_xml_parse_options(encoding == NULL); /* as LibXML2SAXParser parses */
    Session session;
    memset(&session, 0, sizeof session);
    hd_text_sink sink;
    memset(&sink, 0, sizeof sink);
    session.sink = &sink;
    sink.reads_ahead = reads_ahead;
    memset(reading, 0, sizeof *reading);
    int status = 0;
    xmlParserCtxtPtr ctxt = hd_xml_ctxt_new(&sax, options, encoding, names, &status);
    if (ctxt == NULL) {
        reading->status = -100 - status;
        return;
    }
    text_printf(&session.log, "new status=%d\n", status);
    hd_text_sink_attach(&sink, ctxt, &session);
    reading->status = hd_xml_ctxt_parse(ctxt, document, length);
    hd_text_sink_attach(&sink, NULL, NULL);
    reading->well_formed = ctxt->wellFormed;
    reading->entities = ctxt->nbentities;
    reading->entity_size = ctxt->sizeentities;
    reading->entity_copies = ctxt->sizeentcopy;
    reading->line = ctxt->input ? ctxt->input->line : -1;
    reading->column = ctxt->input ? ctxt->input->col : -1;
    hd_xml_ctxt_free(ctxt);
    text_puts(&session.log, "");
    text_puts(&session.columns, "");
    reading->log = session.log;
    reading->columns = session.columns;
    reading->text = sink.bytes;
    reading->text_count = sink.count;
    reading->failed = sink.failed;
}

static void reading_free(Reading *reading) {
    free(reading->log.bytes);
    free(reading->columns.bytes);
    free(reading->text);
}

static void print_escaped(const unsigned char *bytes, size_t count, size_t most) {
    for (size_t i = 0; i < count && i < most; i++) {
        if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '\\') fputc(bytes[i], stderr);
        else fprintf(stderr, "\\x%02x", bytes[i]);
    }
    if (count > most) fprintf(stderr, "...(%zu)", count);
}

/* What differs: 1 text, 2 errors or element lines, 4 well-formedness or status, 8 columns,
 * 16 entity counters, 32 final line, 64 final column, 128 a failed sink. 0: nothing. */
static int compare(const char *document, int length, const char *encoding, int verbose) {
    Reading libxml2, reader;
    parse(document, length, encoding, 0, &libxml2);
    parse(document, length, encoding, 1, &reader);
    int differs = 0;
    if (libxml2.text_count != reader.text_count
        || (libxml2.text_count > 0 && memcmp(libxml2.text, reader.text, libxml2.text_count) != 0))
        differs |= 1;
    if (strcmp(libxml2.log.bytes, reader.log.bytes) != 0) differs |= 2;
    if (libxml2.well_formed != reader.well_formed || libxml2.status != reader.status) differs |= 4;
    if (strcmp(libxml2.columns.bytes, reader.columns.bytes) != 0) differs |= 8;
    if (libxml2.entities != reader.entities || libxml2.entity_size != reader.entity_size
        || libxml2.entity_copies != reader.entity_copies)
        differs |= 16;
    if (libxml2.line != reader.line) differs |= 32;
    if (libxml2.column != reader.column) differs |= 64;
    if (libxml2.failed != reader.failed) differs |= 128;
    if (differs && verbose) {
        fprintf(stderr, "differs: %d\n", differs);
        if (differs & 1) {
            size_t at = 0;
            while (at < libxml2.text_count && at < reader.text_count && libxml2.text[at] == reader.text[at]) at++;
            size_t from = at > 20 ? at - 20 : 0;
            fprintf(stderr, " text differs at %zu (%zu and %zu bytes)\n  libxml2: ", at, libxml2.text_count, reader.text_count);
            print_escaped(libxml2.text + from, libxml2.text_count - from, 80);
            fprintf(stderr, "\n  reader:  ");
            print_escaped(reader.text + from, reader.text_count - from, 80);
            fprintf(stderr, "\n");
        }
        if (differs & 2) fprintf(stderr, " --- libxml2:\n%.3000s --- reader:\n%.3000s", libxml2.log.bytes, reader.log.bytes);
        if (differs & 4)
            fprintf(stderr, " well-formed %d and %d, status %d and %d\n", libxml2.well_formed, reader.well_formed, libxml2.status,
                    reader.status);
        if (differs & 8) fprintf(stderr, " --- columns, libxml2:\n%.2000s --- reader:\n%.2000s", libxml2.columns.bytes, reader.columns.bytes);
        if (differs & 16)
            fprintf(stderr, " entities %lu/%lu %lu/%lu %lu/%lu\n", libxml2.entities, reader.entities, libxml2.entity_size,
                    reader.entity_size, libxml2.entity_copies, reader.entity_copies);
        if (differs & 96) fprintf(stderr, " final %d:%d and %d:%d\n", libxml2.line, libxml2.column, reader.line, reader.column);
    }
    reading_free(&libxml2);
    reading_free(&reader);
    return differs;
}

/* ---- Random documents ---- */

static unsigned long long random_state;
static unsigned next_random(void) {
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return (unsigned)(random_state >> 11);
}
static unsigned below(unsigned bound) { return next_random() % bound; }

/* Pieces the reader takes, and pieces around its edges (left to libxml2, or damaged). */
static const char *pieces[] = {
    "a", "hello world ", " ", "\n", "\r\n", "\r", "\t", "&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&#65;", "&#x41;",
    "&#13;", "&#10;", "&#x10FFFF;", "&#1114111;", "&#xFFFD;", "&#0000065;", "&#x000041;", "&#xe9;", "&#233;",
    "&#x1F600;", "&#128512;", "&#9;", "]", "]]", "] ]>", "]>", "\r\r\n", "\r\n\r", "\n\r", "\xc3\xa9", "\xe2\x82\xac",
    "\xf0\x9f\x98\x80", "\xef\xbf\xbd", "\x7f", "\xc2\x80", "\xc2\x9f", "\xee\x80\x80", "<![CDATA[x]]>", "<![CDATA[]]>",
    "<![CDATA[a\r\nb]]>", "<![CDATA[a\r]]>", "<![CDATA[\nb]]>", "<![CDATA[\r]]>", "<![CDATA[<&>]]]]>",
    "<![CDATA[\xc3\xa9\r\n\r\r\n]]>", "<![CDATA[]]]>", "<![CDATA[]]]]>", "<![CDATA[\t ]]>", "<!-- c -->", "<?pi x?>",
    "<c/>", "<c>t</c>", "<kk>in\r</kk>", "<i>ig\r</i>", "<e>&lt;esc\r</e>", "<c a='1'>x</c>", "<k a='&gt;'>q</k>",
    "<k\n>nl\n</k>", "<k xmlns:p='u'><p:x>n</p:x></k>", ">", "\"", "'", "&#x20;", "&#32;",
};
static const char *hostile_pieces[] = {
    "&nbsp;", "&foo;", "&#x0;", "&#0;", "&#xD800;", "&#1114112;", "&#xFFFE;", "&#00000065;", "&#12;", "&#;", "&#x;",
    "&#a;", "&lt", "& ", "&#99999999999999999999;", "&#X41;", "&lT;", "&amp", "]]>", "\xef\xbf\xbe", "\xef\xbf\xbf",
    "\xed\xa0\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
    "\x80", "\xc3", "\xe2\x82", "\xff", "\x01", "\x0b", "\x0c", "\x1f", "<![CDATA[\x01]]>", "<![CDATA[\xc1\x81]]>",
    "<![CDATA[\xef\xbf\xbe]]>", "<![CDATA[open", "<![CDATA", "<![CDAT[x]]>", "<c a='>'/>", "<!-- > -->", "<", "<c",
    "</k", "<k/>", "<k a=\"x&amp;y\">z</k>", "<k a='1' a='2'>dup</k>", "<k a=1>bad</k>", "<q:k>undeclared</q:k>",
};
#define COUNT(array) (sizeof array / sizeof array[0])

static unsigned hostile_percent = 3;

static void random_content(Text *document, int depth, size_t most) {
    static const char *element_names[] = {"k", "k2", "e", "i", "c", "kx"};
    unsigned count = below(12);
    for (unsigned i = 0; i < count && document->count < most; i++) {
        unsigned roll = below(20);
        if (roll < 3 && depth < 6) {
            const char *name = element_names[below(COUNT(element_names))];
            text_printf(document, "<%s", name);
            if (below(4) == 0) text_puts(document, " a='v'");
            if (below(8) == 0) text_puts(document, " b=\"&lt;&#x3e;\"");
            if (below(10) == 0) text_puts(document, "\n");
            if (below(10) == 0) {
                text_puts(document, "/>");
                continue;
            }
            text_puts(document, ">");
            random_content(document, depth + 1, most);
            if (below(30) != 0) text_printf(document, "</%s>", name);
        } else if (roll < 5) {
            unsigned run = below(40);
            for (unsigned j = 0; j < run; j++) text_puts(document, below(11) == 10 ? "\n" : "x");
        } else if (below(100) >= hostile_percent) {
            text_puts(document, pieces[below(COUNT(pieces))]);
        } else {
            text_puts(document, hostile_pieces[below(COUNT(hostile_pieces))]);
        }
    }
}

static void random_document(Text *document, size_t most) {
    document->count = 0;
    if (below(4) == 0) text_puts(document, "<?xml version='1.0'?>\n");
    if (below(6) == 0) text_puts(document, "<!DOCTYPE r [<!ENTITY foo 'F&#60;o<b>k</b>'><!ENTITY bar '<k>x&amp;</k>'>]>\n");
    text_puts(document, below(2) ? "<r>" : "<k>");
    random_content(document, 0, most);
    if (below(10) != 0) text_puts(document, "</r>");
    if (below(5) == 0) text_puts(document, hostile_pieces[below(COUNT(hostile_pieces))]);
}

/* The bytes as UTF-16LE code units (a lone surrogate now and then), after a BOM when `bom`. */
static void widen(Text *document, int bom) {
    Text wide = {0};
    if (bom) text_put(&wide, "\xff\xfe", 2);
    for (size_t i = 0; i < document->count; i++) {
        unsigned char unit[2] = {(unsigned char)document->bytes[i], 0};
        if (below(500) == 0) unit[0] = 0x00, unit[1] = 0xD8;
        text_put(&wide, unit, 2);
    }
    free(document->bytes);
    *document = wide;
}

/* A document over 4 MiB whose parser chunk boundary (hd_xml_ctxt_parse: 4 MiB) falls at a
 * random byte of a random fragment, after markup, long kept text or a long CDATA section. */
static void big_document(Text *document, Text *fragment) {
    const long chunk = 4 << 20;
    document->count = 0;
    fragment->count = 0;
    unsigned lead = below(3);
    text_puts(document, "<r>");
    text_puts(fragment, below(2) ? "<k>" : "<c><k>");
    random_content(fragment, 1, 1500);
    text_puts(fragment, "</k></c></r>");
    long start = chunk - (long)below((unsigned)fragment->count + 1);
    if (lead == 0) {
        while ((long)document->count + 12 <= start - 4) text_puts(document, "<c>abc</c>\n");
        while ((long)document->count < start) text_puts(document, " ");
    } else {
        const char *open = lead == 1 ? "<k>" : "<k><![CDATA[", *close = lead == 1 ? "</k>" : "]]></k>";
        text_puts(document, open);
        long left = start - (long)document->count - (long)strlen(close);
        static const char line[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n";
        for (; left >= (long)sizeof line - 1; left -= (long)sizeof line - 1) text_put(document, line, sizeof line - 1);
        for (; left > 0; left--) text_puts(document, "y");
        text_puts(document, close);
    }
    text_put(document, fragment->bytes, fragment->count);
}

static void keep_failure(const char *kind, const char *seed, long index, const Text *document, int differs) {
    char name[96];
    snprintf(name, sizeof name, "%s-%s-%ld.xml", kind, seed, index);
    FILE *file = fopen(name, "wb");
    if (file != NULL) {
        fwrite(document->bytes, 1, document->count, file);
        fclose(file);
    }
    fprintf(stderr, "%s differs (%d)\n", name, differs);
}

static char *read_file(const char *path, int *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        perror(path);
        exit(2);
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *bytes = malloc((size_t)size + 1);
    if (bytes == NULL || fread(bytes, 1, (size_t)size, file) != (size_t)size) exit(2);
    fclose(file);
    *length = (int)size;
    return bytes;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s file DOC [ENCODING] | fuzz SEED COUNT [ENCODING] | bigfuzz SEED COUNT\n", argv[0]);
        return 2;
    }
    hd_xml_global_init();
    names = hd_xml_shared_dict_new();
    if (strcmp(argv[1], "file") == 0) {
        int length;
        char *document = read_file(argv[2], &length);
        int differs = compare(document, length, argc > 3 ? argv[3] : NULL, 1);
        printf("differs: %d\n", differs);
        free(document);
        return differs != 0;
    }
    if (argc < 4) return 2;
    const char *seed = argv[2];
    long count = atol(argv[3]);
    const char *encoding = argc > 4 ? argv[4] : NULL;
    int wide = getenv("WIDE") ? atoi(getenv("WIDE")) : 0;
    if (getenv("BADPCT")) hostile_percent = (unsigned)atoi(getenv("BADPCT"));
    Text document = {0}, fragment = {0};
    long differing = 0;
    if (strcmp(argv[1], "fuzz") == 0) {
        random_state = strtoull(seed, NULL, 10) * 2654435761ULL + 88172645463325252ULL;
        for (long i = 0; i < count; i++) {
            random_document(&document, 3000);
            if (wide) widen(&document, wide == 2);
            int differs = compare(document.bytes, (int)document.count, encoding, 0);
            if (differs && ++differing <= 5) keep_failure("differs", seed, i, &document, differs);
        }
    } else if (strcmp(argv[1], "bigfuzz") == 0) {
        random_state = strtoull(seed, NULL, 10) * 2654435761ULL + 1234567ULL;
        for (long i = 0; i < count; i++) {
            big_document(&document, &fragment);
            int differs = compare(document.bytes, (int)document.count, encoding, 0);
            if (differs && ++differing <= 5) keep_failure("big-differs", seed, i, &document, differs);
        }
    } else {
        return 2;
    }
    printf("seed %s: %ld/%ld differ (reader called %ld times, advanced %ld, %ld bytes)\n", seed, differing, count, reader_calls,
           reader_advanced, reader_bytes);
    free(document.bytes);
    free(fragment.bytes);
    return differing != 0;
}
