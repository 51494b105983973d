#ifndef HUBDIFFER_CXML2_SHIM_H
#define HUBDIFFER_CXML2_SHIM_H

/* The libxml2 boundary. Only Sources/FeedParsing/XML/LibXML2SAXParser.swift uses the libxml2
 * helpers; Sources/FeedParsing/XML/TextStorage.swift uses the text sink (hd_text_sink_*, plain
 * C memory, no libxml2 pointer). The reader of kept text (hd_xml_take_text) is kept_text.h,
 * included at the end. Everything here is static inline and hd_-prefixed; no globals are
 * defined. */

#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, whose headers clash with the ICU copy inside Foundation.
 * Without this, encoding.h includes <unicode/ucnv.h>; the only effect on the API is two
 * trailing fields of xmlCharEncodingHandler, a struct this module only ever holds by pointer. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <string.h>

/* An external entity loader that loads nothing: no file, no network, ever. */
static inline xmlParserInputPtr hd_xml_refusing_loader(const char *url, const char *id,
                                                       xmlParserCtxtPtr ctxt) {
    (void)url; (void)id; (void)ctxt;
    return NULL;
}

static inline void hd_xml_silent_generic_error(void *ctx, const char *msg, ...) {
    (void)ctx; (void)msg;
}

/* Once per process: initialise libxml2, refuse every external entity or DTD load,
 * and keep libxml2's generic (non-parser) messages off stderr. */
static inline void hd_xml_global_init(void) {
    xmlInitParser();
    xmlSetExternalEntityLoader(hd_xml_refusing_loader);
    xmlSetGenericErrorFunc(NULL, hd_xml_silent_generic_error);
    /* the generic handler is per thread in libxml2 2.9: set the default for new threads too */
    xmlThrDefSetGenericErrorFunc(NULL, hd_xml_silent_generic_error);
}

/* What the fallible helpers below report: libxml2's results, sorted, for the one Swift
 * function that reads them (LibXML2SAXParser.check). */
enum {
    HD_XML_OK = 0,
    /* libxml2 could not allocate: nothing usable was made. */
    HD_XML_NO_MEMORY = 1,
    /* xmlCtxtUseOptions did not take every option asked for (it returns those it did not). */
    HD_XML_OPTIONS_REFUSED = 2,
    /* The encoding asked for was not taken: libxml2 has no decoder for it (it then reads the
     * bytes by the document's own declaration, as without an encoding given), or bytes of the
     * document did not decode from it (the parse then stopped there). */
    HD_XML_ENCODING_REFUSED = 3,
    /* The parse reported an error: the document is not well-formed (the errors went through
     * the error handler; with XML_PARSE_RECOVER the parse went on). */
    HD_XML_NOT_WELL_FORMED = 4,
};

/* A dictionary of names for every parse of the process: the names made here (by
 * hd_xml_dict_intern, once, before any parse uses it) are found by each parser's own
 * dictionary as a child of this one (xmlDictCreateSub), so SAX2 reports them as these same
 * pointers in every parse, and a parse interns nothing of its own to recognise them. A
 * child only reads its parent; the parent's reference count is kept under libxml2's
 * dictionary mutex. NULL when out of memory. */
static inline xmlDictPtr hd_xml_shared_dict_new(void) { return xmlDictCreate(); }
static inline const xmlChar *hd_xml_dict_intern(xmlDictPtr dict, const char *name) {
    return xmlDictLookup(dict, (const xmlChar *)name, -1);
}

/* Gives `ctxt` a dictionary of its own that is a child of `shared`, in place of the one it
 * was made with, with what libxml2 looks up in it at creation (the xml names, and the size
 * limit without XML_PARSE_HUGE). Before any parse. 0 when out of memory (the context keeps
 * its dictionary). */
static inline int hd_xml_ctxt_use_shared_dict(xmlParserCtxtPtr ctxt, xmlDictPtr shared) {
    xmlDictPtr own = xmlDictCreateSub(shared);
    if (own == NULL) return 0;
    const xmlChar *xml = xmlDictLookup(own, BAD_CAST "xml", 3);
    const xmlChar *xmlns = xmlDictLookup(own, BAD_CAST "xmlns", 5);
    const xmlChar *xml_ns = xmlDictLookup(own, XML_XML_NAMESPACE, 36);
    if (xml == NULL || xmlns == NULL || xml_ns == NULL) { xmlDictFree(own); return 0; }
    xmlDictSetLimit(own, XML_MAX_DICTIONARY_LIMIT);
    xmlDictFree(ctxt->dict);
    ctxt->dict = own;
    ctxt->str_xml = xml;
    ctxt->str_xmlns = xmlns;
    ctxt->str_xml_ns = xml_ns;
    return 1;
}

/* The parser options of every HubDiffer parse: recover from damage, substitute entities, no
 * network; with `ignore_encoding` (the caller names no encoding: the bytes are UTF-8), the
 * document's own encoding declaration is ignored. */
static inline int hd_xml_parse_options(int ignore_encoding) {
    int options = XML_PARSE_RECOVER | XML_PARSE_NOENT | XML_PARSE_NONET;
    return ignore_encoding ? options | XML_PARSE_IGNORE_ENC : options;
}

/* A push parser context, with `sax` copied in and names looked up in a child of `shared`
 * (see hd_xml_ctxt_use_shared_dict); the document is handed over whole by hd_xml_ctxt_parse. A push context (xmlParseChunk of the
 * whole document) runs the same SAX2 parse as xmlCreateMemoryParserCtxt + xmlParseDocument at
 * about 1.3 times its speed on libxml2 2.9.14: its input loop skips the per-character
 * xmlCurrentChar calls of the memory reader (BENCHMARKS.md, "The parser against libxml2").
 * userData stays the context itself so libxml2's own SAX2 helpers keep working.
 * `*status` says how it went: NULL with HD_XML_NO_MEMORY or HD_XML_OPTIONS_REFUSED (nothing is
 * left allocated), or a context with HD_XML_OK or HD_XML_ENCODING_REFUSED. */
static inline xmlParserCtxtPtr hd_xml_ctxt_new(const xmlSAXHandler *sax, int options,
                                               const char *encoding, xmlDictPtr shared, int *status) {
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt((xmlSAXHandlerPtr)sax, NULL, NULL, 0, NULL);
    if (ctxt == NULL) { *status = HD_XML_NO_MEMORY; return NULL; }
    if (!hd_xml_ctxt_use_shared_dict(ctxt, shared)) {
        xmlFreeParserCtxt(ctxt);
        *status = HD_XML_NO_MEMORY;
        return NULL;
    }
    ctxt->userData = ctxt;
    if (xmlCtxtUseOptions(ctxt, options) != 0) {
        xmlFreeParserCtxt(ctxt);
        *status = HD_XML_OPTIONS_REFUSED;
        return NULL;
    }
    *status = HD_XML_OK;
    if (encoding != NULL) {
        xmlCharEncodingHandlerPtr handler = xmlFindCharEncodingHandler(encoding);
        if (handler == NULL || xmlSwitchToEncoding(ctxt, handler) != 0) *status = HD_XML_ENCODING_REFUSED;
    }
    return ctxt;
}

/* Parses the whole document of `size` bytes at `buf` (copied in by libxml2), 4 MiB a chunk:
 * the push parser releases what it has consumed only between chunks, and past 10 MB held
 * (XML_MAX_LOOKUP_LIMIT) it stops with "Huge input lookup". HD_XML_OK; HD_XML_NOT_WELL_FORMED;
 * or HD_XML_ENCODING_REFUSED when bytes did not decode from the encoding asked for (the push
 * input then stops without a word through the error handler). */
static inline int hd_xml_ctxt_parse(xmlParserCtxtPtr ctxt, const char *buf, int size) {
    const int chunk = 4 << 20;
    int offset = 0, result = 0;
    do {
        int length = size - offset > chunk ? chunk : size - offset;
        offset += length;
        result = xmlParseChunk(ctxt, buf + offset - length, length, offset >= size);
        if (ctxt->instate == XML_PARSER_EOF) break; /* done, or stopped */
    } while (offset < size);
    if (ctxt->input != NULL && ctxt->input->buf != NULL && ctxt->input->buf->error != 0) return HD_XML_ENCODING_REFUSED;
    return result == 0 ? HD_XML_OK : HD_XML_NOT_WELL_FORMED;
}
static inline int hd_xml_ctxt_well_formed(xmlParserCtxtPtr ctxt) { return ctxt->wellFormed; }
static inline void hd_xml_ctxt_stop(void *ctx) { xmlStopParser((xmlParserCtxtPtr)ctx); }
static inline int hd_xml_ctxt_line(void *ctx) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    return ctxt->input != NULL ? ctxt->input->line : 0;
}

static inline void hd_xml_ctxt_free(xmlParserCtxtPtr ctxt) {
    if (ctxt->myDoc != NULL) { xmlFreeDoc(ctxt->myDoc); ctxt->myDoc = NULL; }
    xmlFreeParserCtxt(ctxt);
}

/* Entities: the document's own (internal subset) or predefined ones. External entities are
 * reported as absent so the parser never tries to load them. */
static inline xmlEntityPtr hd_xml_document_entity(void *ctx, const xmlChar *name) {
    xmlEntityPtr ent = xmlSAX2GetEntity(ctx, name);
    if (ent != NULL && (ent->etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY ||
                        ent->etype == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY)) {
        return NULL;
    }
    return ent;
}

/* An unattached entity that expands to `utf8` like &amp; does: for HTML names (&nbsp;) that
 * XML does not define. The caller keeps it for the life of the process. */
static inline xmlEntityPtr hd_xml_new_text_entity(const char *name, const char *utf8) {
    return xmlNewEntity(NULL, (const xmlChar *)name, XML_INTERNAL_PREDEFINED_ENTITY, NULL, NULL,
                        (const xmlChar *)utf8);
}

/* The HTML 4 entity table of libxml2: code point of a named entity, or 0. */
static inline unsigned int hd_html_entity_codepoint(const xmlChar *name) {
    const htmlEntityDesc *desc = htmlEntityLookup(name);
    return desc != NULL ? desc->value : 0;
}

static inline const char *hd_xml_version(void) { return xmlParserVersion; }

/* ---- Text of one parse, collected in C ----
 * Escaped HTML reaches the characters callback as about one event per entity (a million on
 * the real-world corpus). Appending here, in C, makes each event a copy instead of a trip
 * through Swift; Swift switches collecting on and off (mode) and reads the bytes. */

#include <stdlib.h>
#include <stdint.h>

enum { HD_TEXT_IGNORE = 0, HD_TEXT_KEEP = 1, HD_TEXT_ESCAPE = 2 };

typedef struct {
    unsigned char *bytes;
    size_t count;
    size_t capacity;
    int mode;      /* HD_TEXT_IGNORE, HD_TEXT_KEEP or HD_TEXT_ESCAPE (as markup) */
    int failed;    /* an allocation failed: text is missing */
    int after_cr;  /* the last event ended with a CR, now a LF: a LF that starts the next is its pair */
    void *session;       /* the Swift side of that parse, while attached */
    xmlParserCtxtPtr parser; /* the running parser's own context, while attached (entity
                              * content is parsed by other contexts that share this sink) */
    size_t read_ahead;   /* bytes of the document hd_xml_take_text read instead of libxml2: a
                          * count for the tests, which show with it that the reader ran */
    int reads_ahead;     /* whether hd_xml_take_text may read (see hd_xml_reads_ahead) */
    size_t ceiling;      /* the most bytes it may hold, 0: no bound; growth past it fails as when
                          * memory runs out (a seam for the tests of that path) */
} hd_text_sink;

/* Room for `extra` more bytes; 0 when memory ran out (nothing else changes). */
static inline int hd_text_sink_reserve_quietly(hd_text_sink *sink, size_t extra) {
    if (sink->count + extra <= sink->capacity) return 1;
    if (sink->ceiling != 0 && sink->count + extra > sink->ceiling) return 0;
    size_t capacity = sink->capacity ? sink->capacity * 2 : 4096;
    while (capacity < sink->count + extra) capacity *= 2;
    if (sink->ceiling != 0 && capacity > sink->ceiling) capacity = sink->ceiling;
    unsigned char *grown = (unsigned char *)realloc(sink->bytes, capacity);
    if (grown == NULL) return 0;
    sink->bytes = grown;
    sink->capacity = capacity;
    return 1;
}

/* The same, marking the sink failed (text is missing) when memory ran out. */
static inline int hd_text_sink_reserve(hd_text_sink *sink, size_t extra) {
    if (hd_text_sink_reserve_quietly(sink, extra)) return 1;
    sink->failed = 1;
    return 0;
}

static inline void hd_text_sink_append(hd_text_sink *sink, const unsigned char *bytes, size_t length) {
    if (length == 0 || !hd_text_sink_reserve(sink, length)) return;
    unsigned char *out = sink->bytes + sink->count;
    /* Most events are one entity's character or a few words: fixed-size copies (single moves)
     * beat a call to memcpy. Two overlapping copies cover 8 to 32 bytes. */
    if (length < 8) {
        for (size_t i = 0; i < length; i++) out[i] = bytes[i];
    } else if (length <= 16) {
        uint64_t head, tail;
        memcpy(&head, bytes, 8);
        memcpy(&tail, bytes + length - 8, 8);
        memcpy(out, &head, 8);
        memcpy(out + length - 8, &tail, 8);
    } else if (length <= 32) {
        unsigned char head[16], tail[16];
        memcpy(head, bytes, 16);
        memcpy(tail, bytes + length - 16, 16);
        memcpy(out, head, 16);
        memcpy(out + length - 16, tail, 16);
    } else {
        memcpy(out, bytes, length);
    }
    sink->count += length;
}

/* Appends `bytes` escaped for markup: & < > always, " too when `quote`. */
static inline void hd_text_sink_append_escaped(hd_text_sink *sink, const unsigned char *bytes,
                                               size_t length, int quote) {
    /* The runs between the characters to escape are copied whole. */
    size_t run = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = bytes[i];
        const char *escape = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : (c == '"' && quote) ? "&quot;" : NULL;
        if (escape == NULL) continue;
        hd_text_sink_append(sink, bytes + run, i - run);
        hd_text_sink_append(sink, (const unsigned char *)escape, strlen(escape));
        run = i + 1;
    }
    hd_text_sink_append(sink, bytes + run, length - run);
}

static inline void hd_text_sink_free(hd_text_sink *sink) {
    free(sink->bytes);
    sink->bytes = NULL;
    sink->count = sink->capacity = 0;
}

static inline void hd_text_sink_append_in_mode(hd_text_sink *sink, const unsigned char *bytes, size_t length) {
    if (sink->mode == HD_TEXT_KEEP) hd_text_sink_append(sink, bytes, length);
    else if (sink->mode == HD_TEXT_ESCAPE) hd_text_sink_append_escaped(sink, bytes, length, 0);
}

/* Appends `size` bytes of text that holds no CR, checking as it copies, 8 bytes at a time (a
 * word with a 0x0D byte is found by the usual has-zero-byte test on word ^ 0x0D0D...). Returns
 * 0, with nothing appended, when there is a CR after all: the caller then takes the line-end
 * path. One pass over the bytes instead of memchr then a copy, and no call for the short
 * events (an entity's character, a few words) that make up most of escaped HTML. */
static inline int hd_text_sink_append_without_cr(hd_text_sink *sink, const unsigned char *text, size_t size) {
    if (!hd_text_sink_reserve(sink, size)) return 1; /* marked failed: the text is lost either way */
    unsigned char *out = sink->bytes + sink->count;
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL, crs = 0x0D0D0D0D0D0D0D0DULL;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t word, x;
        memcpy(&word, text + i, 8);
        x = word ^ crs;
        if (((x - ones) & ~x & highs) != 0) return 0;
        memcpy(out + i, &word, 8);
    }
    for (; i < size; i++) {
        if (text[i] == '\r') return 0;
        out[i] = text[i];
    }
    sink->count += size;
    return 1;
}

/* The general path of hd_xml_cdata: text that holds a CR, text to escape, long text, or
 * an event right after one that ended with a CR. */
static inline __attribute__((noinline)) void hd_xml_characters_lines(hd_text_sink *sink, const unsigned char *text, size_t size) {
    size_t start = 0;
    if (sink->after_cr && text[0] == '\n') start = 1;
    sink->after_cr = 0;
    const unsigned char *cr;
    while (start < size && (cr = (const unsigned char *)memchr(text + start, '\r', size - start)) != NULL) {
        size_t at = (size_t)(cr - text);
        hd_text_sink_append_in_mode(sink, text + start, at - start);
        hd_text_sink_append_in_mode(sink, (const unsigned char *)"\n", 1);
        start = at + 1;
        if (start < size && text[start] == '\n') start++;
        else if (start == size) sink->after_cr = 1;
    }
    if (start < size) hd_text_sink_append_in_mode(sink, text + start, size - start);
}

/* hd_xml_characters's other cases: text to escape (kept markup), or a store that must grow. */
static inline __attribute__((noinline)) void hd_xml_characters_other(hd_text_sink *sink, const unsigned char *text, size_t size) {
    if (sink->mode == HD_TEXT_KEEP) hd_text_sink_append(sink, text, size);
    else if (sink->mode == HD_TEXT_ESCAPE) hd_text_sink_append_escaped(sink, text, size, 0);
}

/* The characters and ignorableWhitespace callback. libxml2 hands text over with its line ends
 * already read as XML reads them (CR LF and a lone CR become LF, in xmlParseCharData and
 * xmlCurrentChar), so the text is appended as it is. Most events are one entity's character
 * or a few words of escaped HTML: up to 16 bytes kept with room to spare are copied here,
 * with no call and no stack frame (ctxt->_private is the sink: one load to reach it). */
static inline void hd_xml_characters(void *ctx, const xmlChar *text, int length) {
    hd_text_sink *sink = (hd_text_sink *)((xmlParserCtxtPtr)ctx)->_private;
    if (sink == NULL || length <= 0) return;
    size_t size = (size_t)length;
    sink->after_cr = 0;
    if (sink->mode == HD_TEXT_KEEP && size <= 16 && sink->capacity - sink->count >= 16) {
        unsigned char *out = sink->bytes + sink->count;
        if (size >= 8) {
            uint64_t head, tail;
            memcpy(&head, text, 8);
            memcpy(&tail, text + size - 8, 8);
            memcpy(out, &head, 8);
            memcpy(out + size - 8, &tail, 8);
        } else if (size >= 4) {
            uint32_t head, tail;
            memcpy(&head, text, 4);
            memcpy(&tail, text + size - 4, 4);
            memcpy(out, &head, 4);
            memcpy(out + size - 4, &tail, 4);
        } else {
            out[0] = text[0];
            out[size / 2] = text[size / 2];
            out[size - 1] = text[size - 1];
        }
        sink->count += size;
        return;
    }
    hd_xml_characters_other(sink, text, size);
}

/* The cdataBlock callback. libxml2's push parser hands CDATA sections over as they are
 * written, in pieces (so a CR LF can straddle two events): their line ends are read here
 * (CR LF and a lone CR become LF). One input differs from the pull parser: a CDATA section
 * ending in CR right before another starting with LF reads as one line end, not two.
 * Kept text under 256 bytes is copied in one checked pass. */
static inline void hd_xml_cdata(void *ctx, const xmlChar *text, int length) {
    hd_text_sink *sink = (hd_text_sink *)((xmlParserCtxtPtr)ctx)->_private;
    if (sink == NULL || length <= 0) return;
    size_t size = (size_t)length;
    if (sink->mode == HD_TEXT_KEEP && !sink->after_cr && size < 256 &&
        hd_text_sink_append_without_cr(sink, text, size)) return;
    if (sink->mode == HD_TEXT_IGNORE) return;
    hd_xml_characters_lines(sink, text, size);
}

/* Sets what happens to text. While text is ignored, libxml2 is given no text callback at all,
 * so it skips text without a call per event. */
static inline void hd_text_sink_set_mode(hd_text_sink *sink, int mode) {
    sink->mode = mode;
    sink->after_cr = 0;
    /* The running parser's handler table, shared by the contexts that parse entity content. */
    xmlSAXHandler *sax = sink->parser != NULL ? sink->parser->sax : NULL;
    if (sax == NULL) return;
    int ignore = mode == HD_TEXT_IGNORE;
    sax->characters = ignore ? NULL : hd_xml_characters;
    sax->cdataBlock = ignore ? NULL : hd_xml_cdata;
    /* White space goes to the text callback too (libxml2 then never asks areBlanks): the
     * kept-text reader relies on it. */
    sax->ignorableWhitespace = ignore ? NULL : hd_xml_characters;
}

/* Connects a sink to a parser before the parse (ctxt->_private is then the sink, and
 * `session` the Swift side of the parse), and disconnects it (NULL) after. With
 * XML_PARSE_OLDSAX, predefined entities reach getEntity, which the kept-text reader does not
 * do: it is then off for the parse. */
static inline void hd_text_sink_attach(hd_text_sink *sink, xmlParserCtxtPtr ctxt, void *session) {
    if (ctxt != NULL && (ctxt->options & XML_PARSE_OLDSAX)) sink->reads_ahead = 0;
    sink->session = ctxt != NULL ? session : NULL;
    sink->parser = ctxt;
    if (ctxt != NULL) ctxt->_private = sink;
    hd_text_sink_set_mode(sink, sink->mode);
}

/* The Swift side of the parse that `ctx` runs (see hd_text_sink_attach). */
static inline void *hd_xml_ctxt_session(void *ctx) {
    hd_text_sink *sink = (hd_text_sink *)((xmlParserCtxtPtr)ctx)->_private;
    return sink != NULL ? sink->session : NULL;
}

#include "kept_text.h"  /* the reader of kept text, ahead of libxml2 (uses the text sink above) */

#endif
