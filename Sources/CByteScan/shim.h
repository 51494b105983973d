#ifndef HUBDIFFER_CBYTESCAN_SHIM_H
#define HUBDIFFER_CBYTESCAN_SHIM_H
/* Byte scans that Swift cannot vectorise by itself: 16 bytes a step with SSE2 (part of every
 * x86-64 CPU), a byte at a time elsewhere. No C library behind them; static inline, hd_-prefixed,
 * no state. */
#include <stddef.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The index of the first byte of p[0..<n] that JSON must escape inside a string (a control
 * below 0x20, '"' or '\\'), or n when there is none. */
static inline size_t hd_json_next_escape(const unsigned char *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), highest_control = _mm_set1_epi8(0x1F);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        /* v <= 0x1F (unsigned) exactly when min(v, 0x1F) == v */
        __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, highest_control), v);
        __m128i found = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), control);
        int bits = _mm_movemask_epi8(found);
        if (bits != 0) return i + (size_t)__builtin_ctz((unsigned)bits);
    }
#endif
    for (; i < n; i++) {
        unsigned char c = p[i];
        if (c < 0x20 || c == '"' || c == '\\') return i;
    }
    return n;
}

#endif
