#ifndef HUBDIFFER_CBYTESCAN_SHIM_H
#define HUBDIFFER_CBYTESCAN_SHIM_H
/* Byte scans that Swift cannot vectorise by itself: 16 or 64 bytes a step with SSE2 (part of
 * every x86-64 CPU), a byte at a time elsewhere. No C library behind them; static inline, hd_-prefixed,
 * no state. */
#include <stddef.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Whether JSON escapes `c` inside a string: a control below 0x20, '"' or '\\'. */
static inline int hd_json_needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

#if defined(__SSE2__)
/* The same for the 16 bytes of `v`, one bit a byte. */
static inline int hd_json_escape_bits(__m128i v) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), highest_control = _mm_set1_epi8(0x1F);
    /* v <= 0x1F (unsigned) exactly when min(v, 0x1F) == v */
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, highest_control), v);
    return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), control));
}
#endif

/* The index of the first byte of p[0..<n] that JSON must escape inside a string, or n when
 * there is none. */
static inline size_t hd_json_next_escape(const unsigned char *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        int bits = hd_json_escape_bits(_mm_loadu_si128((const __m128i *)(p + i)));
        if (bits != 0) return i + (size_t)__builtin_ctz((unsigned)bits);
    }
#endif
    for (; i < n; i++) {
        if (hd_json_needs_escape(p[i])) return i;
    }
    return n;
}

/* The index of the first `byte` in p[from..<n], or n when there is none: 64 bytes a step (four
 * SSE2 compares folded into one test), inline, so finding each of many nearby bytes costs no
 * call. */
static inline size_t hd_next_byte(const unsigned char *p, size_t n, size_t from, unsigned char byte) {
    size_t i = from;
#if defined(__SSE2__)
    const __m128i needle = _mm_set1_epi8((char)byte);
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), needle);
        __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 16)), needle);
        __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 32)), needle);
        __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 48)), needle);
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) == 0) continue;
        unsigned long long bits = (unsigned long long)(unsigned)_mm_movemask_epi8(a)
            | (unsigned long long)(unsigned)_mm_movemask_epi8(b) << 16
            | (unsigned long long)(unsigned)_mm_movemask_epi8(c) << 32
            | (unsigned long long)(unsigned)_mm_movemask_epi8(d) << 48;
        return i + (size_t)__builtin_ctzll(bits);
    }
#endif
    for (; i < n; i++) {
        if (p[i] == byte) return i;
    }
    return n;
}

/* For the attribute census (Sources/FeedParsing/XML/AttributeCensus.swift): the index of the
 * next '<' at or after `from` that is followed by more than `span` bytes before the next '<'
 * (or the end of p[0..<n]), skipping CDATA sections whole; n when there is none, or when a
 * CDATA section is left open. */
static inline size_t hd_next_long_markup(const unsigned char *p, size_t n, size_t from, size_t span) {
    static const char cdata_open[] = "![CDATA[";
    size_t open = hd_next_byte(p, n, from, '<');
    while (open < n) {
        if (open + 9 <= n && p[open + 1] == '!' && memcmp(p + open + 1, cdata_open, 8) == 0) {
            /* the section's end: the first "]]>" after it */
            size_t at = open + 9;
            for (;;) {
                at = hd_next_byte(p, n, at, ']');
                if (at + 3 > n) return n;
                if (p[at + 1] == ']' && p[at + 2] == '>') break;
                at += 1;
            }
            open = hd_next_byte(p, n, at + 3, '<');
            continue;
        }
        size_t next = hd_next_byte(p, n, open + 1, '<');
        if (next - open > span) return open;
        open = next;
    }
    return n;
}

/* Writes p[0..<n] JSON-escaped into out[0..<capacity] as far as it fits: the bytes between
 * escapes copied 16 at a time (each block stored whole, then counted up to its first byte to
 * escape), `"` `\\` and controls escaped as JSONWriter writes them (\n \r \t, \u00xx in
 * lower case). Returns the bytes written; `*consumed` is how many of p were. It stops before
 * an escape that might not fit (6 bytes), so calling again from p + *consumed goes on;
 * `capacity` must be at least 6, or nothing may be written. */
static inline size_t hd_json_escape(const unsigned char *p, size_t n, size_t *consumed, unsigned char *out,
                                    size_t capacity) {
    static const char hex[] = "0123456789abcdef";
    size_t in = 0, written = 0;
    for (;;) {
#if defined(__SSE2__)
        while (in + 16 <= n && capacity - written >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + in));
            _mm_storeu_si128((__m128i *)(out + written), v);
            int bits = hd_json_escape_bits(v);
            if (bits == 0) {
                in += 16;
                written += 16;
                continue;
            }
            size_t clean = (size_t)__builtin_ctz((unsigned)bits);
            in += clean;
            written += clean;
            break;
        }
#endif
        /* The tail, and the bytes before the end of `out`, one at a time. */
        while (in < n && written < capacity) {
            if (hd_json_needs_escape(p[in])) break;
            out[written++] = p[in++];
        }
        if (in == n || capacity - written < 6) break;
        unsigned char c = p[in++];
        out[written++] = '\\';
        switch (c) {
        case '"': out[written++] = '"'; break;
        case '\\': out[written++] = '\\'; break;
        case '\n': out[written++] = 'n'; break;
        case '\r': out[written++] = 'r'; break;
        case '\t': out[written++] = 't'; break;
        default:
            out[written++] = 'u';
            out[written++] = '0';
            out[written++] = '0';
            out[written++] = (unsigned char)hex[c >> 4];
            out[written++] = (unsigned char)hex[c & 0xF];
        }
    }
    *consumed = in;
    return written;
}

/* The index of the first byte of p[from..<n] that may start a character XML forbids: a
 * control below 0x20 other than tab, line feed and carriage return, or 0xEF (the first byte of
 * U+FFFE and U+FFFF in UTF-8; the caller checks the two after it); n when there is none. */
static inline size_t hd_next_forbidden_candidate(const unsigned char *p, size_t n, size_t from) {
    size_t i = from;
#if defined(__SSE2__)
    const __m128i highest_control = _mm_set1_epi8(0x1F), tab = _mm_set1_epi8(0x09), line_feed = _mm_set1_epi8(0x0A),
                  carriage_return = _mm_set1_epi8(0x0D), ef = _mm_set1_epi8((char)0xEF);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, highest_control), v);
        __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, line_feed)),
                                       _mm_cmpeq_epi8(v, carriage_return));
        __m128i found = _mm_or_si128(_mm_andnot_si128(allowed, control), _mm_cmpeq_epi8(v, ef));
        int bits = _mm_movemask_epi8(found);
        if (bits != 0) return i + (size_t)__builtin_ctz((unsigned)bits);
    }
#endif
    for (; i < n; i++) {
        unsigned char c = p[i];
        if ((c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) || c == 0xEF) return i;
    }
    return n;
}

#endif
