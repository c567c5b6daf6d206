/* The safety reply put together: the hotline message first, or as a footer after an answer
 * when the evidence is weaker, in the asker's language or both (safety.h). Split out of
 * safety.c, which detects. */
#include "safety.h"
#include "messages.h"
#include "reply.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The texts are knowledge/messages' safety.* (messages.c), which refuses any edit that
 * loses the hotline, its text number or 911. */
const char *camas_safety_too_long(const camas_messages *msgs, const char *lang)
{
    return camas_messages_get(msgs, CAMAS_MSG_SAFETY_TOO_LONG, lang);
}

const char *camas_safety_message(const camas_messages *msgs, const char *lang)
{
    return camas_messages_get(msgs, CAMAS_MSG_SAFETY_DANGER, lang);
}

const char *camas_safety_footer(const camas_messages *msgs, const char *lang)
{
    return camas_messages_get(msgs, CAMAS_MSG_SAFETY_FOOTER, lang);
}

static void put_paragraph(camas_buf *plain, camas_buf *html, const char *text, const char *h)
{
    if (plain->len)
        camas_buf_puts(plain, "\n\n");
    camas_buf_puts(plain, text);
    if (h) {
        camas_buf_puts(html, h);
    } else {
        char *esc = camas_html_escape(text);
        camas_buf_printf(html, "<p>%s</p>", esc ? esc : "");
        free(esc);
    }
}

static void put_footer(camas_buf *plain, camas_buf *html, const char *footer)
{
    char *esc = camas_html_escape(footer);
    if (plain->len)
        camas_buf_puts(plain, "\n\n");
    camas_buf_puts(plain, footer);
    camas_buf_printf(html, "<p><em>%s</em></p>", esc ? esc : "");
    free(esc);
}

bool camas_safety_compose(const camas_messages *msgs, const char *lang, int level,
                          bool hotline_sent, const char *plain, const char *html, bool abstained,
                          bool clarify, camas_buf *out_plain, camas_buf *out_html)
{
    /* "en+fr" (camas_safety_langs): the reply is in both, so is the hotline */
    char first[3] = {0}, second[3] = {0};
    if (lang && strlen(lang) == 5 && lang[2] == '+') {
        memcpy(first, lang, 2);
        memcpy(second, lang + 3, 2);
        lang = first;
    }
    bool strong = level >= 2 || hotline_sent;
    bool answer = plain && *plain;
    if (level >= 2 && !hotline_sent) {
        put_paragraph(out_plain, out_html, camas_safety_message(msgs, lang), NULL);
        if (second[0])
            put_paragraph(out_plain, out_html, camas_safety_message(msgs, second), NULL);
    }
    /* Weaker evidence puts the hotline after an answer, to keep staff rooms readable; with
     * no answer to give ("I'm not sure", "did you mean"), nothing would be read before it,
     * so it leads. */
    bool footer_leads = !strong && level == 1 && (!answer || abstained || clarify);
    for (int k = 0; footer_leads && k < 1 + (second[0] != 0); k++)
        put_footer(out_plain, out_html, camas_safety_footer(msgs, k ? second : lang));
    /* After the hotline, "I'm not sure" or a guess at what was meant would only be noise:
     * only a confident answer to what was asked follows it. */
    if (answer && !(strong && (abstained || clarify)))
        put_paragraph(out_plain, out_html, plain, html);
    for (int k = 0; !strong && level == 1 && !footer_leads && k < 1 + (second[0] != 0); k++)
        put_footer(out_plain, out_html, camas_safety_footer(msgs, k ? second : lang));
    return (level >= 2 && !hotline_sent) || footer_leads;
}
