#ifndef HUBDIFFER_CXML2_KEPT_TEXT_H
#define HUBDIFFER_CXML2_KEPT_TEXT_H

/* Part of the libxml2 boundary (CXML2): included at the end of shim.h, whose text sink
 * (hd_text_sink, hd_xml_cdata) it writes to. Static inline and hd_-prefixed, no globals. */

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
