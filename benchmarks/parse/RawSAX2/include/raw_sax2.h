#ifndef RAW_SAX2_H
#define RAW_SAX2_H
/* A bare libxml2 SAX2 pass: the reference HubDiffer's parser is measured against. */

/* Once per process: libxml2 set-up and the counting handler table. */
void raw_sax2_init(void);

/* Parses `length` bytes with counting callbacks only; returns the number of elements. */
long raw_sax2_parse(const char *bytes, int length);

#endif
