/* Builds the content of camas's outgoing events: m.notice replies with an HTML body, the
 * right relation (reply, or reply inside a thread) and intentional mentions. */
#ifndef CAMAS_REPLY_H
#define CAMAS_REPLY_H

#include "event.h"

/* Returns a malloc'd HTML-escaped copy of s (& < > " ' escaped), or NULL. */
char *camas_html_escape(const char *s);

/* Content JSON of an m.notice answering q (malloc'd string, NULL when out of memory).
 * html may be NULL, in which case the escaped plain text is used. */
char *camas_reply_content(const camas_message *q, const char *plain, const char *html);

/* Content JSON of a stand-alone m.notice that mentions nobody. */
char *camas_notice_content(const char *plain, const char *html);

#endif
