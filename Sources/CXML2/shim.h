#ifndef HUBDIFFER_CXML2_SHIM_H
#define HUBDIFFER_CXML2_SHIM_H

/* The libxml2 boundary. Only Sources/FeedParsing/XML/LibXML2SAXParser.swift uses the libxml2
 * helpers; Sources/FeedParsing/XML/TextStorage.swift uses the text sink (hd_text_sink_*, plain
 * C memory, no libxml2 pointer). Everything here is static inline and hd_-prefixed; no globals
 * are defined. */

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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    xmlSAXHandler *sax;  /* the running parser's handler table, while attached */
    void *session;       /* the Swift side of that parse, while attached */
    xmlParserCtxtPtr parser; /* the running parser's own context, while attached (entity
                              * content is parsed by other contexts that share this sink) */
    size_t read_ahead;   /* bytes of the document hd_xml_take_text read instead of libxml2: a
                          * count for the tests, which show with it that the reader ran */
    int reads_ahead;     /* whether hd_xml_take_text may read (see hd_xml_reads_ahead) */
} hd_text_sink;

/* Room for `extra` more bytes; 0 when memory ran out (nothing else changes). */
static inline int hd_text_sink_reserve_quietly(hd_text_sink *sink, size_t extra) {
    if (sink->count + extra <= sink->capacity) return 1;
    size_t capacity = sink->capacity ? sink->capacity * 2 : 4096;
    while (capacity < sink->count + extra) capacity *= 2;
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
    if (sink->sax == NULL) return;
    int ignore = mode == HD_TEXT_IGNORE;
    sink->sax->characters = ignore ? NULL : hd_xml_characters;
    sink->sax->cdataBlock = ignore ? NULL : hd_xml_cdata;
    sink->sax->ignorableWhitespace = ignore ? NULL : hd_xml_characters;
}

/* Connects a sink to a parser before the parse (ctxt->_private is then the sink, and
 * `session` the Swift side of the parse), and disconnects it (NULL) after. */
static inline void hd_text_sink_attach(hd_text_sink *sink, xmlParserCtxtPtr ctxt, void *session) {
    sink->sax = ctxt != NULL ? ctxt->sax : NULL;
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

/* ---- Kept text read here, ahead of libxml2 ----
 * Most of a feed's bytes are the text of a few elements (content, description, title): escaped
 * HTML, which libxml2 reads a character at a time with one reference call and one characters
 * event per entity (`&lt;p&gt;` is four events), or CDATA sections, which its push parser
 * reads three times a byte at a time (to find "]]>", to check the characters, to count lines).
 * When an element's text is kept, what follows its start tag is read here instead, 16 bytes a
 * step: text and CDATA sections, up to the first other '<' (a child, a comment, the end tag);
 * libxml2 then goes on from that '<'. Only what libxml2 would read without a word is taken:
 * UTF-8 characters XML allows, tab, line ends, the five predefined entities and character
 * references to characters XML allows. Anything else (a control character, a byte that is not
 * UTF-8, another entity, "]]>" in text, a CDATA section left open) ends the reading there and
 * leaves the rest to libxml2, which reports it as it always does. The text reaches the sink as
 * libxml2's events would have brought it: line ends read as libxml2 reads them (CR LF and a
 * lone CR in text become LF; CDATA goes through hd_xml_cdata, as its cdataBlock event). */

/* The length of the UTF-8 character at p[0] (not ASCII) within p[0..<n] when it is well
 * formed and a character XML allows, else 0. */
static inline size_t hd_xml_text_utf8_length(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF) return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        unsigned int v = (unsigned int)(c & 0x0F) << 12 | (unsigned int)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        return v >= 0x800 && xmlIsCharQ(v) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        unsigned int v = (unsigned int)(c & 0x07) << 18 | (unsigned int)(p[1] & 0x3F) << 12
            | (unsigned int)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
        return v >= 0x10000 && v <= 0x10FFFF ? 4 : 0;
    }
    return 0;
}

/* Reads the reference at p[0] == '&' within p[0..<n]: writes its character to `out` and
 * returns the bytes read, with the bytes written in `*written`; 0 when it is not one of
 * those this reader takes. */
static inline size_t hd_xml_text_reference(const unsigned char *p, size_t n, unsigned char *out, size_t *written) {
    *written = 1;
    if (n >= 4 && p[2] == 't' && p[3] == ';') {
        if (p[1] == 'l') { *out = '<'; return 4; }
        if (p[1] == 'g') { *out = '>'; return 4; }
        return 0;
    }
    if (n >= 5 && memcmp(p, "&amp;", 5) == 0) { *out = '&'; return 5; }
    if (n >= 6 && memcmp(p, "&quot;", 6) == 0) { *out = '"'; return 6; }
    if (n >= 6 && memcmp(p, "&apos;", 6) == 0) { *out = '\''; return 6; }
    if (n < 4 || p[1] != '#') return 0;
    unsigned int value = 0;
    size_t i, digits = 0;
    if (p[2] == 'x') {
        for (i = 3; i < n && digits < 7; i++, digits++) {
            unsigned char c = p[i];
            if (c >= '0' && c <= '9') value = value * 16 + (c - '0');
            else if (c >= 'a' && c <= 'f') value = value * 16 + (c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') value = value * 16 + (c - 'A' + 10);
            else break;
        }
    } else {
        for (i = 2; i < n && digits < 8; i++, digits++) {
            unsigned char c = p[i];
            if (c < '0' || c > '9') break;
            value = value * 10 + (c - '0');
        }
    }
    /* up to 6 hex or 7 decimal digits: libxml2 reads longer ones in ways of its own */
    if (digits == 0 || digits > (p[2] == 'x' ? 6u : 7u) || i >= n || p[i] != ';' || !xmlIsCharQ(value)) return 0;
    /* libxml2's own encoder, as its reference code uses (value is a Char: it cannot fail) */
    *written = (size_t)xmlCopyCharMultiByte(out, (int)value);
    return i + 1;
}

#if defined(__SSE2__)
/* The bytes of `v` that are not ASCII, or are controls other than tab, LF and (when `cr`) CR:
 * a bit a byte. */
static inline int hd_xml_unusual_bits(__m128i v, int cr) {
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v); /* v <= 0x1F */
    __m128i spacing = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
    if (cr) spacing = _mm_or_si128(spacing, _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
    return _mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_andnot_si128(spacing, control));
}

/* The bytes of `v` the text reader must look at one by one: the unusual ones (a CR among
 * them), '&' and ']'. */
static inline int hd_xml_text_special_bits(__m128i v) {
    __m128i marks = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')), _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
    return hd_xml_unusual_bits(v, 0) | _mm_movemask_epi8(marks);
}
#endif

/* Decodes the character data in[0..<n] (no '<' in it) into `out`, which has room for n bytes
 * (it never writes past what it has read: 16-byte stores stay below n); returns the bytes written and counts the lines libxml2 counts in `*lines` (a LF, a
 * CR LF; not a lone CR), or returns (size_t)-1 when the run holds anything this reader leaves
 * to libxml2. `*continuations`: the UTF-8 continuation bytes after the run's last LF (libxml2
 * counts columns in characters). */
static inline size_t hd_xml_text_decode(const unsigned char *in, size_t n, unsigned char *out, size_t *lines,
                                        size_t *continuations) {
    size_t i = 0, o = 0, feeds = 0, extra = 0;
    while (i < n) {
#if defined(__SSE2__)
        while (i + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(in + i));
            unsigned int newline = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
            unsigned int special = (unsigned int)hd_xml_text_special_bits(v);
            _mm_storeu_si128((__m128i *)(out + o), v);
            if (special == 0) {
                if (newline != 0) {
                    feeds += (size_t)__builtin_popcount(newline);
                    extra = 0; /* the block is ASCII */
                }
                i += 16;
                o += 16;
                continue;
            }
            unsigned int plain = (unsigned int)__builtin_ctz(special);
            newline &= (1u << plain) - 1;
            if (newline != 0) {
                feeds += (size_t)__builtin_popcount(newline);
                extra = 0;
            }
            i += plain;
            o += plain;
            break;
        }
#endif
        if (i >= n) break;
        unsigned char c = in[i];
        if ((c >= 0x20 && c < 0x80 && c != '&' && c != ']') || c == '\t') {
            out[o++] = c;
            i++;
        } else if (c == '\n') {
            out[o++] = c;
            i++;
            feeds++;
            extra = 0;
        } else if (c == '&') {
            size_t written;
            size_t read = hd_xml_text_reference(in + i, n - i, out + o, &written);
            if (read == 0) return (size_t)-1;
            i += read;
            o += written;
        } else if (c == ']') {
            if (i + 2 < n && in[i + 1] == ']' && in[i + 2] == '>') return (size_t)-1;
            out[o++] = c;
            i++;
        } else if (c >= 0x80) {
            size_t length = hd_xml_text_utf8_length(in + i, n - i);
            if (length == 0) return (size_t)-1;
            memcpy(out + o, in + i, length);
            i += length;
            o += length;
            extra += length - 1;
        } else if (c == '\r') {
            out[o++] = '\n';
            if (i + 1 < n && in[i + 1] == '\n') {
                i += 2;
                feeds++;
                extra = 0;
            } else {
                i++;
            }
        } else {
            return (size_t)-1; /* NUL or another control character */
        }
    }
    *lines = feeds;
    *continuations = extra;
    return o;
}

/* The first "]]>" in p[0..<end], or NULL. */
static inline const unsigned char *hd_xml_cdata_end(const unsigned char *p, const unsigned char *end) {
    while (end - p >= 3) {
        const unsigned char *bracket = (const unsigned char *)memchr(p, ']', (size_t)(end - p) - 2);
        if (bracket == NULL) return NULL;
        if (bracket[1] == ']' && bracket[2] == '>') return bracket;
        p = bracket + 1;
    }
    return NULL;
}

/* Whether p[0..<n] is CDATA content libxml2 takes without a word (UTF-8 characters XML
 * allows, tab, CR, LF), counting its line feeds in `*lines`. */
static inline int hd_xml_cdata_valid(const unsigned char *p, size_t n, size_t *lines) {
    size_t i = 0, feeds = 0;
    while (i < n) {
#if defined(__SSE2__)
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            if (hd_xml_unusual_bits(v, 1) != 0) break;
            feeds += (size_t)__builtin_popcount((unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
        }
#endif
        if (i >= n) break;
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t length = hd_xml_text_utf8_length(p + i, n - i);
            if (length == 0) return 0;
            i += length;
        } else if (c >= 0x20 || c == '\t' || c == '\r') {
            i++;
        } else if (c == '\n') {
            i++;
            feeds++;
        } else {
            return 0;
        }
    }
    *lines = feeds;
    return 1;
}

/* Whether the libxml2 running is the one whose push parser the reader above was checked
 * against, line by line (2.9.14, Debian 12's: it relies on how xmlParseTryOrFinish ends a
 * start tag, on the input's fields, and on the buffer being the push parser's own copy); with
 * any other, kept text is left to libxml2. */
static inline int hd_xml_reads_ahead(void) { return strcmp(xmlParserVersion, "20914") == 0; }

/* The address of the last `byte` in p[0..<n] (there is one; it is usually near the end). */
static inline const unsigned char *hd_last_byte(const unsigned char *p, size_t n, unsigned char byte) {
    const unsigned char *at = p + n - 1;
    while (*at != byte) at--;
    return at;
}

/* Advances the line and column counts of hd_xml_take_text_run over p[0..<n], which holds
 * `feeds` line feeds and, after the last of them (or in all of it when there is none),
 * `narrow` bytes that take no column of their own (UTF-8 continuation bytes in text; libxml2
 * counts a column a character there, a byte in CDATA). */
static inline void hd_xml_advance_position(const unsigned char *p, size_t n, size_t feeds, size_t narrow,
                                           size_t *lines, size_t *columns) {
    if (feeds == 0) {
        *columns += n - narrow;
        return;
    }
    *lines += feeds;
    *columns = (size_t)(p + n - 1 - hd_last_byte(p, n, '\n')) - narrow;
}

/* The noinline part of hd_xml_take_text. */
static inline __attribute__((noinline)) void hd_xml_take_text_run(xmlParserCtxtPtr ctxt, hd_text_sink *sink) {
    xmlParserInputPtr input = ctxt->input;
    /* Only the document's own push parse, in a start tag of it (libxml2 2.9 leaves the state
     * at CONTENT after reading attributes), well-formed so far: after an error libxml2 drops
     * entity references, and the text must read as libxml2 would read it. */
    if (input == NULL || input->buf == NULL || ctxt->inputNr != 1
        || (ctxt->instate != XML_PARSER_START_TAG && ctxt->instate != XML_PARSER_CONTENT)
        || !ctxt->wellFormed || ctxt->disableSAX || ctxt->charset != XML_CHAR_ENCODING_UTF8) return;
    /* What the reading assumes of the handler and options: white space goes to the same
     * callback as text (so libxml2 never asks areBlanks), and predefined entities never reach
     * getEntity (no XML_PARSE_OLDSAX), so neither libxml2's nor the session's counts change. */
    if (ctxt->sax == NULL || ctxt->sax->characters != ctxt->sax->ignorableWhitespace
        || (ctxt->options & XML_PARSE_OLDSAX)) return;
    const unsigned char *cur = input->cur, *end = input->end;
    if (cur == NULL || end == NULL || cur >= end || *cur != '>') return;
    const unsigned char *start = cur + 1, *next = start;
    /* Lines, and columns as libxml2 counts them: characters in text, bytes in CDATA sections,
     * since the last LF (or since `start` while there is none). Nothing in HubDiffer reads the
     * column; it is kept right so that libxml2's state after the reading is the state it would
     * have reached itself (its error reports carry it). */
    size_t lines = 0, columns = 0;
    for (;;) {
        const unsigned char *lt = (const unsigned char *)memchr(next, '<', (size_t)(end - next));
        if (lt == NULL) break;
        if (lt > next) {
            size_t n = (size_t)(lt - next), feeds = 0, continuations = 0;
            if (!hd_text_sink_reserve_quietly(sink, n)) break; /* libxml2 reads it, in smaller pieces */
            size_t written = hd_xml_text_decode(next, n, sink->bytes + sink->count, &feeds, &continuations);
            if (written == (size_t)-1) break;
            sink->count += written;
            sink->after_cr = 0; /* as the characters callback does */
            hd_xml_advance_position(next, n, feeds, continuations, &lines, &columns);
            next = lt;
        }
        if (end - lt < 12 || memcmp(lt, "<![CDATA[", 9) != 0) break;
        const unsigned char *content = lt + 9;
        const unsigned char *close = hd_xml_cdata_end(content, end);
        size_t feeds = 0;
        if (close == NULL || close - content > INT32_MAX || !hd_xml_cdata_valid(content, (size_t)(close - content), &feeds)) break;
        hd_xml_cdata(ctxt, content, (int)(close - content)); /* libxml2's one cdataBlock event */
        next = close + 3;
        hd_xml_advance_position(lt, (size_t)(next - lt), feeds, 0, &lines, &columns);
    }
    if (next == start) return;
    sink->read_ahead += (size_t)(next - start);
    /* libxml2 adds one for the '>' below, as it would have for the character it replaces. */
    input->line += (int)lines;
    input->col = lines == 0 ? input->col + (int)columns : (int)columns;
    /* libxml2 goes on by consuming the start tag's '>': it now finds one right before the
     * '<' (the byte it replaces was read above, or is the '>' of a "]]>"); the buffer is the
     * push parser's own copy of the document. */
    *(xmlChar *)(next - 1) = '>';
    input->cur = next - 1;
}

/* Called by the startElementNs callback once the builder has chosen what happens to the
 * element's text: when the text is kept, reads it up to the next '<' here (see above). */
static inline void hd_xml_take_text(void *ctx) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    hd_text_sink *sink = (hd_text_sink *)ctxt->_private;
    if (sink == NULL || sink->mode != HD_TEXT_KEEP || !sink->reads_ahead || sink->parser != ctxt) return;
    hd_xml_take_text_run(ctxt, sink);
}

#endif
